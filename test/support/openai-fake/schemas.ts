/**
 * Names of the bodies the fake sends that the OpenAI description documents without a
 * component schema; `test/support/openai-spec.ts` validates them by these names.
 */

/** `DELETE /v1/responses/{id}`: the description gives only an example body for its 200. */
export const DELETED_RESPONSE_SCHEMA = 'operation:deleteResponse';

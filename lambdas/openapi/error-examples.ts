/**
 * The error examples of the OpenAPI document: each code's body as the API sends it, with the
 * fields some codes carry besides `error`, `code` and `request_id`.
 */
import { ERROR_CODES, type ErrorCode } from '../shared/contract/errors';
import { RUN_ID_EXAMPLE } from '../shared/contract/routes';
import type { ErrorBody } from '../shared/contract/schemas';
import type { Example } from './examples';

const RUN_ID = RUN_ID_EXAMPLE;
const REQUEST_ID = '6a1f7e2b-9c3d-4b5e-8f1a-2d3c4b5a6e7f';

/** Fields some error bodies carry besides `error`, `code` and `request_id`. */
const ERROR_EXAMPLE_EXTRAS: Partial<Record<ErrorCode, Readonly<Record<string, unknown>>>> = {
  validation_failed: {
    error: 'message: message must not be empty',
    issues: [{ location: 'body', path: 'message', message: 'message must not be empty' }],
  },
  request_in_flight: { run_id: RUN_ID, retry_after_seconds: 2 },
  thread_busy: { run_id: RUN_ID, retry_after_seconds: 3 },
  rate_limited: { retry_after_seconds: 1 },
  message_rate_limited: { limit: 'per_minute', retry_after_seconds: 42 },
  daily_message_limit: { limit: 'daily_messages', retry_after_seconds: 14400 },
  budget_exceeded: { limit: 'daily_cost', retry_after_seconds: 14400 },
  upstream_unavailable: { retry_after_seconds: 10 },
  database_unavailable: { retry_after_seconds: 5 },
  request_timeout: { retry_after_seconds: 2 },
  auth_unavailable: { retry_after_seconds: 5 },
  erasure_unavailable: { retry_after_seconds: 30 },
};

/** The example error body for a code: the contract's message, as the API sends it. */
export function errorExample(code: ErrorCode): Example<ErrorBody> {
  return {
    summary: `\`${code}\`: ${ERROR_CODES[code].meaning}`,
    value: { error: ERROR_CODES[code].message, ...ERROR_EXAMPLE_EXTRAS[code], code, request_id: REQUEST_ID },
  };
}

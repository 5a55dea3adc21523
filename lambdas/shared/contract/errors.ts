/**
 * Every error code the API answers with, in one table: its HTTP status, the default message
 * the body's `error` carries, what it means (the OpenAPI document and the guides quote it),
 * and, for the errors API Gateway answers itself before any handler runs, which gateway
 * responses carry it (`lib/api.ts` configures them from this table). The handlers raise them
 * with `appError(code)` (`../errors.ts`); the database functions return them as refusals.
 */

/** The gateway response types of API Gateway REST APIs that answer with one of our codes. */
export type GatewayResponseType =
  | 'UNAUTHORIZED'
  | 'ACCESS_DENIED'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'BAD_REQUEST_BODY'
  | 'BAD_REQUEST_PARAMETERS'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'REQUEST_TOO_LARGE'
  | 'THROTTLED'
  | 'INTEGRATION_TIMEOUT'
  | 'AUTHORIZER_FAILURE'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX';

export interface ErrorSpec {
  readonly status: number;
  /** The body's `error` unless the raiser gives a more specific one. */
  readonly message: string;
  /** For the OpenAPI document and the guides: when the code is answered, what to do. */
  readonly meaning: string;
  /** API Gateway answers this code itself for these response types (before the handler). */
  readonly gateway?: readonly GatewayResponseType[];
  /** The `Retry-After` (and `retry_after_seconds`) of the gateway's answer. */
  readonly gatewayRetryAfterSeconds?: number;
}

export const ERROR_CODES = {
  validation_failed: {
    status: 400,
    message: 'The request is not valid.',
    meaning: 'the body or a parameter does not match the schema; `issues` says where',
  },
  invalid_json: {
    status: 400,
    message: 'The request body is not valid JSON.',
    meaning: 'the body is not JSON',
  },
  invalid_request: {
    status: 400,
    message: 'The request body is not a valid JSON object for this route.',
    meaning:
      'refused by API Gateway before the handler: the body is not a JSON object, or a parameter is missing',
    gateway: ['BAD_REQUEST_BODY', 'BAD_REQUEST_PARAMETERS'],
  },
  idempotency_key_mismatch: {
    status: 400,
    message: 'client_message_id and the Idempotency-Key header differ.',
    meaning: '`Idempotency-Key` and `client_message_id` differ',
  },
  bad_request: {
    status: 400,
    message: 'The request was refused.',
    meaning: 'refused by API Gateway for another reason (its default 4xx answer)',
    gateway: ['DEFAULT_4XX'],
  },
  unauthorized: {
    status: 401,
    message: 'A valid Supabase access token is required.',
    meaning: 'no, expired or invalid Supabase access token',
    gateway: ['UNAUTHORIZED'],
  },
  forbidden: {
    status: 403,
    message: 'Access denied.',
    meaning: 'API Gateway refused the call (the authorizer denied it)',
    gateway: ['ACCESS_DENIED'],
  },
  user_mismatch: {
    status: 403,
    message: 'user_id does not match the signed-in user.',
    meaning: "`user_id` in the body is not the token's user",
  },
  goal_forbidden: {
    status: 403,
    message: 'This goal belongs to another user.',
    meaning: 'the goal belongs to another user',
  },
  thread_forbidden: {
    status: 403,
    message: 'This thread belongs to another user.',
    meaning: 'the thread belongs to another user',
  },
  anonymous_not_allowed: {
    status: 403,
    message: 'Create an account to chat with the coach.',
    meaning:
      'the token is an anonymous sign-in (`is_anonymous`) and anonymous users may not chat here (flag `anonymous_enabled`); nothing was stored',
  },
  not_found: {
    status: 404,
    message: 'No such route.',
    meaning: 'no such path or method',
    gateway: ['MISSING_AUTHENTICATION_TOKEN'],
  },
  goal_not_found: { status: 404, message: 'No such goal.', meaning: 'no such goal' },
  thread_not_found: { status: 404, message: 'No such thread.', meaning: 'no such thread' },
  run_not_found: { status: 404, message: 'No such run.', meaning: "no such run (or not the user's)" },
  message_not_found: {
    status: 404,
    message: 'No such coach message.',
    meaning: "no such AI message (or not the user's)",
  },
  request_in_flight: {
    status: 409,
    message: 'This message is still being answered; retry shortly with the same key.',
    meaning:
      'this `client_message_id` is still being answered; `run_id` says which run. Retry later with the same key',
  },
  thread_busy: {
    status: 409,
    message: 'The coach is still answering your previous message; send this one when it has replied.',
    meaning:
      'another message of the user is still being answered on the same coach thread (one at a time); `run_id` names it. Nothing was stored: send again after `retry_after_seconds`, with the same key',
  },
  answer_deleted: {
    status: 410,
    message: 'This message or its answer was deleted.',
    meaning:
      'the message (`client_message_id`, or the run) was answered, but the user has deleted its stored chat row(s) since; it is not answered again',
  },
  payload_too_large: {
    status: 413,
    message: 'The request body is too large.',
    meaning: 'the body is larger than 32 KiB',
    gateway: ['REQUEST_TOO_LARGE'],
  },
  unsupported_media_type: {
    status: 415,
    message: 'Send JSON (Content-Type: application/json).',
    meaning: 'refused by API Gateway: the body is not sent as `application/json`',
    gateway: ['UNSUPPORTED_MEDIA_TYPE'],
  },
  rate_limited: {
    status: 429,
    message: 'Too many requests; try again shortly.',
    meaning: 'too many requests; wait `Retry-After` seconds',
    gateway: ['THROTTLED'],
    gatewayRetryAfterSeconds: 1,
  },
  message_rate_limited: {
    status: 429,
    message: 'You are sending messages faster than the coach can answer; wait a moment and try again.',
    meaning:
      'the user sent more messages in the last minute than the per-minute limit allows; nothing was stored. Retry after `Retry-After` seconds with the same key',
  },
  daily_message_limit: {
    status: 429,
    message: "You have reached today's message limit; it resets at midnight UTC.",
    meaning: 'the user sent as many messages today (UTC) as the daily limit allows; nothing was stored',
  },
  budget_exceeded: {
    status: 429,
    message: "Today's coaching budget is used up; it resets at midnight UTC.",
    meaning:
      "the user's daily OpenAI tokens or cost (`limit`: `daily_tokens` or `daily_cost`) are used up; nothing was stored. It resets at midnight UTC",
  },
  internal_error: {
    status: 500,
    message: 'Something went wrong on our side. Please try again.',
    meaning: 'a fault on our side; details are logged, never sent',
    gateway: ['DEFAULT_5XX'],
  },
  upstream_unavailable: {
    status: 503,
    message: 'The coach could not answer right now; please try again.',
    meaning: 'OpenAI is unavailable and no fallback answered; retry after `Retry-After`',
  },
  database_unavailable: {
    status: 503,
    message: 'The service is temporarily unavailable; please try again.',
    meaning: 'the database is unavailable; retry after `Retry-After`',
  },
  not_configured: {
    status: 503,
    message: 'The coach is not set up yet; please try again later.',
    meaning:
      'a secret the backend needs still holds its placeholder: the operator must put its value (the function logs which secret)',
  },
  request_timeout: {
    status: 503,
    message: 'The request took too long. Please try again.',
    meaning: 'the request ran out of time; retry with the same key',
  },
  auth_unavailable: {
    status: 503,
    message: 'Sign-in verification is unavailable; try again shortly.',
    meaning:
      'API Gateway could not verify the token right now; retry after `Retry-After` (this is not a sign-out)',
    gateway: ['AUTHORIZER_FAILURE'],
    gatewayRetryAfterSeconds: 5,
  },
  timeout: {
    status: 504,
    message: 'The request took too long; try again.',
    meaning:
      "API Gateway's 29 s limit passed; retry with the same `client_message_id` (the answer may be stored)",
    gateway: ['INTEGRATION_TIMEOUT'],
  },
  erasure_in_progress: {
    status: 409,
    message: 'Your AI data is being erased; try again when the erasure has finished.',
    meaning:
      "an erasure of the user's AI data is running: nothing is stored for them until it ends; follow it with `GET /functions/v1/ai-data/erasures/{erasure_id}`",
  },
  erasure_not_found: {
    status: 404,
    message: 'No such erasure.',
    meaning: "no such erasure (or not the user's)",
  },
  erasure_unavailable: {
    status: 503,
    message: 'The erasure could not be started right now; send the request again.',
    meaning:
      'the erasure was recorded but could not be started; send `delete` again after `Retry-After` (it resumes the same erasure)',
  },
} as const satisfies Readonly<Record<string, ErrorSpec>>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/** The spec of a code (typed as the general `ErrorSpec`, whatever the literal entry holds). */
export function errorSpec(code: ErrorCode): ErrorSpec {
  return ERROR_CODES[code];
}

/**
 * The error codes routes share, by what the route does (`./routes.ts` lists each route's):
 * every authenticated route, a JSON body, a body API Gateway checks first, the database, and
 * the chat turn's own (the JSON and the streamed route answer the same).
 */
import type { ErrorCode } from './errors';

/**
 * The codes every authenticated route can answer with, besides its own. Some come from API
 * Gateway itself (`lib/api.ts` configures its gateway responses from the error table).
 */
export const COMMON_AUTH_ERRORS = [
  'unauthorized',
  'forbidden',
  'rate_limited',
  'internal_error',
  'auth_unavailable',
  'timeout',
] as const satisfies readonly ErrorCode[];
/** And every route with a JSON body. */
export const BODY_ERRORS = [
  'validation_failed',
  'invalid_json',
  'payload_too_large',
] as const satisfies readonly ErrorCode[];
/** And every route whose body API Gateway checks against a request model first. */
export const MODEL_ERRORS = [
  'invalid_request',
  'unsupported_media_type',
] as const satisfies readonly ErrorCode[];
/** Any route whose handler reads the database. */
export const DATA_ERRORS = [
  'database_unavailable',
  'request_timeout',
  'not_configured',
] as const satisfies readonly ErrorCode[];

/** What the chat can answer with, streamed or not (the stream's refusals come before its events). */
export const CHAT_ERRORS = [
  ...BODY_ERRORS,
  ...MODEL_ERRORS,
  'idempotency_key_mismatch',
  ...COMMON_AUTH_ERRORS,
  'user_mismatch',
  'anonymous_not_allowed',
  'goal_forbidden',
  'thread_forbidden',
  'goal_not_found',
  'thread_not_found',
  'request_in_flight',
  'thread_busy',
  'erasure_in_progress',
  'answer_deleted',
  'message_rate_limited',
  'daily_message_limit',
  'budget_exceeded',
  'upstream_unavailable',
  ...DATA_ERRORS,
] as const satisfies readonly ErrorCode[];

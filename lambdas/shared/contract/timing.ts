/**
 * The chat function's time, spent in order: the sync budget (the claim, the conversation, the
 * model), then recording the answer with its one retry, then the early answer before the
 * Lambda timeout. The sync budget is capped so that the last two always fit: a reply that is
 * paid for is never lost because the function ran out of time before it was stored.
 * Dependency-free: the CDK app and the flags schema import it.
 */

/** The chat function's timeout, below API Gateway's 29 s integration limit. */
export const CHAT_FUNCTION_TIMEOUT_SECONDS = 28;

/**
 * The streamed chat's timeout. Its turn keeps the JSON route's sync budget (a long reply is
 * handed to the poller as there); what is left is for relaying the rest of a long reply and
 * reading its record. A reply still unfinished then is resumed by the app (`resumeChatStream`).
 */
export const CHAT_STREAM_FUNCTION_TIMEOUT_SECONDS = 90;

/**
 * How long an in-flight claim holds its key and its thread, above the chat function's
 * timeout: an older claim belongs to an invocation that died. The claim functions use the same
 * value (`db/functions/_coach_claim_ttl.sql`); the erasure waits this long for a turn.
 */
export const CLAIM_TTL_SECONDS = 60;

/** How long before its timeout the chat handler answers 503 `request_timeout` (its middy `timeoutEarlyInMillis`). */
export const CHAT_TIMEOUT_EARLY_MS = 1_000;

/** The most one store call may take (the Lambdas' supabase transport aborts a request after this). */
export const STORE_CALL_TIMEOUT_MS = 5_000;

/** Recording is tried twice: one retry on a database blip, the answer being paid for already. */
export const RECORD_ATTEMPTS = 2;

/**
 * Left for what happens between the budget's end and the record call (the model call is cut
 * `MODEL_OVERRUN_MS` after it), and for the 202 path's extra step (starting the poller, bounded
 * by `POLLER_START_TIMEOUT_MS`).
 */
export const RECORD_SLACK_MS = 2_000;

/**
 * How long past the sync budget the model call may still run before it is aborted: the adapter
 * ends its own work at the budget, but a request it sends (the conversation read of a recovery)
 * has its own timeout. Taken from `RECORD_SLACK_MS`.
 */
export const MODEL_OVERRUN_MS = 1_000;

/** How long the chat waits for Step Functions to start the poller before it stores the fallback instead. */
export const POLLER_START_TIMEOUT_MS = 1_000;

/**
 * The largest sync budget: what the chat function's time leaves once recording (twice, at the
 * store's timeout), the slack and the early answer are set aside. 15 000 ms.
 */
export const MAX_CHAT_SYNC_BUDGET_MS =
  CHAT_FUNCTION_TIMEOUT_SECONDS * 1000 -
  CHAT_TIMEOUT_EARLY_MS -
  RECORD_ATTEMPTS * STORE_CALL_TIMEOUT_MS -
  RECORD_SLACK_MS;

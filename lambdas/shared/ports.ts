/**
 * The ports several features share: the turn's answer (what chat and the poller record), the
 * per-user settings, a thread's conversation, and `CoachModel`, the OpenAI Responses +
 * Conversations API (or the fake of it in tests). Each feature's own database port lives with
 * the feature (`lambdas/<feature>/store.ts`). Shapes are snake_case because they are the JSON
 * the Postgres functions take and return, unchanged.
 */
import type { ReasoningEffort } from './coach/model-facts';
import type { ChatReply, CoachProfileId, RunState, UserAssistantThread, Variant } from './contract/schemas';
import type { StoreCallOptions } from './store/transport';

/** Per-user AI settings (table `user_ai_settings`); null means "follow the global flag". */
export interface UserAiSettings {
  readonly openai_enabled: boolean | null;
  readonly fallback_enabled: boolean | null;
  readonly daily_token_limit: number | null;
  readonly daily_cost_limit_usd: number | null;
  readonly cohort: string | null;
}

/** Token usage by kind, as OpenAI's `ResponseUsage` reports it (zeros for the simulated coach). */
export interface TokenUsage {
  readonly input_tokens: number;
  readonly cached_tokens: number;
  readonly cache_write_tokens: number;
  readonly output_tokens: number;
  readonly reasoning_tokens: number;
  readonly total_tokens: number;
}

export interface AiAnswer {
  readonly response: string;
  readonly variant: Variant;
  readonly fallback: boolean;
  readonly model_used: string;
  readonly openai_response_id: string | null;
  readonly usage: TokenUsage;
  readonly cost_estimate: number;
  readonly response_time_ms: number;
}

/**
 * `coach_record_exchange`: only what is new since the claim, which stored the turn (its
 * identity and the user's row). Atomically the AI row, the usage log (OpenAI variant), the
 * thread's counters and `last_interaction_at`, the run completed and its reservation settled.
 * Exactly once per run: a second call returns the first reply (410 `answer_deleted` if the user
 * deleted it since).
 */
export interface RecordExchangeInput {
  readonly run_id: string;
  /** The run's user: a run is only ever recorded for its own user. */
  readonly user_id: string;
  /**
   * The conversation (`conv_…`) or, for the simulated coach on a new thread, a local id; absent
   * when the run already names it (the poller).
   */
  readonly thread_id?: string;
  readonly answer: AiAnswer;
  /** What the screening decided about this turn, recorded with the answer (never any text). */
  readonly safety_event?: SafetyEventInput;
}

/**
 * A `safety_events` row (docs/safety.md): which text was screened, the category that decided,
 * the moderation scores and the action taken. Never the text itself.
 */
export interface SafetyEventInput {
  readonly source: 'user_message' | 'coach_reply';
  /** The moderation category that decided (e.g. `self-harm/intent`), or `none` when none did. */
  readonly category: string;
  readonly scores: Readonly<Record<string, number>>;
  /** `crisis_reply` (the coach never saw the message), `reply_replaced` (the coach's reply was not shown). */
  readonly action: SafetyAction;
}

/** What the screening did about a turn. */
export type SafetyAction = 'crisis_reply' | 'reply_replaced';

/** `coach_fail_run`: mark a run failed; store the fallback answer if given (at most once). */
export interface FailRunInput {
  readonly run_id: string;
  readonly status: 'failed' | 'cancelled' | 'incomplete' | 'timed_out';
  readonly failure_code: string;
  readonly fallback: AiAnswer | null;
}

/** `coach_save_thread_conversation`: a thread's conversation or local id, as thread-manager and chat save it. */
export interface SaveThreadInput {
  readonly user_id: string;
  readonly assistant_type: CoachProfileId;
  readonly thread_id: string;
  /** `profile@version`, stored in `user_assistant_threads.openai_assistant_id`. */
  readonly profile_ref: string;
}

/** Saving a thread's conversation: what thread-manager and chat both write. */
export interface ThreadConversationSaver {
  /**
   * Set the thread's id (creating the row if needed), a replaced id kept in
   * `legacy_thread_ids`. A conversation is adopted only by a thread that has none: the answer's
   * `thread_id` is the conversation in force, which callers must use from then on.
   */
  saveThreadConversation(input: SaveThreadInput, options?: StoreCallOptions): Promise<UserAssistantThread>;
}

/** Recording a turn's outcome: what the chat and the poller both write. */
export interface ExchangeRecorder {
  recordExchange(input: RecordExchangeInput, options?: StoreCallOptions): Promise<ChatReply>;
  failRun(input: FailRunInput, options?: StoreCallOptions): Promise<RunState>;
}

// ---------------------------------------------------------------------------------------
// CoachModel
// ---------------------------------------------------------------------------------------

export interface CallOptions {
  /** The handler's abort signal (fires before the Lambda timeout). */
  readonly signal?: AbortSignal;
}

/** Receives the reply's text as it is written, with the OpenAI event's `sequence_number`. */
export type DeltaListener = (text: string, sequence: number) => void;

export interface RespondOptions extends CallOptions {
  /** How long to wait for the answer before handing its response id back still running. */
  readonly wait_ms: number;
  /** Relays the reply's text as it streams (the streamed chat); never called for a recovered turn. */
  readonly on_delta?: DeltaListener | undefined;
  /**
   * A create for this turn may already have been accepted unseen (the claim is answered again
   * after the invocation holding it died): look for the turn in the conversation before
   * creating, and create only if it is not there.
   */
  readonly recover_first?: boolean;
}

export interface FollowOptions extends CallOptions {
  readonly after: number;
  readonly wait_ms: number;
  readonly on_delta?: DeltaListener | undefined;
}

export interface CoachTurnRequest {
  readonly model: string;
  /** Profile instructions first (static, cacheable), the user context last. */
  readonly instructions: string;
  readonly input: string;
  readonly conversation_id: string;
  readonly max_output_tokens: number;
  /** Null: the model's default. Which efforts a model accepts: `coach/model-facts.ts`. */
  readonly reasoning_effort: ReasoningEffort | null;
  readonly temperature: number | null;
  /** Compact the conversation above this many input tokens (`context_management`); null: never. */
  readonly compact_threshold: number | null;
  /** A hash of the user id, never the raw id. */
  readonly safety_identifier: string;
  readonly prompt_cache_key: string;
  /** Our run id etc.; used to find a response created by an ambiguous failed request. */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface CoachCompleted {
  readonly status: 'completed';
  readonly response_id: string;
  readonly text: string;
  readonly model: string;
  readonly usage: TokenUsage;
}

export interface CoachStillRunning {
  readonly status: 'queued' | 'in_progress';
  readonly response_id: string;
}

export interface CoachEnded {
  readonly status: 'failed' | 'cancelled' | 'incomplete';
  readonly response_id: string;
  /** OpenAI's `error.code` or `incomplete_details.reason`. */
  readonly code: string;
}

export type CoachPoll = CoachCompleted | CoachStillRunning | CoachEnded;

export interface CoachModel {
  createConversation(
    input: { readonly metadata: Readonly<Record<string, string>> },
    options?: CallOptions,
  ): Promise<{ readonly id: string }>;
  /**
   * Start a background, streamed response and wait for it up to `wait_ms`.
   * Returns `completed`, or the still-running response id to hand to the poller,
   * or a terminal failure. Throws `CoachModelError` when OpenAI could not be used.
   */
  respond(request: CoachTurnRequest, options: RespondOptions): Promise<CoachPoll>;
  retrieve(responseId: string, options?: CallOptions): Promise<CoachPoll>;
  /**
   * Follows a response's event stream after event `after` (-1: from the start) for up to
   * `wait_ms`, relaying its text: its outcome, or still running when the time is up.
   */
  follow(responseId: string, options: FollowOptions): Promise<CoachPoll>;
  cancel(responseId: string, options?: CallOptions): Promise<void>;
}

export type CoachModelErrorKind =
  | 'rate_limited'
  | 'insufficient_quota'
  | 'upstream_error'
  | 'timeout'
  | 'connection'
  | 'bad_request'
  | 'auth';

export class CoachModelError extends Error {
  constructor(
    readonly kind: CoachModelErrorKind,
    message: string,
    readonly options: {
      readonly cause?: unknown;
      readonly status?: number;
      readonly retryAfterSeconds?: number;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CoachModelError';
  }
}

/**
 * The one test for a `CoachModelError`. By name and kind rather than `instanceof` alone, so
 * an error from another copy of this module (a bundle, a test realm) is still recognised.
 */
export function isCoachModelError(error: unknown): error is CoachModelError {
  return (
    error instanceof CoachModelError ||
    (error instanceof Error &&
      error.name === 'CoachModelError' &&
      typeof (error as { kind?: unknown }).kind === 'string')
  );
}

// ---------------------------------------------------------------------------------------
// Screener
// ---------------------------------------------------------------------------------------

/** One text's moderation result: the categories flagged and every category's score. */
export interface ModerationVerdict {
  readonly flagged: boolean;
  readonly categories: Readonly<Record<string, boolean>>;
  readonly scores: Readonly<Record<string, number>>;
}

/**
 * OpenAI's moderation endpoint (or the fake of it in tests). Throws `ScreeningError` when it
 * could not answer; the caller fails open.
 */
export interface Screener {
  moderate(text: string, options?: CallOptions): Promise<ModerationVerdict>;
}

/** The moderation endpoint could not answer (down, slow, refused): the turn goes on unscreened. */
export class ScreeningError extends Error {
  constructor(
    /** `timeout`, `connection`, `upstream_error`, `rate_limited`, `auth`, `bad_request` or `bad_answer`. */
    readonly kind: string,
    options?: { readonly cause?: unknown },
  ) {
    super(`Moderation failed (${kind})`, options);
    this.name = 'ScreeningError';
  }
}

// ---------------------------------------------------------------------------------------
// RunPollerStarter
// ---------------------------------------------------------------------------------------

/** Starts the long-run poller (Step Functions in AWS, the same definition run locally). */
export interface RunPollerStarter {
  start(input: { readonly run_id: string; readonly response_id: string }): Promise<void>;
}

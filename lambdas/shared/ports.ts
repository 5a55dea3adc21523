/**
 * The two narrow ports the chat service depends on. `ChatStore` is the whole database
 * surface (one Postgres function per method, see docs/data-model.md); `CoachModel` is the
 * OpenAI Responses + Conversations API (or a fake of it in tests). Shapes are snake_case
 * because they are the JSON the Postgres functions take and return, unchanged.
 */
import type {
  ChatReply,
  CoachContextData,
  CoachProfileId,
  FeedbackReply,
  RunState,
  UserAssistantThread,
  Variant,
} from './api-schemas';

// ---------------------------------------------------------------------------------------
// ChatStore
// ---------------------------------------------------------------------------------------

/** Per-user AI settings (table `user_ai_settings`); null means "follow the global flag". */
export interface UserAiSettings {
  readonly openai_enabled: boolean | null;
  readonly fallback_enabled: boolean | null;
  readonly daily_token_limit: number | null;
  readonly daily_cost_limit_usd: number | null;
  readonly cohort: string | null;
}

export interface UsageToday {
  readonly tokens: number;
  readonly cost_usd: number;
  readonly messages: number;
}

/** The thread row for (user, assistant type), as `coach_prepare_turn` sees it. */
export interface ThreadRef {
  readonly id: string;
  /** `conv_…` once an OpenAI conversation exists; a legacy locally generated id before. */
  readonly thread_id: string;
  readonly openai_assistant_id: string | null;
}

export interface PrepareTurnInput {
  readonly user_id: string;
  readonly assistant_type: CoachProfileId;
  readonly chat_type: string;
  readonly goal_id: string | null;
  /** The thread id the app sent, if any: must be the user's (current or a merged legacy id). */
  readonly thread_id: string | null;
  /** The idempotency key; the service generates a UUID when the client sent none. */
  readonly client_message_id: string;
  /** An in-flight claim older than this is considered abandoned and may be re-claimed. */
  readonly claim_ttl_seconds: number;
  /** How many recent user messages the context may quote. */
  readonly recent_limit: number;
}

/**
 * The answer of the "prepare" round trip. Exactly one of:
 * - `replay`: the key was already answered; return this reply, call nothing.
 * - `in_flight`: the key is being answered right now (409), or is a pending long run.
 * - `claimed`: a new turn; `run_id` is its `chat_runs` row (status `in_flight`).
 * Refusals (foreign/unknown thread or goal) are thrown by the adapter as `AppError`s.
 */
export type PreparedTurn =
  | { readonly kind: 'replay'; readonly reply: ChatReply }
  | { readonly kind: 'in_flight'; readonly run_id: string; readonly status: 'in_flight' | 'pending' }
  | {
      readonly kind: 'claimed';
      readonly run_id: string;
      readonly thread: ThreadRef | null;
      readonly context: CoachContextData;
      readonly settings: UserAiSettings;
      readonly usage_today: UsageToday;
    };

/** Token usage by kind, as OpenAI's `ResponseUsage` reports it (zeros for the simulated coach). */
export interface TokenUsage {
  readonly input_tokens: number;
  readonly cached_tokens: number;
  readonly cache_write_tokens: number;
  readonly output_tokens: number;
  readonly reasoning_tokens: number;
  readonly total_tokens: number;
}

/** Fields common to writing the user row and the thread, for both the 200 and 202 paths. */
export interface TurnIdentity {
  readonly run_id: string;
  readonly user_id: string;
  readonly assistant_type: CoachProfileId;
  /** `profile@version`, stored in `user_assistant_threads.openai_assistant_id`. */
  readonly profile_ref: string;
  /** The conversation id (`conv_…`) or, for the simulated coach on a new thread, a local id. */
  readonly thread_id: string;
  readonly chat_type: string;
  readonly goal_id: string | null;
  readonly journal_entry_id: string | null;
  readonly client_message_id: string;
  /** The user's message text (stored in journal_ai_chats.message). */
  readonly message: string;
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
 * `coach_record_exchange`: atomically the user row (unless the run already has one),
 * the AI row, the usage log (OpenAI variant), thread counters and `last_interaction_at`,
 * and the run marked completed. Exactly once per run: a second call returns the first reply.
 */
export interface RecordExchangeInput extends TurnIdentity {
  readonly answer: AiAnswer;
}

/** `coach_begin_pending_run`: the user row, the thread, and the run set `pending` with the response id. */
export interface BeginPendingRunInput extends TurnIdentity {
  readonly openai_response_id: string;
}

export interface PendingRunRecorded {
  readonly run_id: string;
  readonly user_message_id: string;
  readonly thread_id: string;
}

/** `coach_fail_run`: mark a run failed; store the fallback answer if given (at most once). */
export interface FailRunInput {
  readonly run_id: string;
  readonly status: 'failed' | 'cancelled' | 'incomplete' | 'timed_out';
  readonly failure_code: string;
  readonly fallback: AiAnswer | null;
}

/** What the poller needs to finish a pending run without the original request. */
export interface PendingRunDetails extends TurnIdentity {
  readonly status:
    'in_flight' | 'pending' | 'completed' | 'failed' | 'cancelled' | 'incomplete' | 'timed_out';
  readonly openai_response_id: string | null;
  readonly user_message_id: string | null;
  readonly created_at: string;
  readonly context: CoachContextData;
  readonly settings: UserAiSettings;
}

export interface ChatStore {
  prepareTurn(input: PrepareTurnInput): Promise<PreparedTurn>;
  recordExchange(input: RecordExchangeInput): Promise<ChatReply>;
  /** Sync path gave up without storing anything (e.g. 503): drop the claim so a retry may proceed. */
  releaseTurn(input: { readonly run_id: string; readonly user_id: string }): Promise<void>;
  beginPendingRun(input: BeginPendingRunInput): Promise<PendingRunRecorded>;
  /** For the poller: the run and everything needed to record its answer. Null if unknown. */
  getPendingRun(input: { readonly run_id: string }): Promise<PendingRunDetails | null>;
  failRun(input: FailRunInput): Promise<RunState>;
  /** The run as its owner sees it; null if unknown or not the user's. */
  getRun(input: { readonly run_id: string; readonly user_id: string }): Promise<RunState | null>;

  /** The user's thread for this assistant type, or null. */
  getThread(input: {
    readonly user_id: string;
    readonly assistant_type: CoachProfileId;
  }): Promise<UserAssistantThread | null>;
  /**
   * Set the thread's conversation id (creating the row if needed); a previous non-`conv_`
   * id is kept in `legacy_thread_ids`.
   */
  saveThreadConversation(input: {
    readonly user_id: string;
    readonly assistant_type: CoachProfileId;
    readonly thread_id: string;
    readonly profile_ref: string;
  }): Promise<UserAssistantThread>;
  /** `last_interaction_at = now()`; refuses (404) a thread that is not the user's. */
  touchThread(input: { readonly user_id: string; readonly thread_id: string }): Promise<UserAssistantThread>;
  listThreads(input: { readonly user_id: string }): Promise<UserAssistantThread[]>;

  getContextData(input: {
    readonly user_id: string;
    readonly goal_id: string | null;
    readonly recent_limit: number;
  }): Promise<CoachContextData>;

  recordFeedback(input: {
    readonly user_id: string;
    readonly message_id: string;
    readonly rating: 'up' | 'down';
    readonly comment: string | null;
  }): Promise<FeedbackReply>;
}

// ---------------------------------------------------------------------------------------
// CoachModel
// ---------------------------------------------------------------------------------------

export interface CallOptions {
  /** The handler's abort signal (fires before the Lambda timeout). */
  readonly signal?: AbortSignal;
}

export interface CoachTurnRequest {
  readonly model: string;
  /** Profile instructions first (static, cacheable), the user context last. */
  readonly instructions: string;
  readonly input: string;
  readonly conversation_id: string;
  readonly max_output_tokens: number;
  readonly reasoning_effort: 'none' | 'minimal' | 'low' | 'medium' | 'high' | null;
  readonly temperature: number | null;
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
  respond(request: CoachTurnRequest, options: CallOptions & { readonly wait_ms: number }): Promise<CoachPoll>;
  retrieve(responseId: string, options?: CallOptions): Promise<CoachPoll>;
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

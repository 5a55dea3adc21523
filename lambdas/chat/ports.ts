/**
 * The chat turn's database port: the "prepare" round trip (refusals, the idempotency key, one
 * turn per thread, every limit, and the claim that stores the turn once), the "record" round
 * trip (shared with the poller), the 202 hand-over, saving a new conversation, and the release
 * of a claim nobody will answer. Bound to the store's functions in `store.ts`.
 */
import type { RolloutReason } from '../shared/flags';
import type { ChatReply, CoachContextData, CoachProfileId, Variant } from '../shared/contract/schemas';
import type { ExchangeRecorder, ThreadConversationSaver, UserAiSettings } from '../shared/ports';
import type { StoreCallOptions } from '../shared/store/transport';

export interface UsageToday {
  /** Today's (UTC) recorded OpenAI usage of the user, reservations not included. */
  readonly tokens: number;
  readonly cost_usd: number;
  /** The user's turns claimed today before this one. */
  readonly messages: number;
}

/** The thread row for (user, assistant type), as the app's `user_assistant_threads` has it. */
export interface ThreadRef {
  readonly id: string;
  /** What the row says: the app may have written it, so it is never sent to OpenAI. */
  readonly thread_id: string;
  readonly openai_assistant_id: string | null;
}

/** Why a turn gets the variant it gets: the rollout rule, or what overruled it. */
export type TurnRolloutReason = RolloutReason | 'not_configured' | 'global_budget';

/** The variant the rollout gives a turn, and the cohort stored with its AI row. */
export interface TurnRollout {
  readonly variant: Variant;
  readonly reason: TurnRolloutReason;
  /** The user's salted bucket (`'0'`–`'99'`), or `'override'` when the user's own setting decided. */
  readonly cohort: string;
}

/**
 * The rollout for each value the user's own setting (`user_ai_settings.openai_enabled`) may
 * have: the chat decides all three with `decideRollout`, the claim picks the one that applies,
 * so the precedence lives in one place and the decision costs no extra round trip.
 */
export interface RolloutChoices {
  readonly unset: TurnRollout;
  readonly enabled: TurnRollout;
  readonly disabled: TurnRollout;
}

/** The limits in force for this user (their `user_ai_settings` budgets still override the daily tokens and cost). */
export interface TurnLimits {
  readonly per_minute: number;
  readonly daily_messages: number;
  readonly daily_tokens: number;
  readonly daily_cost_usd: number;
  /** Everyone's OpenAI cost per UTC day; over it every turn is simulated. */
  readonly global_daily_cost_usd: number;
}

/**
 * The worst case of an OpenAI turn, but for the conversation's history, which the claim adds
 * (the input and output tokens of the conversation's latest response): what it reserves.
 */
export interface TurnReservationBasis {
  /** An upper estimate of the instructions, the largest context and the message. */
  readonly input_tokens: number;
  /** The profile's `max_output_tokens` (reasoning included). */
  readonly output_tokens: number;
  /** The dearest input rate of the model (a cache write), USD per 1M tokens. */
  readonly input_usd_per_mtok: number;
  readonly output_usd_per_mtok: number;
  readonly long_context: {
    readonly above_input_tokens: number;
    readonly input_multiplier: number;
    readonly output_multiplier: number;
  };
}

export interface PrepareTurnInput {
  readonly user_id: string;
  readonly assistant_type: CoachProfileId;
  /** `profile@version`. */
  readonly profile_ref: string;
  readonly chat_type: string;
  readonly goal_id: string | null;
  readonly journal_entry_id: string | null;
  /** The thread id the app sent, if any: must be the user's (current or a merged legacy id). */
  readonly thread_id: string | null;
  /** The idempotency key; the service generates a UUID when the client sent none. */
  readonly client_message_id: string;
  /** The user's message, stored as their row by the claim. */
  readonly message: string;
  /** How many recent user messages the context may quote. */
  readonly recent_limit: number;
  readonly rollout: RolloutChoices;
  readonly limits: TurnLimits;
  readonly reserve: TurnReservationBasis;
  /** The locale the turn's crisis services are chosen by, kept with the run (null: none known). */
  readonly locale?: string | null;
  /**
   * The AI disclosure, when it is enabled: the claim gives it to this turn's reply if the thread
   * has none yet, or none since `interval_seconds` before `at` (the chat's clock).
   */
  readonly disclosure?: {
    readonly text: string;
    /** ISO-8601: now, by the chat's clock. */
    readonly at: string;
    readonly interval_seconds: number;
    /** Prefix it to the stored `response` too (`disclosure_in_response`). */
    readonly in_response: boolean;
  } | null;
}

/** The per-user limit a turn ran into. */
export type TurnLimit = 'per_minute' | 'daily_messages' | 'daily_tokens' | 'daily_cost';

/** A claimed turn: stored, reserved, and everything answering it needs. */
export interface ClaimedTurn {
  readonly kind: 'claimed';
  readonly run_id: string;
  /** The user's row, stored by the claim. */
  readonly user_message_id: string;
  readonly variant: Variant;
  readonly rollout_reason: TurnRolloutReason;
  /** The global daily budget is spent: this turn is simulated although the rollout chose OpenAI. */
  readonly global_budget_exceeded: boolean;
  /**
   * The claim was abandoned in flight and is answered again: its create may have been
   * accepted unseen, so the conversation is searched before creating.
   */
  readonly recover_first: boolean;
  /** The thread's conversation as the backend keeps it (`coach_conversations`), or null. */
  readonly conversation_id: string | null;
  readonly thread: ThreadRef | null;
  readonly context: CoachContextData;
  readonly settings: UserAiSettings;
  readonly usage_today: UsageToday;
  /** What the claim reserved against the daily limits (zero for a simulated turn). */
  readonly reservation: { readonly tokens: number; readonly cost_usd: number };
  /** The AI disclosure this turn's reply carries (stored with the run), or null. */
  readonly disclosure: string | null;
}

/**
 * The answer of the "prepare" round trip. Exactly one of:
 * - `replay`: the key was already answered; return this reply, call nothing.
 * - `in_flight`: the key is being answered right now (409), or is a pending long run.
 * - `thread_busy`: another message is being answered on this thread (409); nothing written.
 * - `limited`: a per-user limit is reached (429); nothing written.
 * - `claimed`: a new turn (or an abandoned one answered again), stored and reserved.
 * Refusals (foreign/unknown thread or goal, 410 `answer_deleted`) are thrown by the adapter as
 * `AppError`s.
 */
export type PreparedTurn =
  | { readonly kind: 'replay'; readonly reply: ChatReply }
  | { readonly kind: 'in_flight'; readonly run_id: string; readonly status: 'in_flight' | 'pending' }
  | { readonly kind: 'thread_busy'; readonly run_id: string; readonly retry_after_seconds: number }
  | { readonly kind: 'limited'; readonly limit: TurnLimit; readonly retry_after_seconds: number }
  | ClaimedTurn;

/** `coach_begin_pending_run`: only what is new, the thread and the response id. */
export interface BeginPendingRunInput {
  readonly run_id: string;
  readonly user_id: string;
  readonly thread_id: string;
  readonly openai_response_id: string;
}

export interface PendingRunRecorded {
  readonly run_id: string;
  /** Null only if the user deleted their row in the meantime. */
  readonly user_message_id: string | null;
  readonly thread_id: string;
}

export interface TurnStore extends ExchangeRecorder, ThreadConversationSaver {
  prepareTurn(input: PrepareTurnInput, options?: StoreCallOptions): Promise<PreparedTurn>;
  /** The sync path gave up with nothing answered (e.g. 503): drop the claim and the user's row so a retry may proceed. */
  releaseTurn(
    input: { readonly run_id: string; readonly user_id: string },
    options?: StoreCallOptions,
  ): Promise<void>;
  beginPendingRun(input: BeginPendingRunInput, options?: StoreCallOptions): Promise<PendingRunRecorded>;
}

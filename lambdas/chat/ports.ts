/**
 * The chat turn's database port: the "prepare" round trip (refusals, the idempotency claim and
 * everything the turn needs), the "record" round trip (shared with the poller), the 202
 * hand-over and the release of a claim nobody will answer. Bound to the store's functions in
 * `store.ts`.
 */
import type { ChatReply, CoachContextData, CoachProfileId } from '../shared/contract/schemas';
import type { ExchangeRecorder, TurnIdentity, UserAiSettings } from '../shared/ports';
import type { StoreCallOptions } from '../shared/store/transport';

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

/** `coach_begin_pending_run`: the user row, the thread, and the run set `pending` with the response id. */
export interface BeginPendingRunInput extends TurnIdentity {
  readonly openai_response_id: string;
}

export interface PendingRunRecorded {
  readonly run_id: string;
  readonly user_message_id: string;
  readonly thread_id: string;
}

export interface TurnStore extends ExchangeRecorder {
  prepareTurn(input: PrepareTurnInput, options?: StoreCallOptions): Promise<PreparedTurn>;
  /** The sync path gave up without storing anything (e.g. 503): drop the claim so a retry may proceed. */
  releaseTurn(
    input: { readonly run_id: string; readonly user_id: string },
    options?: StoreCallOptions,
  ): Promise<void>;
  beginPendingRun(input: BeginPendingRunInput, options?: StoreCallOptions): Promise<PendingRunRecorded>;
}

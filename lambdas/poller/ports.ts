/**
 * The poller's database port: the pending run (its state, its response, and what its simulated
 * fallback needs), and the recording functions it shares with chat. Recording takes only the
 * run and its user: the claim stored the rest. Bound to the store's functions in `store.ts`.
 */
import type { CoachContextData } from '../shared/contract/schemas';
import type { ExchangeRecorder, UserAiSettings } from '../shared/ports';
import type { StoreCallOptions } from '../shared/store/transport';

/** A pending run as the poller needs it. */
export interface PendingRunDetails {
  readonly run_id: string;
  readonly user_id: string;
  readonly status:
    'in_flight' | 'pending' | 'completed' | 'failed' | 'cancelled' | 'incomplete' | 'timed_out';
  readonly openai_response_id: string | null;
  readonly created_at: string;
  /** For the simulated fallback: the user's message, its chat type, the seed and the context. */
  readonly chat_type: string;
  /** The locale the turn's crisis services are chosen by (a reply the screening replaces). */
  readonly locale: string | null;
  readonly client_message_id: string;
  readonly message: string;
  readonly context: CoachContextData;
  readonly settings: UserAiSettings;
}

export interface PollStore extends ExchangeRecorder {
  /** The run and what finishing it needs. Null if unknown. */
  getPendingRun(
    input: { readonly run_id: string },
    options?: StoreCallOptions,
  ): Promise<PendingRunDetails | null>;
}

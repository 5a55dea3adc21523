/**
 * The poller's database port: the pending run with what recording its answer needs, and the
 * recording functions it shares with chat. Bound to the store's functions in `store.ts`.
 */
import type { CoachContextData } from '../shared/contract/schemas';
import type { ExchangeRecorder, TurnIdentity, UserAiSettings } from '../shared/ports';
import type { StoreCallOptions } from '../shared/store/transport';

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

export interface PollStore extends ExchangeRecorder {
  /** The run and everything needed to record its answer. Null if unknown. */
  getPendingRun(
    input: { readonly run_id: string },
    options?: StoreCallOptions,
  ): Promise<PendingRunDetails | null>;
}

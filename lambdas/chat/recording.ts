/** How a chat turn ends in the store: recorded once, or released for a retry. */
import type { ChatReply } from '../shared/contract/schemas';
import type { AppError } from '../shared/errors';
import { StoreUnavailableError } from '../shared/errors';
import type { TurnObserver } from '../shared/observer';
import type { RecordExchangeInput } from '../shared/ports';
import type { TurnStore } from './ports';

export interface RecordingDeps {
  readonly store: TurnStore;
  readonly observer?: TurnObserver | undefined;
}

/**
 * Record with one retry on a database blip: the model's answer is already paid for. The sync
 * budget leaves time for both attempts (`RECORD_ATTEMPTS` in contract/timing.ts).
 */
export async function record(
  deps: RecordingDeps,
  input: RecordExchangeInput,
  fallbackReason?: string,
): Promise<ChatReply> {
  let reply: ChatReply;
  try {
    reply = await deps.store.recordExchange(input);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    reply = await deps.store.recordExchange(input);
  }
  deps.observer?.answered?.({
    variant: input.answer.variant,
    fallback: input.answer.fallback,
    fallbackReason,
    model: input.answer.model_used,
    latencyMs: input.answer.response_time_ms,
    usage: input.answer.usage,
    costUsd: input.answer.cost_estimate,
  });
  return reply;
}

/** Nothing will be answered for this turn: drop its claim and the user's row so a retry with the same key may proceed, then fail. */
export async function releaseAndThrow(
  deps: RecordingDeps,
  turn: { readonly run_id: string; readonly user_id: string },
  error: AppError,
): Promise<never> {
  await deps.store.releaseTurn({ run_id: turn.run_id, user_id: turn.user_id });
  throw error;
}

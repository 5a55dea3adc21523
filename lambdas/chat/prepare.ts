/**
 * The "prepare" round trip as the chat turn sees it: a claimed turn to answer, a stored reply
 * to replay, or the refusal that says why the message is not answered now (nothing stored).
 */
import type { ChatReply } from '../shared/contract/schemas';
import type { ErrorCode } from '../shared/contract/errors';
import { appError } from '../shared/errors';
import type { TurnObserver } from '../shared/observer';
import type { ClaimedTurn, PrepareTurnInput, TurnLimit, TurnStore } from './ports';

/** Seconds a 409 `request_in_flight` asks the app to wait before asking again with the same key. */
const IN_FLIGHT_RETRY_AFTER_SECONDS = 2;

/** The error each per-user limit answers with (429). */
const LIMIT_ERRORS: Readonly<Record<TurnLimit, ErrorCode>> = {
  per_minute: 'message_rate_limited',
  daily_messages: 'daily_message_limit',
  daily_tokens: 'budget_exceeded',
  daily_cost: 'budget_exceeded',
};

export type Prepared = { readonly kind: 'replay'; readonly reply: ChatReply } | ClaimedTurn;

/**
 * Prepares the turn: the claimed turn, or the stored reply of an answered key. Throws the
 * 409 (`request_in_flight`, `thread_busy`) and 429 refusals; the store throws the others
 * (foreign thread or goal, `answer_deleted`).
 */
export async function prepareTurn(
  deps: { readonly store: TurnStore; readonly observer?: TurnObserver | undefined },
  input: PrepareTurnInput,
  signal?: AbortSignal,
): Promise<Prepared> {
  const prepared = await deps.store.prepareTurn(input, { signal });
  switch (prepared.kind) {
    case 'replay':
    case 'claimed':
      return prepared;
    case 'in_flight':
      throw appError('request_in_flight', {
        retryAfterSeconds: IN_FLIGHT_RETRY_AFTER_SECONDS,
        details: { run_id: prepared.run_id },
      });
    case 'thread_busy':
      throw appError('thread_busy', {
        retryAfterSeconds: prepared.retry_after_seconds,
        details: { run_id: prepared.run_id },
      });
    case 'limited':
      deps.observer?.limited?.(prepared.limit);
      throw appError(LIMIT_ERRORS[prepared.limit], {
        retryAfterSeconds: prepared.retry_after_seconds,
        details: { limit: prepared.limit },
      });
  }
}

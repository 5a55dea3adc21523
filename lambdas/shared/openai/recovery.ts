/**
 * After a `responses.create` whose outcome is unknown (a connection error or timeout before
 * `response.created`, a gateway 502/504): did OpenAI accept it? The Conversations API does not
 * link items to responses, so our input text, as the conversation's newest user message, is
 * the evidence. Known limit: a user who repeats their previous message word for word while a
 * connection breaks gets that message's reply again (no second charge either way). If the
 * conversation cannot be read, nothing is created again.
 */
import type { ConversationItem } from 'openai/resources/conversations/items';
import { CoachModelError, type CoachPoll, type CoachTurnRequest, type TokenUsage } from '../ports';
import type { AdapterContext } from './context';
import { abortedError, classify, timed } from './errors';
import { isMessage, textOfItem } from './mapping';
import { sleep } from './retries';

/** How many of the conversation's newest items are read to find an accepted create. */
const ACCEPTED_TURN_LOOKBACK = 10;

/** Our input found in the conversation, and the items after it (newest first). */
export interface AcceptedTurn {
  readonly newer: readonly ConversationItem[];
  readonly history: readonly ConversationItem[];
}

/** Is our input the newest user message of the conversation? */
export async function findAcceptedTurn(
  ctx: AdapterContext,
  request: CoachTurnRequest,
  signal?: AbortSignal,
): Promise<AcceptedTurn | null> {
  let items: ConversationItem[];
  try {
    const page = await timed(ctx.timeoutMs, (timeout) =>
      ctx.client.conversations.items.list(
        request.conversation_id,
        { order: 'desc', limit: ACCEPTED_TURN_LOOKBACK },
        { signal, timeout },
      ),
    );
    items = page.data;
  } catch (error) {
    const failure = classify(error);
    throw new CoachModelError(
      failure.kind === 'bad_request' ? 'connection' : failure.kind,
      'A create failed ambiguously and the conversation could not be checked; not creating a second response.',
      { cause: error, ...(failure.status === undefined ? {} : { status: failure.status }) },
    );
  }
  const userIndex = items.findIndex((item) => isMessage(item, 'user'));
  const userItem = items[userIndex];
  if (!userItem || textOfItem(userItem) !== request.input) return null;
  return { newer: items.slice(0, userIndex), history: items.slice(userIndex) };
}

/** Waits (within the budget) for the reply to an accepted create to appear in the conversation. */
export async function awaitAcceptedTurn(
  ctx: AdapterContext,
  request: CoachTurnRequest,
  found: AcceptedTurn | null,
  deadline: number,
  signal?: AbortSignal,
): Promise<CoachPoll> {
  let turn = found;
  for (let poll = 0; ; poll++) {
    // Newest first: the assistant message closest to our input is the last one of `newer`.
    const reply = turn?.newer.filter((item) => isMessage(item, 'assistant')).at(-1);
    if (turn && reply && reply.type === 'message') {
      if (reply.status === 'completed') {
        return {
          status: 'completed',
          // No response id is recoverable from the conversation; the reply item's id keeps it traceable.
          response_id: reply.id,
          text: textOfItem(reply),
          model: request.model,
          usage: estimatedUsage(request.instructions, turn.history, textOfItem(reply)),
        };
      }
      if (reply.status === 'incomplete')
        return { status: 'incomplete', response_id: reply.id, code: 'incomplete' };
    }
    const wait = Math.min(1000, ctx.retry.retryDelayMs * 2 ** poll);
    if (Date.now() + wait >= deadline) {
      throw new CoachModelError(
        'timeout',
        'OpenAI accepted the response but the connection broke before its id arrived; it was not created twice, and its reply did not arrive in time.',
      );
    }
    await sleep(wait, signal, () => abortedError(signal));
    turn = (await findAcceptedTurn(ctx, request, signal)) ?? turn;
  }
}

/**
 * Usage of a reply recovered from the conversation, whose response (and so its `usage`) is
 * unknown: about 4 characters per token over the instructions, the recent history and the reply.
 * An estimate, so the daily budget still counts the turn.
 */
function estimatedUsage(
  instructions: string,
  history: readonly ConversationItem[],
  reply: string,
): TokenUsage {
  const tokens = (chars: number) => Math.ceil(chars / 4);
  const input = tokens(instructions.length + history.reduce((sum, item) => sum + textOfItem(item).length, 0));
  const output = tokens(reply.length);
  return {
    input_tokens: input,
    cached_tokens: 0,
    cache_write_tokens: 0,
    output_tokens: output,
    reasoning_tokens: 0,
    total_tokens: input + output,
  };
}

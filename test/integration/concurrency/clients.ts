/**
 * Clients that send like the app does when several messages meet: the same message again (same
 * key) after a 409 `thread_busy`, until it is answered or refused for another reason. The tests
 * wait less than `Retry-After` asks: their outcome, not their pace, is what they check.
 */
import type { ProxyHandler, Reply } from '../../support/api';
import { invoke } from '../../support/api';

export const CHAT = '/functions/v1/openai-chat-completion';

const BUSY_RETRY_MS = 20;
const MAX_SENDS = 1_000;

export async function sendUntilNotBusy(
  chat: ProxyHandler,
  userId: string,
  body: Record<string, unknown>,
): Promise<Reply & { readonly busy: number }> {
  for (let busy = 0; ; busy += 1) {
    const reply = await invoke(chat, { resource: CHAT, userId, body });
    if (reply.status !== 409 || reply.body.code !== 'thread_busy' || busy >= MAX_SENDS)
      return { ...reply, busy };
    await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_MS));
  }
}

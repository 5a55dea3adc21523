/**
 * POST /functions/v1/openai-chat-completion: send a message, get the coach's reply
 * (200), or a run to poll when the reply takes longer than the sync budget (202).
 */
import { ChatRequest } from '../shared/api-schemas';
import { httpRoute } from '../shared/middleware';
import { defaultRuntime, type Runtime } from '../shared/runtime';
import { sendChatMessage } from './service';

export function createChatHandler(getRuntime: () => Promise<Runtime>) {
  return httpRoute({ name: 'chat', body: ChatRequest }, async (req) => {
    const runtime = await getRuntime();
    const outcome = await sendChatMessage(runtime.chat, {
      userId: req.userId,
      request: req.body,
      idempotencyKey: req.headers['idempotency-key'],
      signal: req.signal,
    });
    return { statusCode: outcome.status, body: outcome.body };
  });
}

export const handler = createChatHandler(defaultRuntime);

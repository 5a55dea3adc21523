/**
 * The database round trips of a chat message, counted at the store port: two per message
 * (prepare, record), one more on a thread's first OpenAI message (its new conversation is
 * saved before anything is sent on it), one for a replay or a refusal.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createChatHandler } from '../../../lambdas/chat/handler';
import type { CoachStore } from '../../../local/runtime';
import { invoke } from '../../support/api';
import { buildTestRuntime, type TestRuntime } from '../../support/chat-runtime';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';
import { insertUser } from '../../support/users';

let db: TestDatabase;
let fake: OpenAIFake;
let app: TestRuntime;

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startOpenAIFake();
  app = await buildTestRuntime({ databaseUrl: db.url, openai: fake });
});
afterAll(async () => {
  await app?.close();
  await fake?.close();
  await db?.drop();
});

/** The store with every call recorded by method name. */
function counting(store: CoachStore): { readonly store: CoachStore; take(): string[] } {
  let calls: string[] = [];
  const wrapped = Object.fromEntries(
    Object.entries(store).map(([name, fn]) => [
      name,
      (...args: unknown[]) => {
        calls.push(name);
        return (fn as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as unknown as CoachStore;
  return {
    store: wrapped,
    take() {
      const taken = calls;
      calls = [];
      return taken;
    },
  };
}

describe('database round trips per message', () => {
  it('are prepare and record, plus saving the conversation on a thread’s first message; a replay is one', async () => {
    const counted = counting(app.runtime.store);
    const chat = createChatHandler(async () => ({ ...app.runtime, store: counted.store }));
    const user = await insertUser(db.pool);
    const send = (message: string, key = randomUUID()) =>
      invoke(chat, {
        resource: '/functions/v1/openai-chat-completion',
        userId: user.id,
        body: { message, client_message_id: key },
      });

    const key = randomUUID();
    await send('The first message of the thread', key);
    const first = counted.take();
    await send('The second message');
    const second = counted.take();
    await send('The first message of the thread', key);
    const replay = counted.take();

    console.log(
      `round trips: first message ${first.length} (${first.join(', ')}), next ${second.length} (${second.join(', ')}), replay ${replay.length}`,
    );
    expect(first).toEqual(['prepareTurn', 'saveThreadConversation', 'recordExchange']);
    expect(second).toEqual(['prepareTurn', 'recordExchange']);
    expect(replay).toEqual(['prepareTurn']);
  });
});

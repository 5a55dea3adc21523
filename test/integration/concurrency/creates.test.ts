/**
 * Upstream creates under concurrency and faults (issue 11, findings 3, 6 and 7): one turn at a
 * time per thread makes the newest user message of a conversation the turn's own, so the
 * recovery after an ambiguous create finds its own input and never creates twice; two first
 * messages end on one conversation whose id both replies can use; and a claim whose invocation
 * died after its create was accepted is answered again from the conversation, not created again.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createChatHandler } from '../../../lambdas/chat/handler';
import { createThreadsHandler } from '../../../lambdas/threads/handler';
import { invoke, type ProxyHandler } from '../../support/api';
import { buildTestRuntime, type TestRuntime } from '../../support/chat-runtime';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';
import { countRows, insertUser } from '../../support/users';
import { CHAT, sendUntilNotBusy } from './clients';

const THREADS = '/functions/v1/thread-manager';

let db: TestDatabase;
let fake: OpenAIFake;
let app: TestRuntime;
let chat: ProxyHandler;
let threads: ProxyHandler;

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startOpenAIFake();
  app = await buildTestRuntime({ databaseUrl: db.url, openai: fake });
  chat = createChatHandler(app.getRuntime);
  threads = createThreadsHandler(app.getRuntime);
});
afterAll(async () => {
  await app?.close();
  await fake?.close();
  await db?.drop();
});
beforeEach(() => fake.reset());

/** How many upstream responses each input text made. */
function responsesPerInput(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const response of fake.responses.values()) {
    const input = String((response.request as { input?: unknown }).input);
    counts.set(input, (counts.get(input) ?? 0) + 1);
  }
  return counts;
}

describe('parallel turns whose creates are accepted, then their connections reset', () => {
  it('make exactly one upstream response per message, each answered by OpenAI', async () => {
    const user = await insertUser(db.pool);
    const messages = Array.from({ length: 10 }, (_, i) => `Parallel worry number ${i}`);
    fake.script(...messages.map(() => ({ kind: 'reset_after_accept' as const })));

    const replies = await Promise.all(
      messages.map((message) =>
        sendUntilNotBusy(chat, user.id, { message, client_message_id: randomUUID() }),
      ),
    );

    const perInput = responsesPerInput();
    console.log(
      `accepted-then-reset: ${messages.length} parallel messages on one thread, ` +
        `${fake.count('responses.create')} creates, ${fake.responses.size} upstream responses, ` +
        `${[...perInput.values()].filter((n) => n > 1).length} messages with a second response`,
    );
    expect(replies.map((r) => r.status)).toEqual(messages.map(() => 200));
    expect(replies.every((r) => r.body.variant === 'openai' && r.body.fallback === false)).toBe(true);
    expect(Object.fromEntries(perInput)).toEqual(Object.fromEntries(messages.map((m) => [m, 1])));
    expect(new Set(replies.map((r) => r.body.thread_id)).size).toBe(1);
    expect(await countRows(db.pool, 'public.openai_usage_logs', user.id)).toBe(messages.length);
  });
});

describe('two first messages at once', () => {
  it('end on one conversation, and both replies’ thread ids can be used', async () => {
    const user = await insertUser(db.pool);
    fake.setTiming({ firstTokenMs: 20, latencyMs: 300 });

    const replies = await Promise.all(
      ['First hello', 'Second hello'].map((message) =>
        sendUntilNotBusy(chat, user.id, { message, client_message_id: randomUUID() }),
      ),
    );

    expect(replies.map((r) => r.status)).toEqual([200, 200]);
    expect(fake.count('conversations.create')).toBe(1);
    const [first, second] = replies.map((r) => String(r.body.thread_id));
    expect(first).toBe(second);
    for (const threadId of [first, second]) {
      const next = await invoke(chat, {
        resource: CHAT,
        userId: user.id,
        body: { message: 'Still there?', thread_id: threadId },
      });
      const touched = await invoke(threads, {
        resource: THREADS,
        userId: user.id,
        body: { action: 'update_interaction', thread_id: threadId },
      });
      expect(next.status).toBe(200);
      expect(next.body.thread_id).toBe(threadId);
      expect(touched.status).toBe(200);
    }
  });

  it('and a thread-manager get_or_create racing the first message also end on one thread id', async () => {
    const user = await insertUser(db.pool);
    fake.setTiming({ firstTokenMs: 20, latencyMs: 300 });

    const [reply, thread] = await Promise.all([
      sendUntilNotBusy(chat, user.id, { message: 'Hello there', client_message_id: randomUUID() }),
      invoke(threads, {
        resource: THREADS,
        userId: user.id,
        body: { action: 'get_or_create', assistant_type: 'general_coach' },
      }),
    ]);
    const later = await invoke(threads, {
      resource: THREADS,
      userId: user.id,
      body: { action: 'get_or_create', assistant_type: 'general_coach' },
    });

    expect(reply.status).toBe(200);
    expect(thread.status).toBe(200);
    expect(later.body.thread_id).toBe(reply.body.thread_id);
    // Either the thread-manager's answer is the conversation in force, or it names one kept resolvable.
    const touched = await invoke(threads, {
      resource: THREADS,
      userId: user.id,
      body: { action: 'update_interaction', thread_id: thread.body.thread_id },
    });
    expect(touched.status).toBe(200);
    expect(touched.body.thread_id).toBe(reply.body.thread_id);
  });
});

describe('an accepted create, then the invocation dies before recording (the double fault)', () => {
  it('is answered from the conversation when the message is sent again after the claim expired: no second create', async () => {
    const user = await insertUser(db.pool);
    const key = randomUUID();
    const message = 'Please do not charge me twice';
    const died = createChatHandler(async () => ({
      ...app.runtime,
      store: {
        ...app.runtime.store,
        recordExchange: async () => {
          throw new Error('the chat function died before recording');
        },
      },
    }));

    const first = await invoke(died, {
      resource: CHAT,
      userId: user.id,
      body: { message, client_message_id: key },
    });
    const tooSoon = await invoke(chat, {
      resource: CHAT,
      userId: user.id,
      body: { message, client_message_id: key },
    });
    await db.pool.query(
      `update public.chat_runs set claimed_at = now() - interval '2 minutes' where user_id = $1 and client_message_id = $2`,
      [user.id, key],
    );
    const again = await invoke(chat, {
      resource: CHAT,
      userId: user.id,
      body: { message, client_message_id: key },
    });

    expect(first.status).toBe(500);
    expect(tooSoon.status).toBe(409);
    expect(tooSoon.body).toMatchObject({ code: 'request_in_flight' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ variant: 'openai', fallback: false });
    expect(fake.count('responses.create')).toBe(1);
    const [accepted] = [...fake.responses.values()];
    const acceptedText = (accepted?.response.output as Array<{ content?: Array<{ text?: string }> }>)
      .flatMap((item) => item.content ?? [])
      .map((part) => part.text ?? '')
      .join('');
    expect(again.body.response).toBe(acceptedText);
    expect(await countRows(db.pool, 'public.openai_usage_logs', user.id)).toBe(1);
    expect(await countRows(db.pool, 'public.journal_ai_chats', user.id)).toBe(2);
  });
});

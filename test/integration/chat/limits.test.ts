/**
 * The limits of a chat turn through the real handler: each per-user limit answers 429 with
 * `Retry-After`, `retry_after_seconds` and a message the app can show, and stores nothing; the
 * global daily budget gives everyone the simulated coach and is counted; anonymous sign-ins are
 * refused by default and held to their own limits when allowed; a second message on a busy
 * thread is 409. The flags come from the environment, as their defaults do in AWS.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createChatHandler } from '../../../lambdas/chat/handler';
import { ERROR_CODES } from '../../../lambdas/shared/contract/errors';
import { invoke, type ProxyHandler } from '../../support/api';
import { buildTestRuntime, type TestRuntime } from '../../support/chat-runtime';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';
import { countRows, insertUser } from '../../support/users';

const RESOURCE = '/functions/v1/openai-chat-completion';

let db: TestDatabase;
let fake: OpenAIFake;
const runtimes: TestRuntime[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startOpenAIFake();
});
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.close()));
  await fake?.close();
  await db?.drop();
});
beforeEach(() => fake.reset());

async function chatWith(env: Record<string, string>, observer?: object): Promise<ProxyHandler> {
  const app = await buildTestRuntime({ databaseUrl: db.url, openai: fake, env });
  runtimes.push(app);
  const runtime = observer
    ? { ...app.runtime, observer: { ...app.runtime.observer, ...observer } }
    : app.runtime;
  return createChatHandler(async () => runtime);
}

const send = (chat: ProxyHandler, userId: string, body: Record<string, unknown>, anonymous = false) =>
  invoke(chat, { resource: RESOURCE, userId, anonymous, body: { client_message_id: randomUUID(), ...body } });

const creates = () => fake.requestsTo('POST', '/v1/responses');

async function rowsOf(userId: string) {
  return {
    runs: await countRows(db.pool, 'public.chat_runs', userId),
    chats: await countRows(db.pool, 'public.journal_ai_chats', userId),
    usage: await countRows(db.pool, 'public.openai_usage_logs', userId),
  };
}

describe('each per-user limit', () => {
  it.each([
    ['messages per minute', { RATE_LIMIT_PER_MINUTE: '2' }, 'message_rate_limited', 'per_minute', 60],
    [
      'messages per day',
      { DAILY_MESSAGE_LIMIT_PER_USER: '2' },
      'daily_message_limit',
      'daily_messages',
      86_400,
    ],
    ['tokens per day', { DAILY_TOKEN_LIMIT_PER_USER: '1' }, 'budget_exceeded', 'daily_tokens', 86_400],
    ['cost per day', { DAILY_COST_LIMIT_USD_PER_USER: '0.000001' }, 'budget_exceeded', 'daily_cost', 86_400],
  ] as const)(
    'answers 429 over the %s, with Retry-After and a message to show, and stores nothing',
    async (_name, env, code, limit, maxRetryAfter) => {
      const chat = await chatWith(env);
      const user = await insertUser(db.pool);
      const admitted = [];
      // The message limits admit 2; the token and cost limits admit the first (nothing spent yet).
      for (let i = 0; i < (limit === 'per_minute' || limit === 'daily_messages' ? 2 : 1); i += 1) {
        admitted.push(await send(chat, user.id, { message: `Message ${i}` }));
      }
      const before = await rowsOf(user.id);
      const createsBefore = creates().length;

      const refused = await send(chat, user.id, { message: 'One more' });

      expect(admitted.map((r) => r.status)).toEqual(admitted.map(() => 200));
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ code, limit, error: ERROR_CODES[code].message });
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(maxRetryAfter);
      expect(refused.body.retry_after_seconds).toBe(retryAfter);
      expect(await rowsOf(user.id)).toEqual(before);
      expect(creates()).toHaveLength(createsBefore);
    },
  );
});

describe('the global daily budget', () => {
  it('gives everyone the simulated coach once spent, calls nothing at OpenAI, and is counted', async () => {
    let exceeded = 0;
    const chat = await chatWith(
      { GLOBAL_DAILY_COST_BUDGET_USD: '0' },
      { globalBudgetExceeded: () => (exceeded += 1) },
    );
    const user = await insertUser(db.pool);

    const reply = await send(chat, user.id, { message: 'Anyone there?' });

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ variant: 'simulated', fallback: false });
    expect(exceeded).toBe(1);
    // Only the free moderation endpoint: the message is still screened.
    expect(fake.requests.map((r) => r.endpoint)).toEqual(['moderations.create']);
    const { rows } = await db.pool.query(
      `select variant, rollout_reason from public.journal_ai_chats where id = $1`,
      [reply.body.message_id],
    );
    expect(rows).toEqual([{ variant: 'simulated', rollout_reason: 'global_budget' }]);
  });
});

describe('anonymous sign-ins', () => {
  it('are refused with 403 anonymous_not_allowed by default, and nothing is stored or sent', async () => {
    const chat = await chatWith({});
    const user = await insertUser(db.pool);

    const reply = await send(chat, user.id, { message: 'hi' }, true);

    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ code: 'anonymous_not_allowed' });
    expect(await rowsOf(user.id)).toEqual({ runs: 0, chats: 0, usage: 0 });
    expect(fake.requests).toHaveLength(0);
  });

  it('get their own limits when allowed, while a signed-in user keeps the others', async () => {
    const chat = await chatWith({
      ANONYMOUS_ENABLED: 'true',
      ANONYMOUS_RATE_LIMIT_PER_MINUTE: '1',
      RATE_LIMIT_PER_MINUTE: '5',
    });
    const anonymous = await insertUser(db.pool);
    const signedIn = await insertUser(db.pool);

    const first = await send(chat, anonymous.id, { message: 'hi' }, true);
    const second = await send(chat, anonymous.id, { message: 'hi again' }, true);
    const others = [
      await send(chat, signedIn.id, { message: 'hi' }),
      await send(chat, signedIn.id, { message: 'hi again' }),
    ];

    expect(first.status).toBe(200);
    expect(second.status).toBe(429);
    expect(second.body).toMatchObject({ code: 'message_rate_limited' });
    expect(others.map((r) => r.status)).toEqual([200, 200]);
  });
});

describe('one message at a time per thread', () => {
  it('answers 409 thread_busy to a second message while the first is being answered, and stores nothing for it', async () => {
    const chat = await chatWith({});
    const user = await insertUser(db.pool);
    fake.script({ kind: 'ok', latencyMs: 2_000 });

    const first = send(chat, user.id, { message: 'The first one' });
    await waitFor(async () => (await countRows(db.pool, 'public.chat_runs', user.id)) === 1);
    const second = await send(chat, user.id, { message: 'The second one' });
    const firstReply = await first;

    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'thread_busy', run_id: expect.any(String) });
    expect(Number(second.headers['retry-after'])).toBeGreaterThan(0);
    expect(firstReply.status).toBe(200);
    expect(await rowsOf(user.id)).toMatchObject({ runs: 1, chats: 2 });
    expect(creates().map((r) => (r.body as { input: string }).input)).toEqual(['The first one']);
  });
});

async function waitFor(check: () => Promise<boolean>, attempts = 200): Promise<void> {
  for (let i = 0; i < attempts; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not reached');
}

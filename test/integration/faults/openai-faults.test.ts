/**
 * The fault suite, OpenAI's side: each fault the OpenAI fake can play (shaped as the real
 * service answers: error bodies, resets, broken and cut streams, late first bytes) sent
 * through the real chat handler, SQL store on PostgreSQL 17 and OpenAI adapter. Each ends in
 * a defined outcome (the model's reply, the stored fallback, or 503) with no half-written
 * exchange and no second charge: at most one response created at OpenAI per message, and one
 * usage row per run answered by the model.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createChatHandler } from '../../../lambdas/chat/handler';
import { invoke, type ProxyHandler } from '../../support/api';
import { buildTestRuntime, type TestRuntime } from '../../support/chat-runtime';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';
import { insertUser } from '../../support/users';
import { acceptedResponses, exchangeRows, expectConsistent } from './exchange';

const RESOURCE = '/functions/v1/openai-chat-completion';

let db: TestDatabase;
let fake: OpenAIFake;
const runtimes: TestRuntime[] = [];
/** Fallback on (the default), off, and a sync budget of 1 s (the shortest allowed). */
let chat: ProxyHandler;
let strictChat: ProxyHandler;
let shortChat: ProxyHandler;

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startOpenAIFake();
  const handler = async (env: Record<string, string>) => {
    const app = await buildTestRuntime({ databaseUrl: db.url, openai: fake, env });
    runtimes.push(app);
    return createChatHandler(app.getRuntime);
  };
  chat = await handler({});
  strictChat = await handler({ FALLBACK_ENABLED: 'false' });
  shortChat = await handler({ CHAT_SYNC_BUDGET_MS: '1000' });
});

afterAll(async () => {
  for (const app of runtimes) await app.close();
  await fake?.close();
  await db?.drop();
});

beforeEach(() => fake.reset());

async function send(handler: ProxyHandler, message = 'I skipped my walk again') {
  const user = await insertUser(db.pool);
  const reply = await invoke(handler, {
    resource: RESOURCE,
    userId: user.id,
    body: { message, chat_type: 'pillar_health' },
  });
  const rows = await exchangeRows(db.pool, user.id);
  expectConsistent(rows);
  return { reply, rows };
}

const creates = () => fake.count('responses.create');

describe('OpenAI refuses the create', () => {
  it.each([
    ['429 rate_limit_exceeded', { kind: 'error', status: 429, code: 'rate_limit_exceeded' }],
    ['500', { kind: 'error', status: 500 }],
    ['503', { kind: 'error', status: 503 }],
  ] as const)(
    'once (%s): retried, answered by the model, one response, one usage row',
    async (_name, fault) => {
      fake.script(fault);

      const { reply, rows } = await send(chat);

      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ variant: 'openai', fallback: false });
      expect(creates()).toBe(2);
      expect(acceptedResponses(fake)).toBe(1);
      expect(rows.usage).toHaveLength(1);
      expect(rows.runs.map((r) => r.status)).toEqual(['completed']);
    },
  );

  it.each([
    ['429 rate_limit_exceeded', { kind: 'error', status: 429, code: 'rate_limit_exceeded' }],
    ['500', { kind: 'error', status: 500 }],
    ['503', { kind: 'error', status: 503 }],
  ] as const)('every time (%s): the stored fallback, flagged, nothing charged', async (_name, fault) => {
    fake.script(fault, fault, fault);

    const { reply, rows } = await send(chat);

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ variant: 'simulated', fallback: true, cost_estimate: 0 });
    expect(creates()).toBe(3);
    expect(acceptedResponses(fake)).toBe(0);
    expect(rows.chats.map((c) => [c.message_type, c.fallback])).toEqual(
      expect.arrayContaining([
        ['user', false],
        ['ai', true],
      ]),
    );
    expect(rows.usage).toHaveLength(0);
  });

  it('every time, with the fallback off: 503 with Retry-After, and nothing kept', async () => {
    const fault = { kind: 'error', status: 503 } as const;
    fake.script(fault, fault, fault);

    const { reply, rows } = await send(strictChat);

    expect(reply.status).toBe(503);
    expect(reply.body.code).toBe('upstream_unavailable');
    expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
    expect(rows).toEqual({ chats: [], runs: [], usage: [] });
    expect(acceptedResponses(fake)).toBe(0);
  });

  it('with insufficient_quota: never retried, the stored fallback', async () => {
    fake.script({ kind: 'error', status: 429, code: 'insufficient_quota' });

    const { reply, rows } = await send(chat);

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ variant: 'simulated', fallback: true });
    expect(creates()).toBe(1);
    expect(rows.usage).toHaveLength(0);
  });

  it('with insufficient_quota and the fallback off: 503, never retried, nothing kept', async () => {
    fake.script({ kind: 'error', status: 429, code: 'insufficient_quota' });

    const { reply, rows } = await send(strictChat);

    expect(reply.status).toBe(503);
    expect(creates()).toBe(1);
    expect(rows).toEqual({ chats: [], runs: [], usage: [] });
  });
});

describe('the connection breaks', () => {
  it('before OpenAI accepted the create: created again, answered once', async () => {
    fake.script({ kind: 'reset_before_accept' });

    const { reply, rows } = await send(chat);

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ variant: 'openai', fallback: false });
    expect(creates()).toBe(2);
    expect(acceptedResponses(fake)).toBe(1);
    expect(rows.usage).toHaveLength(1);
  });

  it('after OpenAI accepted the create: its response is found and used, never a second one', async () => {
    fake.script({ kind: 'reset_after_accept' });

    const { reply, rows } = await send(chat);

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ variant: 'openai', fallback: false });
    expect(creates()).toBe(1);
    expect(acceptedResponses(fake)).toBe(1);
    // The conversation links no item to its response: the reply's item id is recorded instead
    // (lambdas/shared/openai/recovery.ts), with usage estimated from the texts.
    const [accepted] = [...fake.responses.values()];
    const replyItem = (accepted?.response.output as Array<{ id: string }> | undefined)?.at(-1)?.id;
    expect(rows.usage.map((u) => u.openai_response_id)).toEqual([replyItem]);
  });

  it('mid-stream: the stream is resumed, the reply recorded once, nothing created again', async () => {
    fake.script({ kind: 'break_stream', afterEvents: 4, text: 'Walk ten minutes after dinner tonight.' });

    const { reply, rows } = await send(chat);

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      variant: 'openai',
      response: 'Walk ten minutes after dinner tonight.',
    });
    expect(creates()).toBe(1);
    expect(fake.requestsTo('GET', /^\/v1\/responses\/resp_/).length).toBeGreaterThan(0);
    expect(rows.usage).toHaveLength(1);
  });
});

describe('OpenAI is slow or garbled', () => {
  it('a first byte later than the request timeout, nothing accepted: created again and answered once', async () => {
    // The test runtime's OpenAI timeout is 2 s; the create is held 3 s and then dropped.
    fake.script({ kind: 'slow_first_byte', delayMs: 3000 });

    const { reply, rows } = await send(chat);

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ variant: 'openai', fallback: false });
    expect(acceptedResponses(fake)).toBe(1);
    expect(rows.usage).toHaveLength(1);
  });

  it('a first byte later than the request timeout, already accepted: that response is used, none created again', async () => {
    fake.script({ kind: 'slow_first_byte', delayMs: 3000, accepted: true });

    const { reply, rows } = await send(chat);

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ variant: 'openai', fallback: false });
    expect(creates()).toBe(1);
    expect(acceptedResponses(fake)).toBe(1);
    expect(rows.usage).toHaveLength(1);
  });

  it('a first byte later than the whole sync budget: a defined answer by the budget, one response at most', async () => {
    fake.script({ kind: 'slow_first_byte', delayMs: 4000, accepted: true });

    const { reply, rows } = await send(shortChat);

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ variant: 'simulated', fallback: true });
    expect(creates()).toBe(1);
    expect(acceptedResponses(fake)).toBe(1);
    expect(rows.usage).toHaveLength(0);
  });

  it('a stream cut in the middle of an event: resumed from the last whole event, answered once', async () => {
    fake.script({ kind: 'malformed', afterEvents: 3, text: 'One small step tonight.' });
    // The openai SDK reports the cut event on console.error before throwing; the test needs no copy.
    const sdkLog = jest.spyOn(console, 'error').mockImplementation(() => undefined);

    const { reply, rows } = await send(chat).finally(() => sdkLog.mockRestore());

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ variant: 'openai', response: 'One small step tonight.' });
    expect(creates()).toBe(1);
    expect(rows.usage).toHaveLength(1);
  });

  it('a conversation create whose JSON body is cut halfway: created again (an empty conversation costs nothing), answered once', async () => {
    fake.scriptFaults('conversations.create', { kind: 'malformed' });

    const { reply, rows } = await send(chat);

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ variant: 'openai', fallback: false });
    expect(fake.count('conversations.create')).toBe(2);
    expect(acceptedResponses(fake)).toBe(1);
    expect(rows.usage).toHaveLength(1);
  });
});

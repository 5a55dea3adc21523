/**
 * The fault suite, the database's side and the poller's: the real store reaches the test
 * PostgreSQL through a TCP proxy that can refuse connections and reset them mid-request, and
 * the `RunPoller` definition (synthesized from lib/poller.ts) runs its task states on the
 * real poll handler. Each fault ends in a defined outcome (503, the reply, or the poller's
 * retry recording it) with no half-written exchange and no second charge.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createChatHandler } from '../../../lambdas/chat/handler';
import type { PollTask } from '../../../local/step-functions';
import { invoke, type ProxyHandler } from '../../support/api';
import { buildTestRuntime, type TestRuntime } from '../../support/chat-runtime';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';
import {
  recordingStepFunctionsStarter,
  startPollerMachine,
  type PollerMachine,
} from '../../support/state-machine';
import { insertUser } from '../../support/users';
import { acceptedResponses, exchangeRows, expectConsistent } from './exchange';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

const RESOURCE = '/functions/v1/openai-chat-completion';

let db: TestDatabase;
let fake: OpenAIFake;
let proxy: TcpProxy;
let app: TestRuntime;
let longApp: TestRuntime;
let chat: ProxyHandler;
let longChat: ProxyHandler;
let machine: PollerMachine;
const sfn = recordingStepFunctionsStarter();

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startOpenAIFake();
  proxy = await startTcpProxy(Number(new URL(db.url).port));
  const databaseUrl = proxy.through(db.url);
  app = await buildTestRuntime({ databaseUrl, openai: fake });
  longApp = await buildTestRuntime({
    databaseUrl,
    openai: fake,
    env: { CHAT_SYNC_BUDGET_MS: '1000' },
    poller: sfn.starter,
  });
  chat = createChatHandler(app.getRuntime);
  longChat = createChatHandler(longApp.getRuntime);
  machine = await startPollerMachine({ getRuntime: longApp.getRuntime });
});

afterAll(async () => {
  await app?.close();
  await longApp?.close();
  await proxy?.close();
  await fake?.close();
  await db?.drop();
});

beforeEach(async () => {
  fake.reset();
  await proxy.restore();
});

const message = (userId: string, clientMessageId = randomUUID(), handler = chat) =>
  invoke(handler, {
    resource: RESOURCE,
    userId,
    body: {
      message: 'I could not sleep again',
      chat_type: 'pillar_health',
      client_message_id: clientMessageId,
    },
  });

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error('the condition never held');
}

describe('the database refuses connections', () => {
  it('answers 503 before calling OpenAI, keeps nothing, and the same message succeeds once it is back', async () => {
    const user = await insertUser(db.pool);
    const key = randomUUID();
    await proxy.refuse();

    const refused = await message(user.id, key);

    expect(refused.status).toBe(503);
    expect(fake.count('responses.create') + fake.count('conversations.create')).toBe(0);
    expect(await exchangeRows(db.pool, user.id)).toEqual({ chats: [], runs: [], usage: [] });

    await proxy.restore();
    const retried = await message(user.id, key);

    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ variant: 'openai', fallback: false });
    const rows = await exchangeRows(db.pool, user.id);
    expectConsistent(rows);
    expect(rows.chats).toHaveLength(2);
    expect(acceptedResponses(fake)).toBe(1);
  });
});

describe('the database fails mid-request', () => {
  it("after prepare, while OpenAI answers: 503, no AI row (the claim's user row kept), and a retry of the message is refused as in flight instead of charged again", async () => {
    const user = await insertUser(db.pool);
    const key = randomUUID();
    fake.script({ kind: 'ok', firstTokenMs: 100, latencyMs: 400 });

    const pending = message(user.id, key);
    await until(() => fake.count('responses.create') > 0);
    await proxy.refuse();
    const failed = await pending;

    expect(failed.status).toBe(503);
    await proxy.restore();
    const rows = await exchangeRows(db.pool, user.id);
    expectConsistent(rows);
    expect(rows.chats.map((c) => c.message_type)).toEqual(['user']);
    expect(rows.runs.map((r) => r.status)).toEqual(['in_flight']);
    expect(acceptedResponses(fake)).toBe(1);

    const retry = await message(user.id, key);

    expect(retry.status).toBe(409);
    expect(retry.body.code).toBe('request_in_flight');
    expect(acceptedResponses(fake)).toBe(1);
  });
});

describe("the poller's task", () => {
  async function longRun() {
    const user = await insertUser(db.pool);
    fake.script({ kind: 'slow', pollsUntilDone: 1 });
    const reply = await message(user.id, randomUUID(), longChat);
    expect(reply.status).toBe(202);
    return { user, runId: String(reply.body.run_id), input: sfn.inputFor(String(reply.body.run_id)) };
  }

  it('failing once (the Lambda crashed) is retried by the state machine and records the reply once', async () => {
    const run = await longRun();
    let crashes = 0;
    const crashOnce =
      (task: PollTask): PollTask =>
      async (event) => {
        if (crashes++ === 0) throw new Error('Runtime exited with error: signal: killed');
        return task(event);
      };

    const execution = await machine.execute(run.input, { wrapTask: crashOnce });

    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.history.filter((h) => h.name === 'Poll' && h.event === 'retried')).toHaveLength(1);
    expect(execution.taskOutputs.map((o) => o.outcome)).toEqual(['completed']);
    const rows = await exchangeRows(db.pool, run.user.id);
    expectConsistent(rows);
    expect(rows.runs.map((r) => r.status)).toEqual(['completed']);
    expect(rows.usage).toHaveLength(1);
    expect(acceptedResponses(fake)).toBe(1);
  });

  it('failing because the database is down is retried once it is back, and records the reply once', async () => {
    const run = await longRun();
    let attempts = 0;
    const databaseDownOnce =
      (task: PollTask): PollTask =>
      async (event) => {
        if (attempts++ > 0) return task(event);
        await proxy.refuse();
        try {
          return await task(event);
        } finally {
          await proxy.restore();
        }
      };

    const execution = await machine.execute(run.input, { wrapTask: databaseDownOnce });

    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.history.some((h) => h.name === 'Poll' && h.event === 'retried')).toBe(true);
    const rows = await exchangeRows(db.pool, run.user.id);
    expectConsistent(rows);
    expect(rows.runs.map((r) => r.status)).toEqual(['completed']);
    expect(rows.chats.map((c) => c.message_type).sort()).toEqual(['ai', 'user']);
    expect(rows.usage).toHaveLength(1);
  });
});

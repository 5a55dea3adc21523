/**
 * What app users can write (their own rows of journal_ai_chats and user_assistant_threads,
 * under the app's policies) changes nothing the backend pays for or sends to OpenAI: deleting
 * chat rows resets no budget, a thread pointed at someone else's conversation is not used, a
 * row inserted with someone else's run id is ignored. And the answers for deleted exchanges
 * and abandoned runs are the documented ones. Real handlers, real Postgres, the OpenAI fake.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createChatHandler } from '../../../lambdas/chat/handler';
import { pollRun } from '../../../lambdas/poller/service';
import { createRunsHandler } from '../../../lambdas/runs/handler';
import { invoke, type ProxyHandler } from '../../support/api';
import { buildTestRuntime, type TestRuntime } from '../../support/chat-runtime';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';
import { recordingStepFunctionsStarter } from '../../support/state-machine';
import { turnInput } from '../../support/turns';
import { asAppUser, countRows, insertUser } from '../../support/users';

const CHAT = '/functions/v1/openai-chat-completion';
const RUN = '/functions/v1/openai-chat-completion/runs/{run_id}';

let db: TestDatabase;
let fake: OpenAIFake;
let app: TestRuntime;
let long: TestRuntime;
let chat: ProxyHandler;
let longChat: ProxyHandler;
const sfn = recordingStepFunctionsStarter();

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startOpenAIFake();
  app = await buildTestRuntime({ databaseUrl: db.url, openai: fake });
  long = await buildTestRuntime({
    databaseUrl: db.url,
    openai: fake,
    env: { CHAT_SYNC_BUDGET_MS: '1000' },
    poller: sfn.starter,
  });
  chat = createChatHandler(app.getRuntime);
  longChat = createChatHandler(long.getRuntime);
});
afterAll(async () => {
  await app?.close();
  await long?.close();
  await fake?.close();
  await db?.drop();
});
beforeEach(() => fake.reset());

const send = (userId: string, body: Record<string, unknown>, handler = chat) =>
  invoke(handler, { resource: CHAT, userId, body });

const readRun = (userId: string, runId: string) =>
  invoke(createRunsHandler(app.getRuntime), {
    method: 'GET',
    resource: RUN,
    path: `${CHAT}/runs/${runId}`,
    userId,
    pathParameters: { run_id: runId },
  });

const conversationsSentTo = () =>
  fake.requestsTo('POST', '/v1/responses').map((r) => (r.body as { conversation: string }).conversation);

async function runOf(userId: string, clientMessageId: string): Promise<string> {
  const { rows } = await db.pool.query<{ id: string }>(
    `select id from public.chat_runs where user_id = $1 and client_message_id = $2`,
    [userId, clientMessageId],
  );
  if (!rows[0]) throw new Error('no run');
  return rows[0].id;
}

describe('deleting chat rows', () => {
  it("resets no budget: the usage logs stay, and the day's cost still counts", async () => {
    const limited = await buildTestRuntime({
      databaseUrl: db.url,
      openai: fake,
      env: { DAILY_COST_LIMIT_USD_PER_USER: '0.000001' },
    });
    const limitedChat = createChatHandler(limited.getRuntime);
    const user = await insertUser(db.pool);
    const first = await send(user.id, { message: 'Spend a little' }, limitedChat);

    const deleted = await asAppUser(
      db.pool,
      user.id,
      'delete from public.journal_ai_chats where user_id = $1',
      [user.id],
    );
    const again = await send(user.id, { message: 'Spend again' }, limitedChat);
    await limited.close();

    expect(first.status).toBe(200);
    expect(deleted).toBe(2);
    expect(again.status).toBe(429);
    expect(again.body).toMatchObject({ code: 'budget_exceeded', limit: 'daily_cost' });
    const logs = await db.pool.query(
      `select message_id, cost_estimate::float8 as cost from public.openai_usage_logs where user_id = $1`,
      [user.id],
    );
    expect(logs.rows).toEqual([{ message_id: null, cost: first.body.cost_estimate }]);
  });

  it('answers a replay of a deleted answer with 410 answer_deleted, sends nothing and stores nothing', async () => {
    const user = await insertUser(db.pool);
    const key = randomUUID();
    const first = await send(user.id, { message: 'Remember this', client_message_id: key });
    await asAppUser(db.pool, user.id, 'delete from public.journal_ai_chats where id = $1', [
      first.body.message_id,
    ]);

    const replay = await send(user.id, { message: 'Remember this', client_message_id: key });
    const run = await readRun(user.id, await runOf(user.id, key));

    expect(replay.status).toBe(410);
    expect(replay.body).toMatchObject({ code: 'answer_deleted' });
    expect(run.status).toBe(410);
    expect(fake.requestsTo('POST', '/v1/responses')).toHaveLength(1);
    expect(await countRows(db.pool, 'public.journal_ai_chats', user.id)).toBe(1);
  });
});

describe("a thread pointed at another user's conversation", () => {
  it('is not used: the turn goes to the user’s own conversation, and naming the other one is refused', async () => {
    const owner = await insertUser(db.pool);
    const intruder = await insertUser(db.pool);
    const ownerReply = await send(owner.id, { message: 'My private worries' });
    const intruderFirst = await send(intruder.id, { message: 'Hello' });
    const ownersConversation = String(ownerReply.body.thread_id);
    await asAppUser(
      db.pool,
      intruder.id,
      `update public.user_assistant_threads set thread_id = $2::text, legacy_thread_ids = legacy_thread_ids || $2::text where user_id = $1`,
      [intruder.id, ownersConversation],
    );
    fake.reset();

    const next = await send(intruder.id, { message: 'What did they say?' });
    const named = await send(intruder.id, { message: 'And now?', thread_id: ownersConversation });

    expect(next.status).toBe(200);
    expect(next.body.thread_id).toBe(intruderFirst.body.thread_id);
    expect(conversationsSentTo()).toEqual([intruderFirst.body.thread_id]);
    expect(named.status).toBe(403);
    expect(named.body).toMatchObject({ code: 'thread_forbidden' });
    const { rows } = await db.pool.query(
      `select thread_id, legacy_thread_ids from public.user_assistant_threads where user_id = $1`,
      [intruder.id],
    );
    // Kept in step again by the backend with the conversation it uses.
    expect(rows[0].thread_id).toBe(intruderFirst.body.thread_id);
  });

  it('is not used by a user who has no conversation yet: they get a new one of their own', async () => {
    const owner = await insertUser(db.pool);
    const newcomer = await insertUser(db.pool);
    const ownersConversation = String((await send(owner.id, { message: 'Mine' })).body.thread_id);
    await db.pool.query(
      `insert into public.user_assistant_threads (user_id, assistant_type, thread_id) values ($1, 'general_coach', $2)`,
      [newcomer.id, ownersConversation],
    );
    fake.reset();

    const reply = await send(newcomer.id, { message: 'Hello coach' });

    expect(reply.status).toBe(200);
    expect(reply.body.thread_id).toMatch(/^conv_/);
    expect(reply.body.thread_id).not.toBe(ownersConversation);
    expect(conversationsSentTo()).toEqual([reply.body.thread_id]);
    const { rows } = await db.pool.query(
      `select thread_id, legacy_thread_ids from public.user_assistant_threads where user_id = $1`,
      [newcomer.id],
    );
    expect(rows).toEqual([{ thread_id: reply.body.thread_id, legacy_thread_ids: [] }]);
  });
});

describe("a row inserted with someone else's run id", () => {
  it('is ignored: the long run is recorded, polled and replayed as its owner’s own', async () => {
    const owner = await insertUser(db.pool);
    const intruder = await insertUser(db.pool);
    const key = randomUUID();
    fake.script({ kind: 'slow', pollsUntilDone: 1_000 });
    const pending = await send(owner.id, { message: 'A long question', client_message_id: key }, longChat);
    const runId = String(pending.body.run_id);
    await asAppUser(
      db.pool,
      intruder.id,
      `insert into public.journal_ai_chats (user_id, message, response, message_type, run_id)
       values ($1, 'forged', 'forged', 'ai', $2), ($1, 'forged', null, 'user', $2)`,
      [intruder.id, runId],
    );
    const responseId = String(sfn.inputFor(runId).response_id);
    fake.finish(responseId);

    const { store, model, policy } = long.runtime;
    if (!model) throw new Error('the test runtime has a model');
    const step = await pollRun(
      { store, model, policy, screener: null },
      { run_id: runId, response_id: responseId },
    );
    const run = await readRun(owner.id, runId);
    const replay = await send(owner.id, { message: 'A long question', client_message_id: key });

    expect(pending.status).toBe(202);
    expect(step.outcome).toBe('completed');
    expect(run.body).toMatchObject({ status: 'completed', user_message_id: pending.body.user_message_id });
    expect(run.body.response).not.toBe('forged');
    expect(replay.body).toEqual((({ status: _s, run_id: _r, ...reply }) => reply)(run.body));
    expect(await countRows(db.pool, 'public.journal_ai_chats', owner.id)).toBe(2);
    expect(await countRows(db.pool, 'public.journal_ai_chats', intruder.id)).toBe(2);
  });
});

describe('a long run whose message the user deletes while it is being answered', () => {
  it('is still recorded once by the poller, which is done with it, and then reads 410', async () => {
    const user = await insertUser(db.pool);
    fake.script({ kind: 'slow', pollsUntilDone: 1_000 });
    const pending = await send(user.id, { message: 'Delete me later' }, longChat);
    const runId = String(pending.body.run_id);
    await asAppUser(db.pool, user.id, 'delete from public.journal_ai_chats where id = $1', [
      pending.body.user_message_id,
    ]);
    const responseId = String(sfn.inputFor(runId).response_id);
    fake.finish(responseId);
    const { store, model, policy } = long.runtime;
    if (!model) throw new Error('the test runtime has a model');

    const step = await pollRun(
      { store, model, policy, screener: null },
      { run_id: runId, response_id: responseId },
    );
    const again = await pollRun(
      { store, model, policy, screener: null },
      { run_id: runId, response_id: responseId },
    );
    const run = await readRun(user.id, runId);

    expect(step.outcome).toBe('completed');
    expect(again.outcome).toBe('already_done');
    expect(run.status).toBe(410);
    expect(await countRows(db.pool, 'public.openai_usage_logs', user.id)).toBe(1);
    const { rows } = await db.pool.query(
      `select message_type from public.journal_ai_chats where run_id = $1`,
      [runId],
    );
    expect(rows).toEqual([{ message_type: 'ai' }]);
  });
});

describe('polling a run', () => {
  it('reads an in-flight run as pending with its stored user row, and an abandoned one as failed', async () => {
    const user = await insertUser(db.pool);
    const key = randomUUID();
    fake.script({ kind: 'ok', latencyMs: 2_000 });
    const answered = send(user.id, { message: 'Slowly now', client_message_id: key });
    let runId = '';
    await waitFor(async () => {
      runId = await runOf(user.id, key).catch(() => '');
      return runId !== '';
    });

    const inFlight = await readRun(user.id, runId);
    await answered;
    // A claim whose invocation died: nobody will answer it.
    const claimed = await app.runtime.store.prepareTurn(
      turnInput(user.id, 'abandoned-1', { assistant_type: 'journal_coach', chat_type: 'journal_reflection' }),
    );
    if (claimed.kind !== 'claimed') throw new Error(claimed.kind);
    await db.pool.query(
      `update public.chat_runs set claimed_at = now() - interval '5 minutes' where id = $1`,
      [claimed.run_id],
    );
    const abandoned = await readRun(user.id, claimed.run_id);

    expect(inFlight.body).toMatchObject({
      status: 'pending',
      run_id: runId,
      user_message_id: expect.any(String),
    });
    expect(abandoned.body).toMatchObject({ status: 'failed', code: 'abandoned', reply: null });
  });

  it('answers 410 for a completed run whose AI row the user deleted', async () => {
    const user = await insertUser(db.pool);
    const key = randomUUID();
    const reply = await send(user.id, { message: 'Soon gone', client_message_id: key });
    const runId = await runOf(user.id, key);
    const before = await readRun(user.id, runId);
    await asAppUser(db.pool, user.id, 'delete from public.journal_ai_chats where id = $1', [
      reply.body.message_id,
    ]);

    const after = await readRun(user.id, runId);

    expect(before.body).toMatchObject({ status: 'completed', message_id: reply.body.message_id });
    expect(after.status).toBe(410);
    expect(after.body).toMatchObject({ code: 'answer_deleted' });
  });
});

describe("while the user's AI data is being erased", () => {
  it('a chat message is refused with 409 erasure_in_progress, nothing is stored, and nothing reaches the coach', async () => {
    const user = await insertUser(db.pool);
    await db.pool.query(`insert into public.ai_data_erasures (user_id) values ($1)`, [user.id]);

    const reply = await send(user.id, { message: 'Are you still there?' });

    expect(reply.status).toBe(409);
    expect(reply.body).toMatchObject({ code: 'erasure_in_progress' });
    expect(await countRows(db.pool, 'public.chat_runs', user.id)).toBe(0);
    expect(await countRows(db.pool, 'public.journal_ai_chats', user.id)).toBe(0);
    // Screening starts alongside the prepare round trip, before the refusal is known: the
    // moderation endpoint (which keeps nothing) is the only call.
    expect(fake.requests.filter((r) => r.endpoint !== 'moderations.create')).toHaveLength(0);
  });
});

describe('every AI row', () => {
  it('carries its variant and its cohort, as the run does', async () => {
    const user = await insertUser(db.pool);
    const key = randomUUID();

    const reply = await send(user.id, { message: 'Which group am I in?', client_message_id: key });

    const { rows } = await db.pool.query(
      `select a.variant, a.cohort, a.rollout_reason, r.cohort as run_cohort
         from public.journal_ai_chats a join public.chat_runs r on r.id = a.run_id where a.id = $1`,
      [reply.body.message_id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ variant: 'openai', rollout_reason: 'cohort' });
    expect(rows[0].cohort).toMatch(/^\d{1,2}$/);
    expect(rows[0].run_cohort).toBe(rows[0].cohort);
  });
});

async function waitFor(check: () => Promise<boolean>, attempts = 200): Promise<void> {
  for (let i = 0; i < attempts; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not reached');
}

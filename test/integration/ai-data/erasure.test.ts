/**
 * Erasure end to end: `delete` through the real ai-data handler, then the `ErasureRunner`
 * definition synthesized from the CDK construct executed locally with the StartExecution
 * input the handler sent, its task the real erasure task on the test Postgres, OpenAI faked
 * over HTTP (deletion as the official API does it: a deleted conversation keeps its items).
 * The request erases nothing at OpenAI itself here (sync budget 0), and the task lists two
 * items per page, so the state machine and the pagination do all the work.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { createAiDataHandler } from '../../../lambdas/ai-data/handler';
import type { LocalTask } from '../../../local/step-functions';
import { invoke } from '../../support/api';
import type { FakeEndpoint } from '../../support/openai-fake';
import {
  AI_DATA,
  ERASURE,
  getErasure,
  postAiData,
  rowsOf,
  seedUser,
  startHarness,
  storedIds,
  type Harness,
  type SeededUser,
} from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ syncBudgetMs: 0, pageSize: 2 });
});

afterAll(async () => {
  await h?.close();
});

const DELETIONS: readonly FakeEndpoint[] = [
  'responses.delete',
  'conversations.items.delete',
  'conversations.delete',
  'conversations.items.list',
];
const deletionCounts = () => Object.fromEntries(DELETIONS.map((e) => [e, h.fake.count(e)]));

/** Sends `delete` for the user: the 202 body (the erasure is handed to the state machine). */
async function requestDelete(user: SeededUser): Promise<Record<string, unknown>> {
  const reply = await postAiData(h, user.id, { action: 'delete' });
  expect(reply.status).toBe(202);
  expect(reply.body).toMatchObject({ status: 'pending', erasure_id: expect.any(String) });
  return reply.body;
}

describe('an erasure', () => {
  let alice: SeededUser;
  let bob: SeededUser;
  let bobBefore: ReturnType<typeof storedIds>;
  let bobRowsBefore: Record<string, number>;
  let aliceUsage: Array<{ id: string; cost: number; tokens: number }>;
  let aliceSafetyEvents: string[];
  let erasureId: string;
  let execution: Awaited<ReturnType<Harness['execute']>>;

  beforeAll(async () => {
    alice = await seedUser(h, 3);
    bob = await seedUser(h, 2);
    bobBefore = storedIds(h.fake.stored(bob.owner));
    bobRowsBefore = await rowsOf(h.db, bob.id);
    const usage = await h.db.pool.query<{ id: string; cost: number; tokens: number }>(
      `select id, cost_estimate::float8 as cost, total_tokens as tokens from public.openai_usage_logs where user_id = $1 order by id`,
      [alice.id],
    );
    aliceUsage = usage.rows;
    const safety = await h.db.pool.query<{ id: string }>(
      `select id from public.safety_events where user_id = $1`,
      [alice.id],
    );
    aliceSafetyEvents = safety.rows.map((r) => r.id);
    const aliceStored = h.fake.stored(alice.owner);
    expect(aliceStored.conversations).toHaveLength(2);
    expect(aliceStored.items.length).toBeGreaterThanOrEqual(8);
    expect(aliceStored.responses).toHaveLength(4);

    erasureId = String((await requestDelete(alice)).erasure_id);
    execution = await h.execute(h.startFor(erasureId));
  });

  it('runs the state machine to success, listing each conversation page by page', async () => {
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.taskOutputs.at(-1)).toMatchObject({ state: 'done', outcome: 'completed' });
    const cursors = h.fake
      .requestsTo('GET', /\/v1\/conversations\/[^/]+\/items$/)
      .filter((r) => r.query.after);
    expect(cursors.length).toBeGreaterThan(0);
    expect(cursors.every((r) => r.query.limit === '2' && r.query.order === 'asc')).toBe(true);
  });

  it("deletes every conversation, item and stored response of the user at OpenAI, deleted conversations' items included", () => {
    expect(h.fake.stored(alice.owner)).toEqual({ conversations: [], items: [], responses: [] });
  });

  it("leaves everybody else's conversations, items and responses alone", () => {
    expect(storedIds(h.fake.stored(bob.owner))).toEqual(bobBefore);
  });

  it("removes the user's rows here and keeps their usage and safety events, anonymised, with tokens and cost", async () => {
    expect(await rowsOf(h.db, alice.id)).toEqual({
      journal_ai_chats: 0,
      user_assistant_threads: 0,
      chat_runs: 0,
      chat_feedback: 0,
      user_ai_settings: 0,
      user_context_cache: 0,
      openai_usage_logs: 0,
      safety_events: 0,
    });
    const { rows } = await h.db.pool.query<{
      cost: number;
      tokens: number;
      user_id: string | null;
      thread_id: string | null;
      message_id: string | null;
      run_id: string | null;
      openai_response_id: string | null;
    }>(
      `select cost_estimate::float8 as cost, total_tokens as tokens, user_id, thread_id, message_id, run_id, openai_response_id
         from public.openai_usage_logs where id = any ($1::uuid[]) order by id`,
      [aliceUsage.map((u) => u.id)],
    );
    expect(rows.map(({ cost, tokens }) => ({ cost, tokens }))).toEqual(
      aliceUsage.map(({ cost, tokens }) => ({ cost, tokens })),
    );
    for (const row of rows) {
      expect(row).toMatchObject({
        user_id: null,
        thread_id: null,
        message_id: null,
        run_id: null,
        openai_response_id: null,
      });
    }
    const safety = await h.db.pool.query(
      `select category, action, user_id, message_id from public.safety_events where id = any ($1::uuid[])`,
      [aliceSafetyEvents],
    );
    expect(safety.rows).toEqual([
      { category: 'self-harm', action: 'allowed', user_id: null, message_id: null },
    ]);
  });

  it("leaves everybody else's rows alone", async () => {
    expect(await rowsOf(h.db, bob.id)).toEqual(bobRowsBefore);
  });

  it('reads as completed for its owner, with what it deleted, and as unknown for anyone else', async () => {
    const mine = await getErasure(h, alice.id, erasureId);
    const theirs = await getErasure(h, bob.id, erasureId);

    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({
      erasure_id: erasureId,
      status: 'completed',
      completed_at: expect.any(String),
      local: {
        chats: 8,
        threads: 2,
        runs: 4,
        feedback: 1,
        settings: 1,
        context_cache: 1,
        usage_anonymised: 4,
        safety_events_anonymised: 1,
      },
      openai: {
        deleted: { responses: 4, conversations: 2, items: 8 },
        remaining: { responses: 0, conversations: 0, items: 0 },
      },
    });
    expect(theirs.status).toBe(404);
    expect(theirs.body.code).toBe('erasure_not_found');
  });

  it('empties its work list once completed', async () => {
    const { rows } = await h.db.pool.query(
      `select 1 from public.ai_data_erasure_items where erasure_id = $1`,
      [erasureId],
    );
    expect(rows).toEqual([]);
  });

  it('run a second time sends nothing to OpenAI and changes nothing', async () => {
    const before = deletionCounts();

    const again = await h.execute(h.startFor(erasureId));

    expect(again.status).toBe('SUCCEEDED');
    expect(again.taskOutputs).toEqual([expect.objectContaining({ state: 'done', outcome: 'completed' })]);
    expect(deletionCounts()).toEqual(before);
    expect((await getErasure(h, alice.id, erasureId)).body).toMatchObject({ status: 'completed' });
  });

  it('asked for again finds nothing left: a new erasure, completed within the request, without calling OpenAI', async () => {
    const before = deletionCounts();

    const reply = await postAiData(h, alice.id, { action: 'delete' });

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      status: 'completed',
      local: { chats: 0, threads: 0, runs: 0, usage_anonymised: 0 },
      openai: { deleted: { responses: 0, conversations: 0, items: 0 } },
    });
    expect(reply.body.erasure_id).not.toBe(erasureId);
    expect(deletionCounts()).toEqual(before);
  });
});

describe('an erasure while OpenAI fails', () => {
  it('is retried with backoff and completes, reported pending (never done) in between', async () => {
    const carol = await seedUser(h, 2);
    const erasureId = String((await requestDelete(carol)).erasure_id);
    // The first four item deletions (four at a time) fail on every try (the adapter's own and its
    // two retries): the step fails part-way, and the state machine retries it.
    h.fake.scriptFaults(
      'conversations.items.delete',
      ...Array.from({ length: 12 }, () => ({ kind: 'error' as const, status: 503 })),
    );
    const statusesAfterFailures: unknown[] = [];
    const wrapTask =
      (task: LocalTask): LocalTask =>
      async (event) => {
        try {
          return await task(event);
        } catch (error) {
          statusesAfterFailures.push((await getErasure(h, carol.id, erasureId)).body.status);
          throw error;
        }
      };

    const execution = await h.execute(h.startFor(erasureId), { wrapTask });

    expect(statusesAfterFailures.length).toBeGreaterThan(0);
    expect(statusesAfterFailures.every((s) => s === 'pending')).toBe(true);
    expect(execution.history.some((e) => e.event === 'StateRetried' && e.name === 'Erase')).toBe(true);
    expect(execution.status).toBe('SUCCEEDED');
    expect(h.fake.stored(carol.owner)).toEqual({ conversations: [], items: [], responses: [] });
    expect((await getErasure(h, carol.id, erasureId)).body).toMatchObject({ status: 'completed' });
  });

  it('that keeps failing is marked failed, never completed, and a new delete resumes it to completion', async () => {
    const dave = await seedUser(h, 0);
    const erasureId = String((await requestDelete(dave)).erasure_id);
    // One stored response: each step tries it once. It fails for the step and its eight retries.
    h.fake.scriptFaults(
      'responses.delete',
      ...Array.from({ length: 9 }, () => ({ kind: 'error' as const, status: 401, code: 'invalid_api_key' })),
    );

    const failed = await h.execute(h.startFor(erasureId));

    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('ErasureFailed');
    expect(failed.history.filter((e) => e.event === 'StateEntered').map((e) => e.name)).toContain(
      'MarkFailed',
    );
    expect((await getErasure(h, dave.id, erasureId)).body).toMatchObject({
      status: 'failed',
      failure_code: 'EraseStepFailed',
      // What could be deleted was: only the response that kept failing remains.
      openai: { remaining: { responses: 1, conversations: 0, items: 0 } },
    });
    expect(h.fake.stored(dave.owner)).toMatchObject({ conversations: [], items: [] });
    expect(h.fake.stored(dave.owner).responses).toHaveLength(1);

    const resumed = await postAiData(h, dave.id, { action: 'delete' });
    expect(resumed.status).toBe(202);
    expect(resumed.body).toMatchObject({ erasure_id: erasureId, status: 'pending' });
    const second = await h.execute(h.startFor(erasureId));

    expect(second.status).toBe('SUCCEEDED');
    expect(h.fake.stored(dave.owner)).toEqual({ conversations: [], items: [], responses: [] });
    expect((await getErasure(h, dave.id, erasureId)).body).toMatchObject({ status: 'completed' });
  });
});

describe('what OpenAI no longer has', () => {
  it('counts as deleted: a response, an item and a conversation already gone', async () => {
    const erin = await seedUser(h, 1);
    const sdk = new OpenAI({ apiKey: h.fake.apiKey, baseURL: h.fake.baseURL, maxRetries: 0 });
    const before = h.fake.stored(erin.owner);
    const [response] = before.responses;
    const [general, pillar] = before.conversations;
    const item = before.items.find((i) => i.conversationId === general!.id)!;
    await sdk.responses.delete(response!.id);
    await sdk.conversations.items.delete(item.id, { conversation_id: general!.id });
    // Deleted with its items still in it: they can no longer be reached by anyone.
    const orphaned = before.items.filter((i) => i.conversationId === pillar!.id).length;
    await sdk.conversations.delete(pillar!.id);
    const erasureId = String((await requestDelete(erin)).erasure_id);

    const execution = await h.execute(h.startFor(erasureId));

    expect(execution.status).toBe('SUCCEEDED');
    const left = h.fake.stored(erin.owner);
    expect(left.conversations).toEqual([]);
    expect(left.responses).toEqual([]);
    expect(left.items.filter((i) => !i.conversationDeleted || i.conversationId !== pillar!.id)).toEqual([]);
    expect(left.items).toHaveLength(orphaned);
    expect((await getErasure(h, erin.id, erasureId)).body).toMatchObject({ status: 'completed' });
  });
});

describe('a reply still being written when the erasure starts', () => {
  it('is stopped and deleted at OpenAI, and leaves no items behind', async () => {
    const user = await seedUser(h, 1);
    const sdk = new OpenAI({ apiKey: h.fake.apiKey, baseURL: h.fake.baseURL, maxRetries: 0 });
    const conversation = h.fake.stored(user.owner).conversations[0]!.id;
    // A long run the poller follows: its response is stored and still in progress.
    h.fake.script({ kind: 'slow', pollsUntilDone: 1_000 });
    const running = await sdk.responses.create({
      model: 'gpt-6-luna',
      input: 'Still thinking about it',
      conversation,
      background: true,
      safety_identifier: user.owner,
    });
    await h.db.pool.query(
      `insert into public.chat_runs (user_id, client_message_id, status, assistant_type, thread_id, openai_response_id)
       values ($1, 'pending-run-1', 'pending', 'general_coach', $2, $3)`,
      [user.id, conversation, running.id],
    );
    const erasureId = String((await requestDelete(user)).erasure_id);

    const execution = await h.execute(h.startFor(erasureId));
    h.fake.finish(running.id);

    expect(execution.status).toBe('SUCCEEDED');
    expect(h.fake.responses.has(running.id)).toBe(false);
    expect(h.fake.stored(user.owner)).toEqual({ conversations: [], items: [], responses: [] });
  });
});

describe('a turn being answered when the erasure starts', () => {
  it('is waited for: the rows are taken once it has settled, and the chat is refused meanwhile', async () => {
    const user = await seedUser(h, 1);
    const { rows } = await h.db.pool.query<{ id: string }>(
      `insert into public.chat_runs (user_id, client_message_id, status, assistant_type)
       values ($1, 'in-flight-1', 'in_flight', 'general_coach') returning id`,
      [user.id],
    );
    const erasureId = String((await requestDelete(user)).erasure_id);
    const whileWaiting = await rowsOf(h.db, user.id);
    const refusal = await h.db.pool.query<{ r: unknown }>(`select public._coach_erasure_refusal($1) as r`, [
      user.id,
    ]);
    let released = false;
    const wrapTask =
      (task: LocalTask): LocalTask =>
      async (event) => {
        const output = (await task(event)) as { state: string };
        if (output.state === 'waiting' && !released) {
          // The turn ends: its claim is released, as the chat does when it stores nothing.
          await h.db.pool.query(`delete from public.chat_runs where id = $1`, [rows[0]!.id]);
          released = true;
        }
        return output;
      };

    const execution = await h.execute(h.startFor(erasureId), { wrapTask });

    expect(whileWaiting.journal_ai_chats).toBeGreaterThan(0);
    expect(refusal.rows[0]!.r).toMatchObject({ error: { status: 409, code: 'erasure_in_progress' } });
    expect(execution.taskOutputs[0]).toMatchObject({ state: 'waiting', wait_seconds: 5 });
    expect(execution.history.some((e) => e.name === 'Wait')).toBe(true);
    expect(execution.status).toBe('SUCCEEDED');
    expect((await rowsOf(h.db, user.id)).journal_ai_chats).toBe(0);
    expect(h.fake.stored(user.owner)).toEqual({ conversations: [], items: [], responses: [] });
  });
});

describe('asking again', () => {
  it('while the erasure runs returns it, and starts no second execution', async () => {
    const user = await seedUser(h, 0);
    const first = await requestDelete(user);
    const startsBefore = h.starts.length;

    const again = await postAiData(h, user.id, { action: 'delete' });

    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ erasure_id: first.erasure_id, status: 'pending' });
    expect(h.starts.length).toBe(startsBefore);
  });
});

describe('an erasure whose state machine cannot be started', () => {
  it('is marked failed and answered 503 erasure_unavailable; a new delete resumes it', async () => {
    const user = await seedUser(h, 0);
    const broken = createAiDataHandler(async () => ({
      ...h.runtime,
      erasures: {
        start: async () => {
          throw new Error('Step Functions is unavailable');
        },
      },
    }));

    const refused = await invoke(broken, { resource: AI_DATA, userId: user.id, body: { action: 'delete' } });
    const { rows } = await h.db.pool.query<{ id: string; status: string; failure_code: string }>(
      `select id, status, failure_code from public.ai_data_erasures where user_id = $1`,
      [user.id],
    );
    const resumed = await requestDelete(user);

    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'erasure_unavailable', retry_after_seconds: 30 });
    expect(rows).toEqual([{ id: expect.any(String), status: 'failed', failure_code: 'not_started' }]);
    expect(resumed.erasure_id).toBe(rows[0]!.id);
    expect((await h.execute(h.startFor(rows[0]!.id))).status).toBe('SUCCEEDED');
    expect(h.fake.stored(user.owner)).toEqual({ conversations: [], items: [], responses: [] });
  });
});

describe('the erasure route', () => {
  it('refuses an erasure id that is not a UUID with 400', async () => {
    const reply = await invoke(h.aiData, {
      method: 'GET',
      resource: ERASURE,
      path: '/functions/v1/ai-data/erasures/latest',
      userId: randomUUID(),
      pathParameters: { erasure_id: 'latest' },
    });

    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('validation_failed');
  });

  it('answers 404 for an erasure nobody asked for', async () => {
    const reply = await getErasure(h, randomUUID(), randomUUID());

    expect(reply.status).toBe(404);
    expect(reply.body.code).toBe('erasure_not_found');
  });
});

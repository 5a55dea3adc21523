/**
 * Export through the real ai-data handler on the test Postgres: exactly the caller's rows of
 * every table, none of anyone else's, the app tables' other columns as stored, one database
 * round trip; bad requests refused with 4xx and nothing changed; the same answers through
 * supabase-js over PostgREST (the Lambdas' transport); and the new tables' row security.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aiDataStore } from '../../../lambdas/ai-data/store';
import { createAiDataHandler } from '../../../lambdas/ai-data/handler';
import { sqlTransport } from '../../../lambdas/shared/store/sql-transport';
import { createSupabaseTransport } from '../../../lambdas/shared/store/supabase-transport';
import { storeCaller, type StoreTransport } from '../../../lambdas/shared/store/transport';
import { invoke } from '../../support/api';
import { startPostgrestServer, type PostgrestServer } from '../../support/postgrest-server';
import { insertUser } from '../../support/users';
import { runAs } from '../migrations/catalog';
import { AI_DATA, postAiData, seedUser, startHarness, type Harness, type SeededUser } from './harness';

const INSUFFICIENT_PRIVILEGE = '42501';

let h: Harness;
let alice: SeededUser;
let bob: SeededUser;

beforeAll(async () => {
  h = await startHarness({ syncBudgetMs: 0 });
  alice = await seedUser(h, 2);
  bob = await seedUser(h, 1);
});

afterAll(async () => {
  await h?.close();
});

type ExportBody = Record<string, Array<Record<string, unknown>>> & {
  settings: Record<string, unknown> | null;
};

const exportOf = async (userId: string) => {
  const reply = await postAiData(h, userId, { action: 'export' });
  expect(reply.status).toBe(200);
  return reply.body as unknown as ExportBody;
};

/** The ids of the user's rows in a table, sorted. */
async function idsIn(table: string, userId: string): Promise<string[]> {
  const { rows } = await h.db.pool.query<{ id: string }>(
    `select id::text from public.${table} where user_id = $1 order by id`,
    [userId],
  );
  return rows.map((r) => r.id);
}
const sortedIds = (rows: ReadonlyArray<Record<string, unknown>>) => rows.map((r) => String(r.id)).sort();

describe('export', () => {
  it("holds exactly the caller's rows of every table the backend keeps", async () => {
    const body = await exportOf(alice.id);

    expect(body.user_id).toBe(alice.id);
    expect(sortedIds(body.chats!)).toEqual(await idsIn('journal_ai_chats', alice.id));
    expect(sortedIds(body.threads!)).toEqual(await idsIn('user_assistant_threads', alice.id));
    expect(sortedIds(body.runs!)).toEqual(await idsIn('chat_runs', alice.id));
    expect(sortedIds(body.usage!)).toEqual(await idsIn('openai_usage_logs', alice.id));
    expect(sortedIds(body.feedback!)).toEqual(await idsIn('chat_feedback', alice.id));
    expect(sortedIds(body.safety_events!)).toEqual(await idsIn('safety_events', alice.id));
    expect(sortedIds(body.context_cache!)).toEqual(await idsIn('user_context_cache', alice.id));
    expect(body.chats).toHaveLength(6);
    expect(body.threads).toHaveLength(2);
    expect(body.settings).toMatchObject({ cohort: 'beta', openai_enabled: null });
    expect(body.safety_events![0]).toMatchObject({
      category: 'self-harm',
      action: 'allowed',
      scores: { 'self-harm': 0.62 },
    });
    expect(body.erasures).toEqual([]);
  });

  it('takes one database round trip', async () => {
    const calls: string[] = [];
    const sql = sqlTransport(h.db.pool);
    const counted: StoreTransport = {
      callFunction: (name, p, options) => {
        calls.push(name);
        return sql.callFunction(name, p, options);
      },
    };
    const handler = createAiDataHandler(async () => ({
      ...h.runtime,
      store: aiDataStore(storeCaller(counted)),
    }));

    const reply = await invoke(handler, { resource: AI_DATA, userId: alice.id, body: { action: 'export' } });

    expect(reply.status).toBe(200);
    expect(calls).toEqual(['coach_export_ai_data']);
  });

  it("carries the chats' text and the OpenAI ids behind them", async () => {
    const body = await exportOf(alice.id);
    const ai = body.chats!.filter((c) => c.message_type === 'ai');

    expect(ai.map((c) => c.id).sort()).toEqual([...alice.aiMessageIds].sort());
    for (const chat of ai) {
      expect(chat).toMatchObject({ variant: 'openai', thread_id: expect.stringMatching(/^conv_/) });
      expect(String(chat.openai_response_id)).toMatch(/^resp_/);
      expect(String(chat.response).length).toBeGreaterThan(0);
    }
    expect(body.chats!.filter((c) => c.message_type === 'user').map((c) => c.message)).toEqual(
      expect.arrayContaining([expect.stringContaining('Evening walk, day 1')]),
    );
  });

  it("shows another user's token none of the caller's data", async () => {
    const theirs = await exportOf(bob.id);
    const mine = await exportOf(alice.id);
    const aliceIds = new Set(
      ['chats', 'threads', 'runs', 'usage', 'feedback', 'safety_events', 'context_cache'].flatMap((k) =>
        mine[k]!.map((r) => String(r.id)),
      ),
    );

    const leaked = [
      'chats',
      'threads',
      'runs',
      'usage',
      'feedback',
      'safety_events',
      'context_cache',
    ].flatMap((k) => theirs[k]!.filter((r) => aliceIds.has(String(r.id))));
    expect(leaked).toEqual([]);
    expect(JSON.stringify(theirs)).not.toContain(alice.id);
    expect(theirs.chats).toHaveLength(4);
  });

  it('of a user without AI data is empty lists and no settings', async () => {
    const user = await insertUser(h.db.pool);

    const body = await exportOf(user.id);

    expect(body).toMatchObject({
      chats: [],
      threads: [],
      runs: [],
      usage: [],
      feedback: [],
      settings: null,
      safety_events: [],
      context_cache: [],
      erasures: [],
    });
  });

  it("includes the columns the app's own tables have beyond the backend's, as stored", async () => {
    await h.db.pool.query(`alter table public.journal_ai_chats add column if not exists mood text`);
    const user = await seedUser(h, 0);
    await h.db.pool.query(`update public.journal_ai_chats set mood = 'hopeful' where user_id = $1`, [
      user.id,
    ]);

    const body = await exportOf(user.id);

    expect(body.chats!.every((c) => (c.extra_columns as Record<string, unknown>).mood === 'hopeful')).toBe(
      true,
    );
    expect(body.threads!.every((t) => JSON.stringify(t.extra_columns) === '{}')).toBe(true);
  });

  it('is refused with 409 erasure_in_progress while an erasure of the user runs', async () => {
    const user = await seedUser(h, 0);
    const erasing = await postAiData(h, user.id, { action: 'delete' });

    const refused = await postAiData(h, user.id, { action: 'export' });

    expect(erasing.status).toBe(202);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'erasure_in_progress' });
    expect((await exportOf(bob.id)).chats).toHaveLength(4);
  });
});

describe('bad requests', () => {
  it.each([
    ['no action', {}],
    ['an unknown action', { action: 'purge' }],
    ['an unknown field', { action: 'export', format: 'csv' }],
  ])('%s is 400 validation_failed and changes nothing', async (_label, body) => {
    const before = await h.db.pool.query(`select count(*)::int as n from public.ai_data_erasures`);

    const reply = await postAiData(h, alice.id, body);

    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('validation_failed');
    expect((await h.db.pool.query(`select count(*)::int as n from public.ai_data_erasures`)).rows).toEqual(
      before.rows,
    );
  });

  it('a body naming another user is 403 user_mismatch, and nothing is erased', async () => {
    const reply = await postAiData(h, alice.id, { action: 'delete', user_id: bob.id });

    expect(reply.status).toBe(403);
    expect(reply.body.code).toBe('user_mismatch');
    expect(await idsIn('journal_ai_chats', bob.id)).toHaveLength(4);
    expect(await idsIn('ai_data_erasures', alice.id)).toEqual([]);
  });
});

describe('through supabase-js over PostgREST (the Lambdas’ transport)', () => {
  let server: PostgrestServer;

  beforeAll(async () => {
    server = await startPostgrestServer({ databaseUrl: h.db.url });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('exports the same rows as the SQL transport', async () => {
    const store = aiDataStore(
      storeCaller(createSupabaseTransport({ url: server.url, serviceRoleKey: server.serviceRoleKey })),
    );

    const viaPostgrest = await store.exportAiData({ user_id: alice.id });
    const viaSql = await h.runtime.store.exportAiData({ user_id: alice.id });

    const { exported_at: _a, ...rest } = viaPostgrest;
    const { exported_at: _b, ...expected } = viaSql;
    expect(rest).toEqual(expected);
  });

  it("refuses the anon key: only service_role may call the backend's functions", async () => {
    const store = aiDataStore(
      storeCaller(createSupabaseTransport({ url: server.url, serviceRoleKey: server.anonKey })),
    );

    await expect(store.exportAiData({ user_id: alice.id })).rejects.toMatchObject({
      name: 'StoreCallError',
      code: '42501',
    });
  });
});

describe('row security of the new tables', () => {
  it('lets a signed-in user read their own safety events and erasures only, and nothing of the work list', async () => {
    const user = await seedUser(h, 0);
    await postAiData(h, user.id, { action: 'delete' });

    const events = await runAs(
      h.db.pool,
      'authenticated',
      bob.id,
      'select user_id from public.safety_events',
    );
    const erasures = await runAs(
      h.db.pool,
      'authenticated',
      user.id,
      'select user_id from public.ai_data_erasures',
    );
    const others = await runAs(
      h.db.pool,
      'authenticated',
      bob.id,
      'select user_id from public.ai_data_erasures',
    );
    const work = await runAs(
      h.db.pool,
      'authenticated',
      user.id,
      'select * from public.ai_data_erasure_items',
    );

    expect(events).toMatchObject({ ok: true, rows: [{ user_id: bob.id }] });
    expect(erasures).toMatchObject({ ok: true, rows: [{ user_id: user.id }] });
    expect(others).toMatchObject({ ok: true, rows: [] });
    expect(work).toMatchObject({ ok: false, code: INSUFFICIENT_PRIVILEGE });
  });

  it.each(['safety_events', 'ai_data_erasures', 'ai_data_erasure_items'])(
    'keeps %s from anon and from writes',
    async (table) => {
      const read = await runAs(h.db.pool, 'anon', null, `select * from public.${table}`);
      const write = await runAs(h.db.pool, 'authenticated', alice.id, `delete from public.${table}`);

      expect(read).toMatchObject({ ok: false, code: INSUFFICIENT_PRIVILEGE });
      expect(write).toMatchObject({ ok: false, code: INSUFFICIENT_PRIVILEGE });
    },
  );
});

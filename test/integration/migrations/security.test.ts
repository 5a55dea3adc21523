import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { FIXTURE_USERS } from '../../../db/index';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { NEW_TABLES, runAs } from './catalog';

const alice = FIXTURE_USERS.alice;
const bob = FIXTURE_USERS.bob;
const ALICE_AI_ROW = '40000000-0000-4000-8000-000000000002';
const BOB_AI_ROW = '40000000-0000-4000-8000-000000000010';
const INSUFFICIENT_PRIVILEGE = '42501';

/** One row per new table for alice and for bob, written as the backend (superuser) would. */
async function seedBackendRows(db: TestDatabase): Promise<void> {
  for (const [user, message] of [
    [alice.id, ALICE_AI_ROW],
    [bob.id, BOB_AI_ROW],
  ] as const) {
    await db.pool.query(
      `insert into public.chat_runs (user_id, client_message_id, status, assistant_type) values ($1, 'client-key-0001', 'completed', 'general_coach')`,
      [user],
    );
    await db.pool.query(
      `insert into public.openai_usage_logs (user_id, thread_id, message_id, prompt_tokens, completion_tokens, total_tokens, model_used, cost_estimate)
       values ($1, 'conv_test', $2, 100, 20, 120, 'gpt-6-luna', 0.0001)`,
      [user, message],
    );
    await db.pool.query(
      `insert into public.user_context_cache (user_id, context_hash, context_data, expires_at) values ($1, 'h1', 'ratings…', now() + interval '1 hour')`,
      [user],
    );
    await db.pool.query(`insert into public.chat_feedback (user_id, message_id, rating) values ($1, $2, 'up')`, [user, message]);
    await db.pool.query(`insert into public.user_ai_settings (user_id, openai_enabled) values ($1, true)`, [user]);
  }
}

describe('row level security and privileges on the new tables', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedBackendRows(db);
  });
  afterAll(async () => {
    await db.drop();
  });

  test('RLS is enabled on every new table and on every table in public', async () => {
    const { rows } = await db.pool.query<{ relname: string; relrowsecurity: boolean }>(
      `select c.relname, c.relrowsecurity from pg_class c
        where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') order by 1`,
    );
    for (const table of NEW_TABLES) expect(rows).toContainEqual({ relname: table, relrowsecurity: true });
    expect(rows.filter((r) => !r.relrowsecurity)).toEqual([]);
  });

  test.each(NEW_TABLES.filter((t) => t !== 'user_context_cache'))('an authenticated user reads only their own %s rows', async (table) => {
    const result = await runAs<{ user_id: string }>(db.pool, 'authenticated', alice.id, `select user_id from public.${table}`);

    expect(result).toMatchObject({ ok: true, rows: [{ user_id: alice.id }] });
  });

  test('an authenticated user cannot read the context cache at all', async () => {
    const result = await runAs(db.pool, 'authenticated', alice.id, 'select * from public.user_context_cache');

    expect(result).toMatchObject({ ok: false, code: INSUFFICIENT_PRIVILEGE });
  });

  test.each(NEW_TABLES)('anon cannot read %s', async (table) => {
    const result = await runAs(db.pool, 'anon', null, `select * from public.${table}`);

    expect(result).toMatchObject({ ok: false, code: INSUFFICIENT_PRIVILEGE });
  });

  const writes: ReadonlyArray<readonly [string, string]> = [
    ['insert a run for another user', `insert into public.chat_runs (user_id, client_message_id, assistant_type) values ('${bob.id}', 'forged-0001', 'general_coach')`],
    ['insert a run for themselves', `insert into public.chat_runs (user_id, client_message_id, assistant_type) values ('${alice.id}', 'own-00001', 'general_coach')`],
    ['mark another user’s run failed', `update public.chat_runs set status = 'failed' where user_id = '${bob.id}'`],
    ['delete another user’s usage logs', `delete from public.openai_usage_logs where user_id = '${bob.id}'`],
    ['forge usage for another user', `insert into public.openai_usage_logs (user_id, thread_id, prompt_tokens, completion_tokens, total_tokens, model_used) values ('${bob.id}', 't', 1, 1, 2, 'm')`],
    ['rate another user’s message', `insert into public.chat_feedback (user_id, message_id, rating) values ('${bob.id}', '${BOB_AI_ROW}', 'down')`],
    ['change another user’s feedback', `update public.chat_feedback set rating = 'down' where user_id = '${bob.id}'`],
    ['turn on OpenAI for themselves', `update public.user_ai_settings set openai_enabled = true, daily_token_limit = 999999 where user_id = '${alice.id}'`],
    ['give another user settings', `insert into public.user_ai_settings (user_id, openai_enabled) values ('${FIXTURE_USERS.dave.id}', false)`],
    ['write the context cache', `insert into public.user_context_cache (user_id, context_hash, context_data, expires_at) values ('${bob.id}', 'h2', 'x', now())`],
  ];

  test.each(writes)('an authenticated user cannot %s', async (_label, sql) => {
    const result = await runAs(db.pool, 'authenticated', alice.id, sql);

    expect(result).toMatchObject({ ok: false, code: INSUFFICIENT_PRIVILEGE });
  });

  test.each(writes)('anon cannot %s', async (_label, sql) => {
    const result = await runAs(db.pool, 'anon', null, sql);

    expect(result).toMatchObject({ ok: false, code: INSUFFICIENT_PRIVILEGE });
  });

  test("an authenticated user still reads and writes only their own chats in the existing table", async () => {
    const read = await runAs<{ n: string }>(db.pool, 'authenticated', alice.id, 'select count(*) as n from public.journal_ai_chats');
    const foreign = await runAs(db.pool, 'authenticated', alice.id, `update public.journal_ai_chats set message = 'x' where user_id = '${bob.id}'`);

    expect(read).toMatchObject({ ok: true, rows: [{ n: String(alice.chatRows) }] });
    expect(foreign).toMatchObject({ ok: true, rowCount: 0 });
  });
});

describe('indexes and functions', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  test('every foreign key in public has an index starting with its columns', async () => {
    const { rows } = await db.pool.query<{ fk: string }>(
      `select format('%s.%s', c.conrelid::regclass, c.conname) as fk
         from pg_constraint c
        where c.contype = 'f' and c.connamespace = 'public'::regnamespace
          and not exists (
            select 1 from pg_index i
             where i.indrelid = c.conrelid
               and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] operator(pg_catalog.@>) c.conkey
               and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] operator(pg_catalog.<@) c.conkey
          )`,
    );
    expect(rows).toEqual([]);
    const total = await db.pool.query<{ n: number }>(
      "select count(*)::int as n from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace",
    );
    expect(total.rows[0]?.n).toBeGreaterThanOrEqual(11);
  });

  test('every function the migrations add to public pins search_path to an empty string', async () => {
    const { rows } = await db.pool.query<{ fn: string }>(
      `select p.oid::regprocedure::text as fn from pg_proc p
        where p.pronamespace = 'public'::regnamespace
          and not coalesce('search_path=""' = any (p.proconfig), false)`,
    );
    expect(rows).toEqual([]);
  });
});

describe('the adapter schema coach_internal', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  const views = ['profile_names', 'pillars', 'ratings', 'goals'];

  test.each(views.flatMap((view) => (['anon', 'authenticated'] as const).map((role) => [role, view] as const)))(
    '%s cannot read coach_internal.%s (it would show every user’s names and ratings)',
    async (role, view) => {
      const result = await runAs(db.pool, role, alice.id, `select * from coach_internal.${view}`);

      expect(result).toMatchObject({ ok: false, code: INSUFFICIENT_PRIVILEGE });
    },
  );

  test.each(['anon', 'authenticated'] as const)('%s cannot run the discovery or the refresh', async (role) => {
    for (const fn of ['discover_shape', 'refresh_adapter']) {
      const result = await runAs(db.pool, role, alice.id, `select coach_internal.${fn}()`);

      expect(result).toMatchObject({ ok: false, code: INSUFFICIENT_PRIVILEGE });
    }
  });

  test('service_role reads the views (the coach functions run as it)', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query('set local role service_role');
      const counts = [];
      for (const view of views) {
        const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from coach_internal.${view}`);
        counts.push(rows[0]?.n ?? 0);
      }
      expect(counts.every((n) => n > 0)).toBe(true);
    } finally {
      await client.query('rollback');
      client.release();
    }
  });
});

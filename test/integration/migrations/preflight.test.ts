/**
 * A database that cannot take the backend gets a message naming the table, the column and
 * what to do, and nothing is changed: not by `npm run migrate -- --check` (read-only), not
 * by `npm run migrate`, not by local mode with DATABASE_URL. And the adapter refresh, run
 * again after the app's tables changed, refuses the same way or rebuilds the views.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type pg from 'pg';
import { FIXTURE_USERS, pgExecutor, PreflightRefusal } from '../../../db/index';
import { openLocalDatabase } from '../../../local/database';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { migrateCli } from '../../support/migrate-cli';
import { createShapeDatabase, MISSING_COLUMN } from '../../support/shapes';
import { fingerprint } from './catalog';

async function fingerprintOf(db: TestDatabase): Promise<Awaited<ReturnType<typeof fingerprint>>> {
  const client = await db.pool.connect();
  try {
    return await fingerprint(pgExecutor(client));
  } finally {
    client.release();
  }
}

const PROBLEM_LINES = [
  '1. public.journal_ai_chats.device_id is NOT NULL without a default; the backend inserts rows without it, so every insert would fail.',
  'What to do: Give it a default (alter table public.journal_ai_chats alter column device_id set default …) or allow null (… alter column device_id drop not null).',
  '2. public.user_goals.is_active is missing; the coach sees active goals only.',
  'What to do: Add it (alter table public.user_goals add column is_active boolean default true) or rename the column that holds it to is_active.',
  'Result: REFUSED (2 problems).',
];

describe('a database missing a required column', () => {
  let db: TestDatabase;
  let before: Awaited<ReturnType<typeof fingerprint>>;

  beforeAll(async () => {
    db = await createShapeDatabase(MISSING_COLUMN);
    before = await fingerprintOf(db);
  });
  afterAll(async () => {
    await db?.drop();
  });

  test('migrate --check exits 1 and names each table, column and what to do', async () => {
    const result = await migrateCli(db.url, ['--check']);

    expect(result.code).toBe(1);
    for (const line of PROBLEM_LINES) expect(result.stdout).toContain(line);
    expect(result.stdout).toContain('    is_active             -                             -        -                       MISSING (the PRD names it)');
    expect(result.stdout).toContain('    other NOT NULL columns: device_id (NO DEFAULT)');
  });

  test('npm run migrate refuses before applying anything', async () => {
    const result = await migrateCli(db.url);

    expect(result.code).toBe(1);
    for (const line of PROBLEM_LINES) expect(result.stderr).toContain(line);
    expect(result.stderr).toContain('migrate: refused; nothing was applied.');
    expect(result.stdout).not.toContain('applied ');
  });

  test('local mode with DATABASE_URL refuses it too', async () => {
    const opening = openLocalDatabase({ databaseUrl: db.url });

    await expect(opening).rejects.toBeInstanceOf(PreflightRefusal);
    await expect(opening).rejects.toThrow(/public\.user_goals\.is_active is missing/);
  });

  test('the database is left exactly as it was (schema and rows)', async () => {
    const after = await fingerprintOf(db);

    expect(after).toEqual(before);
    expect(after.schema.some((line) => line.includes('supabase_migrations'))).toBe(false);
  });
});

describe('migrate --check on a database that can take the migrations', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ template: 'baseline' });
  });
  afterAll(async () => {
    await db?.drop();
  });

  test('passes and writes nothing, not even the history table', async () => {
    const before = await fingerprintOf(db);

    const result = await migrateCli(db.url, ['--check']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('supabase_migrations.schema_migrations does not exist yet');
    expect(await fingerprintOf(db)).toEqual(before);
  });
});

describe('the adapter refresh after the app changed its tables', () => {
  let db: TestDatabase;

  const refresh = (client: Pick<pg.Pool, 'query'>) => client.query('select coach_internal.refresh_adapter()');
  const nameOf = async (userId: string): Promise<unknown> => {
    const { rows } = await db.pool.query<{ r: { display_name: unknown } }>(
      'select public.coach_context_data($1::jsonb) as r',
      [JSON.stringify({ user_id: userId, goal_id: null, recent_limit: 1 })],
    );
    return rows[0]?.r.display_name;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  test('running it again changes nothing', async () => {
    const before = await fingerprintOf(db);

    await refresh(db.pool);

    expect(await fingerprintOf(db)).toEqual(before);
  });

  test('refuses, naming the table and column, while a required column is missing, and keeps the views', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query('alter table public.pillars rename column display_name to label');

      const error = await refresh(client).catch((e: unknown) => e);

      expect(error).toMatchObject({
        message: "The app's tables cannot take the coach backend; nothing was changed.",
        detail: expect.stringContaining('public.pillars.display_name is missing'),
      });
    } finally {
      await client.query('rollback');
      client.release();
    }
    expect(await nameOf(FIXTURE_USERS.alice.id)).toBe('Alice');
  });

  test('picks up a name column added later', async () => {
    await db.pool.query('alter table public.profiles add column nickname text');
    await db.pool.query(`update public.profiles set display_name = null, nickname = 'Ali' where id = $1`, [
      FIXTURE_USERS.alice.id,
    ]);
    expect(await nameOf(FIXTURE_USERS.alice.id)).toBe('Alice'); // from the auth metadata, until the refresh

    const { rows } = await refresh(db.pool);

    expect(rows[0]?.refresh_adapter.name_columns).toEqual(['display_name', 'nickname']);
    expect(await nameOf(FIXTURE_USERS.alice.id)).toBe('Ali');
  });
});

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import {
  applyMigrations,
  FIXTURE_COUNTS,
  FIXTURE_USERS,
  MigrationError,
  MIGRATIONS_DIR,
  pgExecutor,
  readMigrations,
  splitStatements,
} from '../../../db/index';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { fingerprint } from './catalog';

/** Runs `fn` with one connection of the database's pool, adapted as an executor. */
async function withExecutor<T>(db: TestDatabase, fn: (ex: ReturnType<typeof pgExecutor>, client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.pool.connect();
  try {
    return await fn(pgExecutor(client), client);
  } finally {
    client.release();
  }
}

async function count(db: TestDatabase, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(`select (${sql})::int as n`, params);
  return rows[0]?.n ?? -1;
}

describe('applying the migrations to the live-like database', () => {
  let db: TestDatabase;
  let allVersions: string[];

  beforeAll(async () => {
    db = await createTestDatabase({ template: 'baseline' });
    allVersions = (await readMigrations(MIGRATIONS_DIR)).map((f) => f.version);
  });
  afterAll(async () => {
    await db.drop();
  });

  test('the first run applies every migration file in order on the existing data', async () => {
    const applied = await withExecutor(db, (ex) => applyMigrations(ex, MIGRATIONS_DIR));

    expect(applied).toEqual(allVersions);
    expect(applied.length).toBeGreaterThanOrEqual(9);
    const recorded = await db.pool.query<{ version: string }>('select version from supabase_migrations.schema_migrations order by version');
    expect(recorded.rows.map((r) => r.version)).toEqual(allVersions);
  });

  test('existing messages, threads, goals and ratings survive with their content', async () => {
    expect(await count(db, 'select count(*) from public.journal_ai_chats')).toBe(FIXTURE_COUNTS.journalAiChats);
    expect(await count(db, 'select count(*) from public.user_goals')).toBe(FIXTURE_COUNTS.userGoals);
    expect(await count(db, 'select count(*) from public.pillar_ratings')).toBe(FIXTURE_COUNTS.pillarRatings);
    expect(await count(db, 'select count(*) from public.profiles')).toBe(FIXTURE_COUNTS.profiles);
    // One duplicate pair was merged into one row; every other thread is untouched.
    expect(await count(db, 'select count(*) from public.user_assistant_threads')).toBe(FIXTURE_COUNTS.userAssistantThreads - 1);
    expect(await count(db, 'select count(*) from public.journal_ai_chats where user_id = $1', [FIXTURE_USERS.alice.id])).toBe(
      FIXTURE_USERS.alice.chatRows,
    );

    const { rows } = await db.pool.query(
      `select message, response, message_type, chat_type, goal_id, fallback, variant, run_id
         from public.journal_ai_chats where id = '40000000-0000-4000-8000-000000000003'`,
    );
    expect(rows).toEqual([
      {
        message: 'How can I keep up my evening walks when it rains?',
        response: null,
        message_type: 'user',
        chat_type: 'pillar_health',
        goal_id: FIXTURE_USERS.alice.goals.eveningWalks,
        fallback: false,
        variant: null,
        run_id: null,
      },
    ]);
    const thread = await db.pool.query(
      'select thread_id, legacy_thread_ids, total_tokens_used from public.user_assistant_threads where id = $1',
      [FIXTURE_USERS.alice.threads.general.id],
    );
    expect(thread.rows).toEqual([
      { thread_id: FIXTURE_USERS.alice.threads.general.threadId, legacy_thread_ids: [], total_tokens_used: 0 },
    ]);
  });

  test('a second run applies nothing and changes nothing', async () => {
    const before = await withExecutor(db, (ex) => fingerprint(ex));

    const applied = await withExecutor(db, (ex) => applyMigrations(ex, MIGRATIONS_DIR));

    expect(applied).toEqual([]);
    expect(await withExecutor(db, (ex) => fingerprint(ex))).toEqual(before);
  });

  test('re-running the raw SQL files, bypassing the history, succeeds and changes nothing', async () => {
    const before = await withExecutor(db, (ex) => fingerprint(ex));

    for (const file of await readMigrations(MIGRATIONS_DIR)) {
      // As `psql -f` or the SQL editor would: the whole file, one implicit transaction.
      await db.pool.query(file.sql);
    }

    expect(await withExecutor(db, (ex) => fingerprint(ex))).toEqual(before);
  });
});

describe('the migration history', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ template: 'baseline' });
  });
  afterAll(async () => {
    await db.drop();
  });

  test('a database whose history the Supabase CLI started is continued, not re-applied', async () => {
    const files = await readMigrations(MIGRATIONS_DIR);
    const [first, second] = files;
    if (!first || !second) throw new Error('expected at least two migration files');
    // What `supabase db push` does for the first two files: its table DDL, the SQL, its rows.
    await db.pool.query(`
      set lock_timeout = '4s';
      create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.schema_migrations (version text not null primary key);
      alter table supabase_migrations.schema_migrations add column if not exists statements text[];
      alter table supabase_migrations.schema_migrations add column if not exists name text;
      reset lock_timeout;`);
    for (const file of [first, second]) {
      await db.pool.query(file.sql);
      await db.pool.query('insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)', [
        file.version,
        file.name,
        file.statements,
      ]);
    }

    const applied = await withExecutor(db, (ex) => applyMigrations(ex, MIGRATIONS_DIR));

    expect(applied).toEqual(files.slice(2).map((f) => f.version));
  });

  test('rows have the Supabase CLI shape: version, name and the split statements', async () => {
    const columns = await db.pool.query(
      `select column_name, data_type, is_nullable from information_schema.columns
        where table_schema = 'supabase_migrations' and table_name = 'schema_migrations' order by ordinal_position`,
    );
    expect(columns.rows).toEqual([
      { column_name: 'version', data_type: 'text', is_nullable: 'NO' },
      { column_name: 'statements', data_type: 'ARRAY', is_nullable: 'YES' },
      { column_name: 'name', data_type: 'text', is_nullable: 'YES' },
    ]);
    const pk = await db.pool.query(
      `select pg_get_constraintdef(oid) as def from pg_constraint
        where conrelid = 'supabase_migrations.schema_migrations'::regclass and contype = 'p'`,
    );
    expect(pk.rows).toEqual([{ def: 'PRIMARY KEY (version)' }]);

    const { rows } = await db.pool.query<{ version: string; name: string; statements: string[] }>(
      'select version, name, statements from supabase_migrations.schema_migrations order by version',
    );
    const names = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
    expect(rows.map((r) => `${r.version}_${r.name}.sql`)).toEqual(names);
    for (const row of rows) {
      expect(row.version).toMatch(/^\d{14}$/);
      const sql = await readFile(path.join(MIGRATIONS_DIR, `${row.version}_${row.name}.sql`), 'utf8');
      expect(row.statements).toEqual(splitStatements(sql));
      expect(row.statements.every((s) => s.length > 0 && !s.endsWith(';'))).toBe(true);
    }
  });

  test('migration file names follow the Supabase CLI convention, lowercase with a header comment', async () => {
    const files = await readMigrations(MIGRATIONS_DIR);

    for (const file of files) {
      expect(file.fileName).toMatch(/^\d{14}_[a-z0-9_]+\.sql$/);
      expect(file.sql.startsWith('-- ')).toBe(true);
    }
  });
});

describe('a failing migration file', () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase({ template: 'baseline' });
    dir = await mkdtemp(path.join(tmpdir(), 'mivia-migrations-'));
    const files = await readMigrations(MIGRATIONS_DIR);
    const [first] = files;
    if (!first) throw new Error('expected a migration file');
    await copyFile(first.path, path.join(dir, first.fileName));
    await writeFile(
      path.join(dir, '20991231000000_broken.sql'),
      [
        '-- Creates a table and a row, then fails: none of it may remain.',
        'create table public.half_applied (id int primary key);',
        'insert into public.half_applied values (1);',
        "alter table public.journal_ai_chats add column if not exists half_applied_note text;",
        'select 1 / 0;',
        '',
      ].join('\n'),
    );
    await writeFile(path.join(dir, '20991231000100_after_broken.sql'), '-- Never reached.\ncreate table public.after_broken (id int);\n');
  });
  afterAll(async () => {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test('is rolled back entirely, not recorded, and stops the files after it', async () => {
    const run = withExecutor(db, (ex) => applyMigrations(ex, dir));

    await expect(run).rejects.toBeInstanceOf(MigrationError);
    await expect(run).rejects.toMatchObject({
      file: '20991231000000_broken.sql',
      statementIndex: 3,
      postgresMessage: expect.stringContaining('division by zero'),
    });
    const relations = await db.pool.query(
      "select to_regclass('public.half_applied') as half, to_regclass('public.after_broken') as after",
    );
    expect(relations.rows).toEqual([{ half: null, after: null }]);
    expect(
      await count(db, "select count(*) from information_schema.columns where table_name = 'journal_ai_chats' and column_name = 'half_applied_note'"),
    ).toBe(0);
    const history = await db.pool.query<{ version: string }>('select version from supabase_migrations.schema_migrations order by version');
    const firstVersion = (await readdir(dir)).sort()[0]?.slice(0, 14);
    expect(history.rows.map((r) => r.version)).toEqual([firstVersion]);
  });

  test('the connection is usable afterwards and a fixed file then applies', async () => {
    await writeFile(path.join(dir, '20991231000000_broken.sql'), '-- Fixed.\ncreate table public.half_applied (id int primary key);\n');

    const applied = await withExecutor(db, (ex) => applyMigrations(ex, dir));

    expect(applied).toEqual(['20991231000000', '20991231000100']);
  });
});

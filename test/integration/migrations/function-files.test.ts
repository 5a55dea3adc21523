/**
 * The SQL functions live in db/functions/ (one file each) and migrations are generated from
 * them. The latest definition of every function in migrations/ is its file, the migrated
 * database has exactly those functions, a change to one function is a migration of that
 * function alone, and a database that ran the landed 20261124100900 (created from the
 * invented columns) ends with the same functions, views and privileges as a fresh one.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  applyMigrations,
  latestDefinitions,
  MIGRATIONS_DIR,
  pgExecutor,
  planFunctionMigration,
  readFunctionSources,
  readMigrations,
  renderFunctionMigration,
  signature,
  splitStatements,
  type FunctionSource,
  type MigrationFile,
} from '../../../db/index';
import { createTestDatabase, type TestDatabase } from '../../support/database';

const LANDED_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/landed-migrations');

/** Functions (full definition and ACL), views and indexes of everything the backend owns. */
async function backendCatalog(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.pool.query<{ line: string }>(`
    select format('function %s acl=%s %s', p.oid::regprocedure, coalesce(p.proacl::text, '-'), pg_get_functiondef(p.oid)) as line
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'coach_internal' or (n.nspname = 'public' and (p.proname like 'coach\\_%' or p.proname like '\\_coach\\_%'))
    union all
    select format('view %s acl=%s %s', c.oid::regclass, coalesce(c.relacl::text, '-'), pg_get_viewdef(c.oid))
      from pg_class c where c.relnamespace = 'coach_internal'::regnamespace and c.relkind = 'v'
    union all
    select format('index %s', indexdef) from pg_indexes where schemaname in ('public', 'coach_internal')
    order by 1`);
  return rows.map((r) => r.line);
}

async function migrate(db: TestDatabase, dir: string): Promise<string[]> {
  const client = await db.pool.connect();
  try {
    return await applyMigrations(pgExecutor(client), dir);
  } finally {
    client.release();
  }
}

describe('db/functions and the migrations generated from them', () => {
  let sources: FunctionSource[];
  let migrations: MigrationFile[];
  let db: TestDatabase;

  beforeAll(async () => {
    sources = await readFunctionSources();
    migrations = await readMigrations(MIGRATIONS_DIR);
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  test('the latest definition of every function in migrations/ is exactly its file', () => {
    const latest = latestDefinitions(migrations);

    expect([...latest.keys()].sort()).toEqual(sources.map((s) => s.qualifiedName).sort());
    for (const source of sources) expect(latest.get(source.qualifiedName)?.statement).toBe(source.statement);
  });

  test('npm run db:functions -- --check finds migrations/ up to date', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/db-functions.ts', '--check'], {
      cwd: path.dirname(MIGRATIONS_DIR),
      env: { ...process.env, NODE_OPTIONS: '' },
    });

    expect(stdout).toContain('migrations/ is up to date with db/functions/');
  });

  test('after migrating, the coach functions are exactly the files: no other coach_*, _coach_* or coach_internal function', async () => {
    const { rows } = await db.pool.query<{ fn: string }>(`
      select p.oid::regprocedure::text as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = 'coach_internal' or (n.nspname = 'public' and (p.proname like 'coach\\_%' or p.proname like '\\_coach\\_%'))
       order by 1`);
    const expected = await db.pool.query<{ fn: string }>(
      'select s::regprocedure::text as fn from unnest($1::text[]) as s order by 1',
      [sources.map(signature)],
    );

    expect(rows.map((r) => r.fn)).toEqual(expected.rows.map((r) => r.fn));
    expect(rows.length).toBe(sources.length);
  });

  test('changing one function generates a migration of that function and its privileges only', () => {
    const changed = sources.map((s) =>
      s.qualifiedName === 'public._coach_pending_deadline'
        ? { ...s, statement: s.statement.replace("interval '20 minutes'", "interval '25 minutes'") }
        : s,
    );

    const plan = planFunctionMigration(changed, latestDefinitions(migrations));
    const text = renderFunctionMigration(plan);
    const statements = splitStatements(text);

    expect(plan.changed.map((f) => f.qualifiedName)).toEqual(['public._coach_pending_deadline']);
    expect(plan.dropped).toEqual([]);
    expect(statements.slice(1)).toEqual([
      'revoke execute on function public._coach_pending_deadline() from public, anon, authenticated',
      'grant execute on function public._coach_pending_deadline() to service_role',
    ]);
    expect(statements[0]).toMatch(/^-- Generated by `npm run db:functions`/);
    expect(statements[0]).toContain("interval '25 minutes'");
    const next: MigrationFile = { ...migrations.at(-1)!, version: '29991231000000', statements };
    expect(latestDefinitions([...migrations, next]).get('public._coach_pending_deadline')?.statement).toBe(
      changed.find((s) => s.qualifiedName === 'public._coach_pending_deadline')?.statement,
    );
  });

  test('a changed signature drops the old one first; a removed file drops its function', () => {
    const iso = sources.find((s) => s.qualifiedName === 'public._coach_iso')!;
    const retyped = { ...iso, identityArgs: ['timestamp'], statement: iso.statement.replace('(ts timestamptz)', '(ts timestamp)') };
    const without = sources.filter((s) => s.qualifiedName !== 'public._coach_refusal' && s !== iso);

    const plan = planFunctionMigration([...without, retyped], latestDefinitions(migrations));
    const text = renderFunctionMigration(plan);

    expect(plan.changed.map((f) => signature(f))).toEqual(['public._coach_iso(timestamp)']);
    expect(plan.dropped.map((d) => signature(d)).sort()).toEqual([
      'public._coach_iso(timestamptz)',
      'public._coach_refusal(int, text, text)',
    ]);
    expect(text).toContain('drop function if exists public._coach_iso(timestamptz);');
    expect(text).toContain('drop function if exists public._coach_refusal(int, text, text);');
  });

  test('no changes, no migration', () => {
    const plan = planFunctionMigration(sources, latestDefinitions(migrations));

    expect(plan).toEqual({ changed: [], dropped: [], dropAll: false });
  });
});

describe('a database that ran the landed 20261124100900', () => {
  let landed: TestDatabase;
  let fresh: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    landed = await createTestDatabase({ template: 'baseline' });
    fresh = await createTestDatabase({ template: 'baseline' });
    // The migrations as they were when 20261124100900 landed: the same files up to 101000,
    // with the landed 100800 and 100900 (test/fixtures/landed-migrations/).
    dir = await mkdtemp(path.join(tmpdir(), 'mivia-landed-'));
    const landedFiles = new Set(await readdir(LANDED_DIR));
    for (const file of await readMigrations(MIGRATIONS_DIR)) {
      if (file.version > '20261124101000') continue;
      const from = landedFiles.has(file.fileName) ? path.join(LANDED_DIR, file.fileName) : file.path;
      await copyFile(from, path.join(dir, file.fileName));
    }
  });
  afterAll(async () => {
    await landed?.drop();
    await fresh?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test('ran the old functions, then ends with the same functions, views, privileges and indexes as a fresh database', async () => {
    await migrate(landed, dir);
    const old = await landed.pool.query("select to_regprocedure('public._coach_iso(timestamp)') is not null as present");
    expect(old.rows).toEqual([{ present: true }]);

    const appliedLater = await migrate(landed, MIGRATIONS_DIR);
    await migrate(fresh, MIGRATIONS_DIR);

    expect(appliedLater.every((v) => v > '20261124101000')).toBe(true);
    const catalog = await backendCatalog(landed);
    expect(catalog).toEqual(await backendCatalog(fresh));
    expect(catalog.some((l) => l.includes('_coach_iso(timestamp with time zone)'))).toBe(true);
    expect(catalog.some((l) => l.includes('_coach_iso(timestamp without time zone)'))).toBe(false);
  });
});

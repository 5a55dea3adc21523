/**
 * The database as MiVia's live Supabase project is before our migrations: Supabase's roles,
 * `auth` schema and default grants, the app's existing tables with their RLS, and the pillar
 * reference rows. Tests build their templates from it; local mode boots PGlite from it.
 * Every file is idempotent, so applying the baseline twice (or to a database that already
 * has it) changes nothing.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlExecutor } from './executor';
import { DEMO_USER_EMAIL, DEMO_USER_ID } from './fixtures';

const here = path.dirname(fileURLToPath(import.meta.url));

/** `db/baseline/`: numbered schema files, then `existing-rows.sql`. */
export const BASELINE_DIR = path.join(here, 'baseline');
/** `db/seed/`: data for local mode. */
export const SEED_DIR = path.join(here, 'seed');
/** `migrations/` at the repository root (Supabase CLI layout). */
export const MIGRATIONS_DIR = path.resolve(here, '..', 'migrations');

/** Runs a SQL script inside one transaction, so a failing script leaves nothing behind. */
export async function execInTransaction(executor: SqlExecutor, sql: string): Promise<void> {
  await executor.exec('begin');
  try {
    await executor.exec(sql);
    await executor.exec('commit');
  } catch (error) {
    await executor.exec('rollback').catch(() => undefined);
    throw error;
  }
}

async function execFile(executor: SqlExecutor, file: string): Promise<void> {
  const sql = await readFile(file, 'utf8');
  try {
    await execInTransaction(executor, sql);
  } catch (error) {
    throw new Error(`${path.relative(path.resolve(here, '..'), file)} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Applies the Supabase-like baseline. With `existingRows`, also the realistic pre-existing
 * rows of `existing-rows.sql` (users, ratings, goals, chats, duplicate threads), whose ids
 * are exported by `db/fixtures.ts`.
 */
export async function applyBaseline(
  executor: SqlExecutor,
  options: { readonly existingRows: boolean },
): Promise<void> {
  const files = (await readdir(BASELINE_DIR)).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();
  for (const file of files) await execFile(executor, path.join(BASELINE_DIR, file));
  if (options.existingRows) await execFile(executor, path.join(BASELINE_DIR, 'existing-rows.sql'));
}

/** The baseline files that are Supabase's, not the app's: roles, `auth`, default grants, realtime. */
const PLATFORM_FILES = [
  '010_roles.sql',
  '020_auth.sql',
  '030_public_grants.sql',
  '060_realtime_publication.sql',
];

/**
 * Applies only Supabase's part of the baseline, for tests that bring the app's tables in
 * another shape (test/fixtures/shapes/).
 */
export async function applySupabasePlatform(executor: SqlExecutor): Promise<void> {
  for (const file of PLATFORM_FILES) await execFile(executor, path.join(BASELINE_DIR, file));
}

/**
 * Adds a local-mode user (`db/seed/local-user.sql`): the auth user, with `email` (default
 * `<id>@mivia.local`) and `metadata`, and a profile row where the app's table allows one;
 * idempotent, an existing user is left alone.
 */
export async function applyLocalUser(
  executor: SqlExecutor,
  userId: string,
  options: { readonly email?: string; readonly metadata?: Readonly<Record<string, unknown>> } = {},
): Promise<void> {
  const sql = await readFile(path.join(SEED_DIR, 'local-user.sql'), 'utf8');
  await executor.exec('begin');
  try {
    // Transaction-local settings, which the script reads: never spliced into its SQL.
    await executor.query(
      `select pg_catalog.set_config('mivia.local_user_id', $1, true),
              pg_catalog.set_config('mivia.local_user_email', $2, true),
              pg_catalog.set_config('mivia.local_user_meta', $3, true)`,
      [userId, options.email ?? `${userId}@mivia.local`, JSON.stringify(options.metadata ?? {})],
    );
    await executor.exec(sql);
    await executor.exec('commit');
  } catch (error) {
    await executor.exec('rollback').catch(() => undefined);
    throw new Error(`db/seed/local-user.sql failed: ${(error as Error).message}`, { cause: error });
  }
}

/** Adds the local-mode demo user (`DEMO_USER_ID` in `db/fixtures.ts`, "Sam"); idempotent. */
export async function applyDemoSeed(executor: SqlExecutor): Promise<void> {
  await applyLocalUser(executor, DEMO_USER_ID, { email: DEMO_USER_EMAIL, metadata: { display_name: 'Sam' } });
  await execFile(executor, path.join(SEED_DIR, 'demo.sql'));
}

/**
 * Applies `migrations/*.sql` and records them exactly as the Supabase CLI does, so
 * `npm run migrate` and `supabase db push` can take turns on the same database.
 *
 * History table (supabase/cli `pkg/migration/history.go`):
 * `supabase_migrations.schema_migrations (version text not null primary key, statements text[], name text)`;
 * a file `20261124100000_chat_runs.sql` is recorded as version `20261124100000`, name
 * `chat_runs`, and its statements split as the CLI splits them.
 *
 * Each file runs in its own transaction together with its history row: a failing file
 * leaves nothing behind (neither its changes nor a history row), and the files after it
 * are not attempted.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SqlExecutor } from './executor';
import { splitStatements } from './split-statements';

export interface MigrationFile {
  /** The timestamp prefix, e.g. `20261124100000`. */
  readonly version: string;
  /** The rest of the file name without `.sql`, e.g. `chat_runs`. */
  readonly name: string;
  readonly fileName: string;
  readonly path: string;
  readonly sql: string;
  readonly statements: readonly string[];
}

/** The Supabase CLI's file name rule (`^([0-9]+)_(.*)\.sql$`). */
const MIGRATION_FILE = /^([0-9]+)_(.*)\.sql$/;

/** Serializes concurrent runners on one database (any constant works; this one is ours). */
const MIGRATION_LOCK_KEY = 7_341_202_611;

/** The statements the CLI runs before reading or writing its history. */
export const HISTORY_TABLE_SQL = [
  'create schema if not exists supabase_migrations',
  'create table if not exists supabase_migrations.schema_migrations (version text not null primary key)',
  'alter table supabase_migrations.schema_migrations add column if not exists statements text[]',
  'alter table supabase_migrations.schema_migrations add column if not exists name text',
].join(';\n');

/** A migration file failed; nothing of it was applied. */
export class MigrationError extends Error {
  constructor(
    readonly file: string,
    readonly statementIndex: number | null,
    readonly statement: string | null,
    readonly postgresMessage: string,
    options: { readonly cause: unknown },
  ) {
    super(
      `migration ${file} failed${statementIndex === null ? '' : ` at statement ${statementIndex + 1}`}: ${postgresMessage}`,
      options,
    );
    this.name = 'MigrationError';
  }
}

/** Reads the migration files of `dir` in version order. */
export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((f) => MIGRATION_FILE.test(f)).sort();
  const files: MigrationFile[] = [];
  for (const fileName of names) {
    const match = MIGRATION_FILE.exec(fileName);
    if (!match) continue;
    const filePath = path.join(dir, fileName);
    const sql = await readFile(filePath, 'utf8');
    files.push({
      version: match[1] as string,
      name: match[2] as string,
      fileName,
      path: filePath,
      sql,
      statements: splitStatements(sql),
    });
  }
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.version))
      throw new Error(`two migration files share version ${file.version} in ${dir}`);
    seen.add(file.version);
  }
  return files;
}

/** Creates the CLI-compatible history schema and table if missing (a no-op when present). */
export async function ensureHistoryTable(executor: SqlExecutor): Promise<void> {
  await executor.exec(HISTORY_TABLE_SQL);
}

/** Versions recorded in the history table, in order. */
export async function appliedVersions(executor: SqlExecutor): Promise<string[]> {
  await ensureHistoryTable(executor);
  const rows = await executor.query<{ version: string }>(
    'select version from supabase_migrations.schema_migrations order by version',
  );
  return rows.map((r) => r.version);
}

export interface ApplyMigrationsOptions {
  /** Called once per applied file, e.g. to print progress. */
  readonly onApplied?: (file: MigrationFile) => void;
}

/**
 * Applies the files of `dir` not yet in the history, in order, and returns their versions
 * (empty when the database is up to date). Throws `MigrationError` on the first failure,
 * after rolling that file back.
 */
export async function applyMigrations(
  executor: SqlExecutor,
  dir: string,
  options: ApplyMigrationsOptions = {},
): Promise<string[]> {
  const files = await readMigrations(dir);
  const done = new Set(await appliedVersions(executor));
  const applied: string[] = [];
  for (const file of files) {
    if (done.has(file.version)) continue;
    if (await applyMigrationFile(executor, file)) {
      applied.push(file.version);
      options.onApplied?.(file);
    }
  }
  return applied;
}

/**
 * Runs one file and inserts its history row in one transaction. Returns false when another
 * runner applied the same version meanwhile (checked under an advisory lock).
 */
export async function applyMigrationFile(executor: SqlExecutor, file: MigrationFile): Promise<boolean> {
  await executor.exec('begin');
  let index: number | null = null;
  try {
    await executor.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    const already = await executor.query(
      'select 1 from supabase_migrations.schema_migrations where version = $1',
      [file.version],
    );
    if (already.length > 0) {
      await executor.exec('rollback');
      return false;
    }
    for (const [i, statement] of file.statements.entries()) {
      index = i;
      await executor.exec(statement);
    }
    index = null;
    await executor.query(
      'insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)',
      [file.version, file.name, file.statements],
    );
    await executor.exec('commit');
    return true;
  } catch (error) {
    await executor.exec('rollback').catch(() => undefined);
    throw new MigrationError(
      file.fileName,
      index,
      index === null ? null : (file.statements[index] ?? null),
      describePostgresError(error),
      { cause: error },
    );
  }
}

/** The Postgres error as a human reads it: message, detail, hint and SQLSTATE when present. */
export function describePostgresError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const fields = error as Error & { code?: unknown; detail?: unknown; hint?: unknown };
  const parts = [error.message];
  if (typeof fields.detail === 'string' && fields.detail) parts.push(`detail: ${fields.detail}`);
  if (typeof fields.hint === 'string' && fields.hint) parts.push(`hint: ${fields.hint}`);
  if (typeof fields.code === 'string' && fields.code) parts.push(`sqlstate: ${fields.code}`);
  return parts.join('; ');
}

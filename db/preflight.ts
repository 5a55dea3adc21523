/**
 * The migration preflight (`npm run migrate -- --check`, and the first step of every
 * `npm run migrate`): inside one read-only transaction it discovers the shape of the app's
 * tables (the same query as `coach_internal.discover_shape()`), counts their rows, reads the
 * migration history and tells what each pending file will do. `ok` is false when the
 * database cannot take the migrations; then nothing may be applied.
 */
import type { SqlExecutor } from './executor';
import { readMigrations } from './migrations';
import { CatalogProbe, describeMigration } from './preflight-effects';
import { discoverShape, type DatabaseShape } from './shape';

export interface PendingMigration {
  readonly fileName: string;
  readonly effects: readonly string[];
}

export interface PreflightReport {
  /** `version()` of the server. */
  readonly server: string;
  readonly shape: DatabaseShape;
  /** Rows per present table (`schema.table`). */
  readonly rowCounts: Readonly<Record<string, number>>;
  /** Whether `supabase_migrations.schema_migrations` exists yet, and what it records. */
  readonly history: { readonly present: boolean; readonly applied: readonly string[] };
  readonly pending: readonly PendingMigration[];
  readonly ok: boolean;
}

/** Runs the preflight on one session; leaves no trace (the transaction is rolled back). */
export async function runPreflight(executor: SqlExecutor, migrationsDir: string): Promise<PreflightReport> {
  const files = await readMigrations(migrationsDir);
  await executor.exec('begin transaction read only');
  try {
    await executor.exec("set local search_path = ''; set local timezone = 'UTC'");
    const probe = new CatalogProbe(executor);
    const server = (await probe.one<string>('select pg_catalog.version() as v')) ?? 'unknown';
    const shape = await discoverShape(executor);
    const rowCounts: Record<string, number> = {};
    for (const table of shape.tables.filter((t) => t.present)) {
      rowCounts[table.table] = (await probe.rows(table.table)) ?? 0;
    }
    const present = await probe.exists('supabase_migrations.schema_migrations');
    const applied = present
      ? (
          await executor.query<{ version: string }>(
            'select version from supabase_migrations.schema_migrations order by version',
          )
        ).map((r) => r.version)
      : [];
    const done = new Set(applied);
    const pending: PendingMigration[] = [];
    for (const file of files.filter((f) => !done.has(f.version))) {
      pending.push({ fileName: file.fileName, effects: await describeMigration(file, probe, shape) });
    }
    return {
      server,
      shape,
      rowCounts,
      history: { present, applied },
      pending,
      ok: shape.problems.length === 0,
    };
  } finally {
    await executor.exec('rollback');
  }
}

/** Thrown when the preflight finds the database cannot take the migrations. */
export class PreflightRefusal extends Error {
  constructor(readonly report: PreflightReport) {
    super(
      `the database cannot take the migrations; nothing was changed:\n${report.shape.problems
        .map((p) => `- ${p.message} ${p.action}`)
        .join('\n')}`,
    );
    this.name = 'PreflightRefusal';
  }
}

/** Runs the preflight and throws `PreflightRefusal` unless the database can take the migrations. */
export async function assertPreflight(
  executor: SqlExecutor,
  migrationsDir: string,
): Promise<PreflightReport> {
  const report = await runPreflight(executor, migrationsDir);
  if (!report.ok) throw new PreflightRefusal(report);
  return report;
}

/**
 * A fingerprint of every row of every table of a test database (the app's tables, the
 * backend's, `auth.users`, the migration history): per table, its row count and the newest
 * row version (`xmin`). An insert or a delete changes the count; an insert or an update
 * writes a new row version. Reads change neither, so two equal fingerprints around a request
 * mean it wrote nothing, wherever it might have.
 */
import type pg from 'pg';

/** Table name → `count:newest xmin`. */
export type RowFingerprint = Readonly<Record<string, string>>;

export interface RowFingerprinter {
  /** The tables it covers, `schema.table`. */
  readonly tables: readonly string[];
  take(): Promise<RowFingerprint>;
}

const SYSTEM_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_toast'];

/** Finds the tables once (from the catalog), then fingerprints them all in one query. */
export async function rowFingerprinter(pool: pg.Pool): Promise<RowFingerprinter> {
  const { rows } = await pool.query<{ name: string; quoted: string }>(
    `select n.nspname || '.' || c.relname as name,
            format('%I.%I', n.nspname, c.relname) as quoted
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and not (n.nspname = any($1)) and n.nspname not like 'pg_temp%'
      order by 1`,
    [SYSTEM_SCHEMAS],
  );
  if (rows.length === 0) throw new Error('rowFingerprinter: the database has no tables');
  const sql = rows
    .map(
      (t) =>
        `select ${quoteLiteral(t.name)} as name, count(*)::text || ':' || coalesce(max(xmin::text::bigint), 0)::text as print from ${t.quoted}`,
    )
    .join('\nunion all\n');
  return {
    tables: rows.map((t) => t.name),
    async take() {
      const result = await pool.query<{ name: string; print: string }>(sql);
      return Object.fromEntries(result.rows.map((r) => [r.name, r.print]));
    },
  };
}

function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The tables whose fingerprint differs, with both values (empty when nothing was written). */
export function changedTables(before: RowFingerprint, after: RowFingerprint): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => before[n] !== after[n]).map((n) => `${n} ${before[n]} → ${after[n]}`);
}

/**
 * `npm run report -- --days 7`: the operators' reports (db/reports.ts) of the last N UTC days,
 * today included, as tables; `--from YYYY-MM-DD --to YYYY-MM-DD` for another range, `--json`
 * for machines (the functions' rows, as they return them).
 *
 * The database: `DATABASE_URL` (a Supabase project, `supabase start`'s, or the PostgreSQL the
 * local API runs on with DATABASE_URL), read in a session and a transaction that cannot
 * write. Or, without it, `LOCAL_PGLITE_DIR`: the folder the local API keeps its embedded
 * database in when started with the same variable (stop `npm start` first: one process at a
 * time may open that folder). The default local API's database is in memory and gone when
 * it stops, so it cannot be reported on.
 */
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import {
  lastDays,
  pgExecutor,
  pgliteExecutor,
  readReports,
  ReportRangeError,
  type Reports,
  type SqlExecutor,
} from '../db/index';

const USAGE =
  'usage: npm run report -- [--days N | --from YYYY-MM-DD --to YYYY-MM-DD] [--json]\n' +
  '  database: DATABASE_URL, or LOCAL_PGLITE_DIR (the local API started with it, then stopped)';

type Cell = string | number | null;

/** A wrong command line or a missing database setting: exit code 2 with the usage. */
class UsageError extends Error {}

/** A plain text table: a title, a header, numbers right-aligned, `(none)` when empty. */
function table(title: string, header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((row) => row.map((c) => (c === null ? '-' : String(c))));
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => r[i]?.length ?? 0)));
  // Counts, times, rates and money right-aligned; days, names and ids left-aligned.
  const numeric = header.map(
    (_h, i) => text.length > 0 && text.every((r) => /^(-?[\d.]+%?|-)$/.test(r[i] ?? '')),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const body = rows.length === 0 ? ['(none)'] : text.map(line);
  return [title, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body].join('\n');
}

/** A rate as a percentage with one decimal, or null (shown as `-`) when there was no basis. */
function percent(rate: number | null): string | null {
  return rate === null ? null : `${(rate * 100).toFixed(1)}%`;
}

const REPLY_HEADER = ['messages', 'avg_ms', 'p90_ms', 'fallback', 'rated', 'thumbs_up', 'tokens', 'cost_usd'];

function replyCells(r: Reports['variants'][number]): Cell[] {
  return [
    r.messages,
    r.avg_response_ms,
    r.p90_response_ms,
    percent(r.fallback_rate),
    r.rated,
    percent(r.thumbs_up_rate),
    r.tokens,
    r.cost_usd.toFixed(6),
  ];
}

/** The four reports as text tables. */
function formatReports(reports: Reports): string {
  const total = reports.users.reduce((sum, u) => sum + u.cost_usd, 0);
  return [
    `MiVia coach report, ${reports.from} to ${reports.to} (UTC days)`,
    table(
      'Replies per day and variant (fallbacks count under openai)',
      ['day', 'variant', ...REPLY_HEADER],
      reports.variants.map((r) => [r.day, r.variant, ...replyCells(r)]),
    ),
    table(
      'Replies per day, variant and cohort (turns that recorded a cohort)',
      ['day', 'variant', 'cohort', ...REPLY_HEADER],
      reports.cohorts.map((r) => [r.day, r.variant, r.cohort, ...replyCells(r)]),
    ),
    table(
      `OpenAI usage per day and user (total cost ${total.toFixed(6)} USD; user - = erased)`,
      ['day', 'user_id', 'responses', 'tokens', 'cost_usd'],
      reports.users.map((u) => [u.day, u.user_id ?? '-', u.responses, u.tokens, u.cost_usd.toFixed(6)]),
    ),
    table(
      'Safety events per day',
      ['day', 'source', 'category', 'action', 'events'],
      reports.safety.map((s) => [s.day, s.source, s.category, s.action, s.events]),
    ),
  ].join('\n\n');
}

/** Opens the database to report on and hands an executor to `use`; closes it after. */
async function withDatabase<T>(
  env: NodeJS.ProcessEnv,
  use: (executor: SqlExecutor) => Promise<T>,
): Promise<T> {
  if (env.DATABASE_URL) {
    const client = new pg.Client({ connectionString: env.DATABASE_URL, application_name: 'mivia-report' });
    await client.connect();
    try {
      // Besides readReports' read-only transaction: this session cannot write at all.
      await client.query('set default_transaction_read_only = on');
      return await use(pgExecutor(client));
    } finally {
      await client.end();
    }
  }
  if (env.LOCAL_PGLITE_DIR) {
    const db = await PGlite.create({ dataDir: env.LOCAL_PGLITE_DIR });
    try {
      return await use(pgliteExecutor(db));
    } finally {
      await db.close();
    }
  }
  throw new UsageError(
    'no database: set DATABASE_URL, or LOCAL_PGLITE_DIR to the folder the local API was started with ' +
      '(`LOCAL_PGLITE_DIR=.tmp/pglite npm start`, chat, stop it, then report)',
  );
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function parseRange(values: { days?: string; from?: string; to?: string }): { from: string; to: string } {
  if (values.from !== undefined || values.to !== undefined) {
    if (values.days !== undefined) throw new UsageError('give --days or --from/--to, not both');
    if (!values.from || !values.to || !DAY.test(values.from) || !DAY.test(values.to))
      throw new UsageError('--from and --to take days as YYYY-MM-DD (UTC), both');
    return { from: values.from, to: values.to };
  }
  const days = Number(values.days ?? '7');
  if (!/^\d+$/.test(values.days ?? '7') || days < 1 || days > 366)
    throw new UsageError('--days takes a whole number of days from 1 to 366');
  return lastDays(days);
}

async function main(): Promise<number> {
  try {
    const { values } = parseArgs({
      options: {
        days: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    const range = parseRange(values);
    const reports = await withDatabase(process.env, (executor) => readReports(executor, range));
    process.stdout.write(
      values.json ? `${JSON.stringify(reports, null, 2)}\n` : `${formatReports(reports)}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ReportRangeError || isArgError(error)) {
      console.error(`report: ${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    console.error(`report: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

/** parseArgs' own refusals (an unknown option, a missing value). */
function isArgError(error: unknown): boolean {
  return error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}

process.exitCode = await main();

/**
 * The `pg` pool of the SQL store (local mode with `DATABASE_URL`, tests, benchmarks), with
 * the budgets the store's callers expect: a connection is refused after 5 s instead of
 * waiting forever, a statement is cancelled by the server after 10 s, idle connections close.
 */
import pg from 'pg';

export const CONNECT_TIMEOUT_MS = 5_000;
export const STATEMENT_TIMEOUT_MS = 10_000;

export function storePool(connectionString: string, options: { readonly max?: number } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 5,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection the server closes (a restart, an admin terminating it) is reported on the
  // pool; without a listener that would crash the process. The pool drops the connection and
  // the next query opens a new one, so there is nothing else to do.
  pool.on('error', () => undefined);
  return pool;
}

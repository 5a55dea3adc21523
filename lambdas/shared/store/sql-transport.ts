/**
 * The transport that calls the store's functions over SQL: a `pg` pool (local mode with
 * `DATABASE_URL`, tests, benchmarks) or PGlite (embedded local mode). The Lambdas use
 * PostgREST `.rpc()` instead (`supabase-transport.ts`), so no function bundle carries a driver.
 */
import { StoreUnavailableError } from '../errors';
import { assertStoreFunction, type StoreTransport } from './transport';

/** Socket-level failures of the driver (node's error codes). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

/**
 * True when the database could not be reached or gave up on the statement: connection
 * errors (SQLSTATE class 08), server shutdown or start-up (57P01–57P03), statement timeout
 * or cancel (57014), too many connections or out of resources (class 53), and pg's own
 * pool/connection messages. Constraint violations and bugs are not: they are rethrown.
 */
export function isConnectionFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true;
    if (/^(08|53)/.test(code) || ['57P01', '57P02', '57P03', '57014'].includes(code)) return true;
  }
  return (
    typeof message === 'string' &&
    /connection terminated|timeout exceeded when trying to connect|connection error|Client was closed|Cannot use a pool after calling end|PGlite is closed/i.test(
      message,
    )
  );
}

function unavailable(name: string, error: unknown): StoreUnavailableError {
  return new StoreUnavailableError(`The database could not answer ${name}.`, { cause: error });
}

/** What `pg.Pool` and PGlite have in common: one parameterised statement, rows back. */
export interface SqlQueryable {
  query<Row>(text: string, params: unknown[]): Promise<{ readonly rows: Row[] }>;
}

/**
 * Calls `public.<name>($1::jsonb)` on a `pg.Pool` (each call may use any pooled connection)
 * or an embedded PGlite. An abort abandons the call (the caller answers at once); the
 * statement itself ends by the pool's `statement_timeout`.
 */
export function sqlTransport(db: SqlQueryable): StoreTransport {
  return {
    async callFunction(name, p, options = {}) {
      assertStoreFunction(name);
      const { signal } = options;
      try {
        signal?.throwIfAborted();
        const query = db.query<{ r: unknown }>(`select public.${name}($1::jsonb) as r`, [JSON.stringify(p)]);
        const result = await (signal ? abandonOnAbort(query, signal) : query);
        return result.rows[0]?.r ?? null;
      } catch (error) {
        if (isConnectionFailure(error) || signal?.aborted) throw unavailable(name, error);
        throw error;
      }
    },
  };
}

/** `promise`, or a rejection as soon as `signal` aborts (the promise is left to settle alone). */
function abandonOnAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

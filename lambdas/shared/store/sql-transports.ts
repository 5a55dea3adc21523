/**
 * Transports that call the store's functions over SQL: `pg` (a PostgreSQL connection pool,
 * e.g. `DATABASE_URL` locally or a direct connection) and PGlite (embedded local mode).
 */
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import { StoreUnavailableError } from '../errors';
import { assertChatStoreFunction, type StoreTransport } from './functions';

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

/** Calls `public.<name>($1::jsonb)` on a `pg.Pool` (each call may use any pooled connection). */
export function pgTransport(pool: Pick<pg.Pool, 'query'>): StoreTransport {
  return {
    async callFunction(name, p) {
      assertChatStoreFunction(name);
      try {
        const result = await pool.query<{ r: unknown }>(`select public.${name}($1::jsonb) as r`, [
          JSON.stringify(p),
        ]);
        return result.rows[0]?.r ?? null;
      } catch (error) {
        if (isConnectionFailure(error)) throw unavailable(name, error);
        throw error;
      }
    },
  };
}

/** Calls `public.<name>($1::jsonb)` on an embedded PGlite database. */
export function pgliteTransport(db: Pick<PGlite, 'query'>): StoreTransport {
  return {
    async callFunction(name, p) {
      assertChatStoreFunction(name);
      try {
        const result = await db.query<{ r: unknown }>(`select public.${name}($1::jsonb) as r`, [
          JSON.stringify(p),
        ]);
        return result.rows[0]?.r ?? null;
      } catch (error) {
        if (isConnectionFailure(error)) throw unavailable(name, error);
        throw error;
      }
    },
  };
}

/**
 * The smallest SQL surface the baseline, the seeds and the migration runner need, so the
 * same code runs on a real PostgreSQL connection (`pg`) and on embedded PGlite.
 * One executor is one session: `begin` … `commit` issued through it apply to what runs
 * between them, so never adapt a `pg.Pool` (each query may land on another connection).
 */
import type pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';

export interface SqlExecutor {
  /** Runs a script of one or more statements without parameters (simple query protocol). */
  exec(sql: string): Promise<void>;
  /** Runs one statement with positional parameters (`$1`, `$2`…) and returns its rows. */
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<Row[]>;
}

/** A connected `pg.Client` or a checked-out `pg.PoolClient`. */
export type PgSession = Pick<pg.ClientBase, 'query'>;

/** Adapts a single `pg` connection (a `pg.Client` or a `pg.PoolClient`, never a pool). */
export function pgExecutor(client: PgSession): SqlExecutor {
  return {
    async exec(sql) {
      // Without parameters node-postgres uses the simple query protocol, which accepts many statements.
      await client.query(sql);
    },
    async query<Row extends Record<string, unknown>>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query<Row>(sql, [...params]);
      return result.rows;
    },
  };
}

/** Adapts an `@electric-sql/pglite` instance (one embedded session). */
export function pgliteExecutor(db: Pick<PGlite, 'exec' | 'query'>): SqlExecutor {
  return {
    async exec(sql) {
      // PGlite's `query` takes exactly one statement; `exec` runs a whole script.
      await db.exec(sql);
    },
    async query<Row extends Record<string, unknown>>(sql: string, params: readonly unknown[] = []) {
      const result = await db.query<Row>(sql, [...params]);
      return result.rows;
    },
  };
}

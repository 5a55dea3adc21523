/**
 * The database of the local API. By default an embedded PGlite (in memory, or in a folder
 * with LOCAL_PGLITE_DIR) with the Supabase-like baseline, our migrations and the demo user
 * applied at boot. With DATABASE_URL: that PostgreSQL, checked by the migration preflight,
 * with pending migrations and the (idempotent) demo user applied; it must already have the
 * Supabase baseline (a Supabase project or `supabase start` has it).
 *
 * Other local users: a dev token may name any user (`npm run dev-token -- --user <uuid>`); the
 * token is signed offline, so the user's rows are made here, by `ensureUser` on the first
 * request the local API sees from them (local/auth.ts), in whichever database it runs on.
 */
import { PGlite } from '@electric-sql/pglite';
import {
  applyBaseline,
  applyDemoSeed,
  applyLocalUser,
  applyMigrations,
  assertPreflight,
  DEMO_USER_ID,
  MIGRATIONS_DIR,
  pgExecutor,
  pgliteExecutor,
  type SqlExecutor,
} from '../db/index';
import { storePool } from './pg-pool';
import { sqlStore, type CoachStore } from './runtime';

export interface LocalDatabase {
  readonly kind: 'pglite' | 'postgres';
  readonly store: CoachStore;
  readonly demoUserId: string;
  /**
   * Makes sure `userId` is a local user (auth user and profile, `db/seed/local-user.sql`),
   * creating it the first time; once per user and process, concurrent calls share one.
   */
  ensureUser(userId: string): Promise<void>;
  /** For inspection (tests, the ready line): one statement, rows back. */
  query<Row extends Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

export async function openLocalDatabase(options: {
  readonly databaseUrl?: string | undefined;
  readonly pgliteDir?: string | undefined;
}): Promise<LocalDatabase> {
  if (options.databaseUrl) {
    const pool = storePool(options.databaseUrl);
    const client = await pool.connect();
    try {
      // Migrations may build indexes on large tables: not bound by the store's statement timeout.
      await client.query('set statement_timeout = 0');
      const executor = pgExecutor(client);
      // As `npm run migrate` does: refuse (changing nothing) a database that cannot take them.
      await assertPreflight(executor, MIGRATIONS_DIR);
      await applyMigrations(executor, MIGRATIONS_DIR);
      await applyDemoSeed(executor);
    } catch (error) {
      // The API will not start: close the pool, or its idle connections keep the process alive.
      client.release();
      await pool.end();
      throw error;
    }
    client.release();
    return {
      kind: 'postgres',
      store: sqlStore(pool),
      demoUserId: DEMO_USER_ID,
      ensureUser: onceEach(async (userId) => {
        const session = await pool.connect();
        try {
          await applyLocalUser(pgExecutor(session), userId);
        } finally {
          session.release();
        }
      }),
      query: async (sql, params) => (await pool.query(sql, params ? [...params] : [])).rows,
      close: () => pool.end(),
    };
  }

  const db = await PGlite.create(options.pgliteDir ? { dataDir: options.pgliteDir } : {});
  const executor: SqlExecutor = pgliteExecutor(db);
  const fresh = (await executor.query(`select to_regclass('public.journal_ai_chats') is null as fresh`))[0]
    ?.fresh;
  if (fresh) await applyBaseline(executor, { existingRows: false });
  await applyMigrations(executor, MIGRATIONS_DIR);
  await applyDemoSeed(executor);
  return {
    kind: 'pglite',
    store: sqlStore(db),
    demoUserId: DEMO_USER_ID,
    ensureUser: onceEach((userId) => applyLocalUser(executor, userId)),
    query: (sql, params) => executor.query(sql, params),
    close: () => db.close(),
  };
}

/**
 * `create` once per user id (the demo user is made at boot); a failure is forgotten, so the
 * next request tries again.
 */
function onceEach(create: (userId: string) => Promise<void>): (userId: string) => Promise<void> {
  const users = new Map<string, Promise<void>>([[DEMO_USER_ID, Promise.resolve()]]);
  return (userId) => {
    let pending = users.get(userId);
    if (!pending) {
      pending = create(userId).catch((error: unknown) => {
        users.delete(userId);
        throw error;
      });
      users.set(userId, pending);
    }
    return pending;
  };
}

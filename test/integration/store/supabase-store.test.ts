/**
 * The ChatStore contract through supabase-js with the service-role key, against a
 * PostgREST-compatible server on the test PostgreSQL; then what other keys and outages do.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient } from '@supabase/supabase-js';
import { FIXTURE_USERS } from '../../../db/fixtures';
import { StoreUnavailableError } from '../../../lambdas/shared/errors';
import type { PrepareTurnInput } from '../../../lambdas/chat/ports';
import { createSupabaseTransport, StoreCallError } from '../../../lambdas/shared/store/supabase-transport';
import { coachStore } from '../../../local/runtime';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startPostgrestServer, type PostgrestServer } from '../../support/postgrest-server';
import { describeChatStoreContract } from '../../support/store-contract';
import { turnInput } from '../../support/turns';

const supabaseStore = (options: Parameters<typeof createSupabaseTransport>[0]) =>
  coachStore(createSupabaseTransport(options));

describeChatStoreContract('supabase-js over PostgREST', async () => {
  const db = await createTestDatabase();
  const server = await startPostgrestServer({ databaseUrl: db.url });
  return {
    store: supabaseStore({ url: server.url, serviceRoleKey: server.serviceRoleKey }),
    query: async (sql, params = []) => (await db.pool.query(sql, [...params])).rows,
    async close() {
      await server.close();
      await db.drop();
    },
  };
});

const prepareInput = (userId: string): PrepareTurnInput => turnInput(userId, `k-${randomUUID()}`);

async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

describe('the supabase transport against other keys and outages', () => {
  let db: TestDatabase;
  let server: PostgrestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startPostgrestServer({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  const runCount = async () =>
    Number((await db.pool.query('select count(*)::int as n from public.chat_runs')).rows[0].n);

  it('refuses the anon key with permission denied (401) and changes nothing', async () => {
    const store = supabaseStore({ url: server.url, serviceRoleKey: server.anonKey });

    const error = await store.prepareTurn(prepareInput(FIXTURE_USERS.dave.id)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StoreCallError);
    expect(error).toMatchObject({ status: 401, code: '42501' });
    expect(await runCount()).toBe(0);
  });

  it("refuses a signed-in user's token with permission denied (403) and changes nothing", async () => {
    const token = server.sign({ role: 'authenticated', sub: FIXTURE_USERS.dave.id });
    const store = supabaseStore({ url: server.url, serviceRoleKey: token });

    const error = await store.listThreads({ user_id: FIXTURE_USERS.alice.id }).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'StoreCallError', status: 403, code: '42501' });
  });

  it('answers 401 to a key signed with another secret', async () => {
    const other = await startPostgrestServer({ databaseUrl: db.url });
    try {
      const store = supabaseStore({ url: server.url, serviceRoleKey: other.serviceRoleKey });

      const error = await store.listThreads({ user_id: FIXTURE_USERS.alice.id }).catch((e: unknown) => e);

      expect(error).toMatchObject({ name: 'StoreCallError', status: 401, code: 'PGRST301' });
    } finally {
      await other.close();
    }
  });

  it('answers 404 PGRST202 for a function that does not exist', async () => {
    const client = createClient(server.url, server.serviceRoleKey, {
      auth: { persistSession: false, autoRefreshToken: false },
    });

    const { error, status } = await client.rpc('coach_does_not_exist', { p: {} });

    expect(status).toBe(404);
    expect(error).toMatchObject({ code: 'PGRST202' });
  });

  it('throws StoreUnavailableError when the API cannot be reached', async () => {
    const store = supabaseStore({
      url: `http://127.0.0.1:${await closedPort()}`,
      serviceRoleKey: server.serviceRoleKey,
    });

    await expect(store.listThreads({ user_id: FIXTURE_USERS.alice.id })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
  });

  it('throws StoreUnavailableError when PostgREST cannot reach the database (503)', async () => {
    const orphan = await startPostgrestServer({
      databaseUrl: `postgres://postgres:x@127.0.0.1:${await closedPort()}/none`,
    });
    try {
      const store = supabaseStore({ url: orphan.url, serviceRoleKey: orphan.serviceRoleKey });

      await expect(store.listThreads({ user_id: FIXTURE_USERS.alice.id })).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
    } finally {
      await orphan.close();
    }
  });

  it('throws StoreUnavailableError when a request outlasts its timeout', async () => {
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      );
    const store = supabaseStore({
      url: server.url,
      serviceRoleKey: server.serviceRoleKey,
      fetch: hanging,
      timeoutMs: 50,
    });

    await expect(store.listThreads({ user_id: FIXTURE_USERS.alice.id })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
  });
});

/**
 * The database surface is the service's alone: PostgREST exposes every function in
 * `public`, so no coach function may be executable by `anon` or `authenticated`, and each
 * must pin `search_path` so nothing can be shadowed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FIXTURE_USERS } from '../../../db/fixtures';
import { REPORT_FUNCTIONS } from '../../../db/reports';
import { STORE_FUNCTIONS } from '../../../lambdas/shared/store/transport';
import { createTestDatabase, type TestDatabase } from '../../support/database';

interface FunctionRow {
  readonly name: string;
  readonly signature: string;
  readonly config: string[] | null;
  readonly secdef: boolean;
  readonly anon: boolean;
  readonly authenticated: boolean;
  readonly public_role: boolean;
  readonly service_role: boolean;
}

describe('privileges of the coach functions', () => {
  let db: TestDatabase;
  let functions: FunctionRow[];

  beforeAll(async () => {
    db = await createTestDatabase();
    const { rows } = await db.pool.query<FunctionRow>(`
      select p.proname as name, p.oid::regprocedure::text as signature, p.proconfig as config, p.prosecdef as secdef,
             has_function_privilege('anon', p.oid, 'execute') as anon,
             has_function_privilege('authenticated', p.oid, 'execute') as authenticated,
             (p.proacl is null -- the default ACL: PUBLIC may execute
              or exists (select 1 from aclexplode(p.proacl) a where a.grantee = 0 and a.privilege_type = 'EXECUTE')) as public_role,
             has_function_privilege('service_role', p.oid, 'execute') as service_role
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = 'public' and (p.proname like 'coach\\_%' or p.proname like '\\_coach\\_%')
       order by 1`);
    functions = rows;
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('defines exactly the functions the store and the reports call, each taking and returning jsonb', async () => {
    const coach = functions.filter((f) => f.name.startsWith('coach_'));

    expect(coach.map((f) => f.name).sort()).toEqual([...STORE_FUNCTIONS, ...REPORT_FUNCTIONS].sort());
    expect(coach.every((f) => f.signature === `${f.name}(jsonb)`)).toBe(true);
    const { rows } = await db.pool.query<{ n: number }>(
      `select count(*)::int as n from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public' and p.proname like 'coach\\_%' and p.prorettype <> 'jsonb'::regtype`,
    );
    expect(rows[0]?.n).toBe(0);
  });

  it('lets neither anon, authenticated nor public execute any coach function or helper', () => {
    const executable = functions
      .filter((f) => f.anon || f.authenticated || f.public_role)
      .map((f) => f.signature);

    expect(functions.length).toBeGreaterThan(STORE_FUNCTIONS.length);
    expect(executable).toEqual([]);
  });

  it('lets service_role execute every coach function and helper', () => {
    expect(functions.filter((f) => !f.service_role).map((f) => f.signature)).toEqual([]);
  });

  it("pins search_path to '' on every coach function and helper, none security definer", () => {
    const unpinned = functions
      .filter((f) => !(f.config ?? []).includes('search_path=""'))
      .map((f) => f.signature);

    expect(unpinned).toEqual([]);
    expect(functions.filter((f) => f.secdef).map((f) => f.signature)).toEqual([]);
  });

  it.each(['anon', 'authenticated'])('denies %s a call with permission denied (42501)', async (role) => {
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query(`set local role ${role}`);
      await client.query(`select set_config('request.jwt.claims', $1, true)`, [
        JSON.stringify({ role, sub: FIXTURE_USERS.alice.id }),
      ]);

      const error = await client
        .query(`select public.coach_list_threads($1::jsonb)`, [
          JSON.stringify({ user_id: FIXTURE_USERS.alice.id }),
        ])
        .catch((e: unknown) => e);

      expect(error).toMatchObject({ code: '42501' });
    } finally {
      await client.query('rollback');
      client.release();
    }
  });
});

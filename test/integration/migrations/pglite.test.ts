import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { PGlite } from '@electric-sql/pglite';
import {
  applyBaseline,
  applyDemoSeed,
  applyMigrations,
  DEMO_USER_EMAIL,
  DEMO_USER_ID,
  FIXTURE_COUNTS,
  MIGRATIONS_DIR,
  pgExecutor,
  pgliteExecutor,
  readMigrations,
  type SqlExecutor,
} from '../../../db/index';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { dataDigests, fingerprint, schemaLines } from './catalog';

/** Row counts per table: timestamps set by now() differ between engines, counts must not. */
async function rowCounts(ex: SqlExecutor): Promise<Record<string, number>> {
  const digests = await dataDigests(ex);
  return Object.fromEntries(Object.entries(digests).map(([table, digest]) => [table, Number(digest.split(':')[0])]));
}

describe('the baseline and the migrations on embedded PGlite (local mode)', () => {
  let pglite: PGlite;
  let lite: SqlExecutor;
  let postgres: TestDatabase;

  beforeAll(async () => {
    pglite = new PGlite();
    lite = pgliteExecutor(pglite);
    postgres = await createTestDatabase();
  });
  afterAll(async () => {
    await pglite.close();
    await postgres.drop();
  });

  test('the baseline with existing rows and every migration apply', async () => {
    await applyBaseline(lite, { existingRows: true });

    const applied = await applyMigrations(lite, MIGRATIONS_DIR);

    expect(applied).toEqual((await readMigrations(MIGRATIONS_DIR)).map((f) => f.version));
    const chats = await lite.query<{ n: number }>('select count(*)::int as n from public.journal_ai_chats');
    expect(chats).toEqual([{ n: FIXTURE_COUNTS.journalAiChats }]);
  });

  test('a second run of the baseline and the migrations applies nothing and changes nothing', async () => {
    const before = await fingerprint(lite);

    await applyBaseline(lite, { existingRows: true });
    const applied = await applyMigrations(lite, MIGRATIONS_DIR);

    expect(applied).toEqual([]);
    expect(await fingerprint(lite)).toEqual(before);
  });

  test('yields the same schema, grants, policies and row counts as PostgreSQL', async () => {
    const client = await postgres.pool.connect();
    try {
      const real = pgExecutor(client);
      expect(await schemaLines(lite)).toEqual(await schemaLines(real));
      expect(await rowCounts(lite)).toEqual(await rowCounts(real));
    } finally {
      client.release();
    }
  });

  test('the demo seed adds Sam (a name from the auth metadata) with ratings and active goals but no thread, once', async () => {
    await applyDemoSeed(lite);
    await applyDemoSeed(lite);

    const demo = await lite.query(
      `select u.email, n.display_name,
              (select count(*)::int from public.pillar_ratings r where r.user_id = u.id) as ratings,
              (select count(distinct r.pillar)::int from public.pillar_ratings r where r.user_id = u.id) as pillars,
              (select count(*)::int from public.user_goals g where g.user_id = u.id and g.is_active and g.focus is not null) as active_goals,
              (select count(*)::int from public.user_assistant_threads t where t.user_id = u.id) as threads
         from auth.users u
         join public.profiles p on p.id = u.id
         join coach_internal.profile_names n on n.user_id = u.id
        where u.id = $1`,
      [DEMO_USER_ID],
    );
    expect(demo).toEqual([{ email: DEMO_USER_EMAIL, display_name: 'Sam', ratings: 8, pillars: 4, active_goals: 2, threads: 0 }]);
  });

  test('RLS applies on PGlite too: the demo user sees only their own goals', async () => {
    await lite.exec('begin');
    try {
      await lite.exec('set local role authenticated');
      await lite.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify({ sub: DEMO_USER_ID, role: 'authenticated' })]);
      const goals = await lite.query<{ user_id: string }>('select distinct user_id from public.user_goals');
      expect(goals).toEqual([{ user_id: DEMO_USER_ID }]);
    } finally {
      await lite.exec('rollback');
    }
  });
});

/** Fresh users for tests that must not share state with the fixtures or with each other. */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { PILLAR_IDS } from '../../db/fixtures';

export interface TestUser {
  readonly id: string;
  readonly goalId: string;
}

/** An auth user with a profile, a rating per pillar and one active health goal. */
export async function insertUser(pool: pg.Pool, displayName = 'Robin'): Promise<TestUser> {
  const id = randomUUID();
  const goalId = randomUUID();
  await pool.query(`insert into auth.users (id, email) values ($1, $2)`, [id, `${id}@example.com`]);
  await pool.query(`insert into public.profiles (id, display_name) values ($1, $2)`, [id, displayName]);
  await pool.query(
    `insert into public.pillar_ratings (user_id, pillar, rating, created_at)
     select $1, p, r, now() - interval '1 day' from unnest(array['health','emotion','purpose','connection'], array[40,65,72,58]) as t(p, r)`,
    [id],
  );
  await pool.query(
    `insert into public.user_goals (id, user_id, pillar_id, title, focus, is_active) values ($1, $2, $3, 'Walk after dinner', 'Three evenings a week', true)`,
    [goalId, id, PILLAR_IDS.health],
  );
  return { id, goalId };
}

export async function countRows(pool: pg.Pool, table: string, userId: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    `select count(*)::text as n from ${table} where user_id = $1`,
    [userId],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * Runs `sql` as the app does with a user's JWT (role `authenticated`, `auth.uid()` = `userId`),
 * under the app's own policies, and commits: what a user of the app can change themselves.
 */
export async function asAppUser(
  pool: pg.Pool,
  userId: string,
  sql: string,
  params: readonly unknown[] = [],
): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query('set local role authenticated');
    await client.query(`select set_config('request.jwt.claims', $1, true)`, [
      JSON.stringify({ sub: userId, role: 'authenticated', aud: 'authenticated' }),
    ]);
    const result = await client.query(sql, [...params]);
    await client.query('commit');
    return result.rowCount ?? 0;
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

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

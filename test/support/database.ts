/**
 * A fresh database per test file, cloned from a template made by the global set-up.
 * `migrated` (default): baseline + existing rows + our migrations. `baseline`: as the live
 * database is before our migrations (for migration tests). `empty`: nothing at all (for
 * tests that build another shape of the app's tables, test/support/shapes.ts).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { BASELINE_TEMPLATE, MIGRATED_TEMPLATE } from './postgres-server';

export interface TestDatabase {
  /** Superuser URL of the new database (what `DATABASE_URL` would be). */
  readonly url: string;
  readonly name: string;
  /** A pool on `url` for assertions and set-up. */
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

export function adminUrl(): string {
  const url = process.env.MIVIA_TEST_PG_ADMIN_URL;
  if (!url) throw new Error('MIVIA_TEST_PG_ADMIN_URL is not set: run this test in the integration project');
  return url;
}

export async function createTestDatabase(
  options: { template?: 'migrated' | 'baseline' | 'empty' } = {},
): Promise<TestDatabase> {
  const base = adminUrl();
  const name = `t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const template = { migrated: MIGRATED_TEMPLATE, baseline: BASELINE_TEMPLATE, empty: 'template0' }[
    options.template ?? 'migrated'
  ];
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${template}`);
  } finally {
    await admin.end();
  }
  const url = `${base}/${name}`;
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  return {
    url,
    name,
    pool,
    async drop() {
      // pool.end() resolves before its idle connections have closed; the forced drop below may
      // terminate one of them, and a pool without an 'error' listener would rethrow that.
      pool.on('error', () => undefined);
      await pool.end();
      const c = new pg.Client({ connectionString: `${base}/postgres` });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

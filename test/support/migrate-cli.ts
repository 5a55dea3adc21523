/** Runs `npm run migrate` the way npm does (tsx), with exactly the given DATABASE_URL and arguments. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { MIGRATIONS_DIR } from '../../db/index';

const run = promisify(execFile);
const ROOT = path.dirname(MIGRATIONS_DIR);

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function migrateCli(
  databaseUrl: string | undefined,
  args: readonly string[] = [],
): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.NODE_OPTIONS;
  if (databaseUrl !== undefined) env.DATABASE_URL = databaseUrl;
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'scripts/migrate.ts', ...args],
      {
        cwd: ROOT,
        env,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

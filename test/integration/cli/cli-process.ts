/**
 * Runs `scripts/chat-cli.ts` (what `npm run chat` runs) as a child process, stdin piped.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = `${ROOT}node_modules/.bin/tsx`;

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI with `args`, writes `input` to its stdin, and resolves when it exits. */
export function runCli(
  args: readonly string[],
  input: string,
  env: Record<string, string | undefined> = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['scripts/chat-cli.ts', ...args], {
      cwd: ROOT,
      // Jest's NODE_OPTIONS (vm modules) are not for the child; no token unless the test sets one.
      env: { ...process.env, NODE_OPTIONS: '', MIVIA_TOKEN: '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

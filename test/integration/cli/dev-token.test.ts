/**
 * `npm run --silent dev-token -- --user <uuid>` against the real local API: the token is
 * accepted, the user (auth user and profile) is created once on its first request, and it can
 * chat; a bad user id is refused before anything is signed.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { DEMO_USER_ID } from '../../../db/fixtures';
import type { LocalApi } from '../../../local/server';
import { startQuietLocalApi } from './local-api';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function devToken(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.DEV_TOKEN_USER_ID;
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/dev-token.ts', ...args],
      { cwd: ROOT, env },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let api: LocalApi;

beforeAll(async () => {
  api = await startQuietLocalApi();
});

afterAll(async () => {
  await api?.close();
});

async function post(path: string, token: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${api.url}/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function count(table: string, column: string, userId: string): Promise<number> {
  const rows = await api.database.query<{ n: number }>(
    `select count(*)::int as n from ${table} where ${column} = $1`,
    [userId],
  );
  return rows[0]?.n ?? 0;
}

describe('npm run dev-token -- --user', () => {
  it('prints a token for that user, which the local API accepts, creating the user once', async () => {
    const userId = randomUUID();
    const run = await devToken(['--user', userId]);
    const token = run.stdout.trim();

    expect(run.code).toBe(0);
    expect(decodeJwt(token)).toMatchObject({ sub: userId, role: 'authenticated', aud: 'authenticated' });
    expect(await count('auth.users', 'id', userId)).toBe(0);

    const [first, second] = await Promise.all([
      post('thread-manager', token, { action: 'get_threads' }),
      post('thread-manager', token, { action: 'get_threads' }),
    ]);
    const chat = await post('openai-chat-completion', token, { message: 'Hello from a second local user' });

    expect([first.status, second.status, chat.status]).toEqual([200, 200, 200]);
    expect(await count('auth.users', 'id', userId)).toBe(1);
    expect(await count('public.profiles', 'id', userId)).toBe(1);
    expect(await count('public.journal_ai_chats', 'user_id', userId)).toBe(2);
    expect(chat.body).toEqual(
      expect.objectContaining({ variant: 'simulated', message_id: expect.any(String) }),
    );
  });

  it('keeps the demo user the default', async () => {
    const run = await devToken([]);

    expect(run.code).toBe(0);
    expect(decodeJwt(run.stdout.trim()).sub).toBe(DEMO_USER_ID);
    expect((await post('thread-manager', run.stdout.trim(), { action: 'get_threads' })).status).toBe(200);
  });

  it.each([[['--user', 'not-a-uuid']], [['--user']], [['--users', randomUUID()]]])(
    'refuses %j with exit code 2, printing no token',
    async (args) => {
      const run = await devToken(args);

      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('usage: npm run --silent dev-token');
    },
  );
});

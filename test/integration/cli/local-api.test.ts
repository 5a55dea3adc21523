/**
 * `npm run chat` against the real local API (handlers, PGlite, simulated coach): two piped
 * messages get two stored replies, with the given token or the default dev token.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LocalApi } from '../../../local/server';
import { runCli } from './cli-process';
import { startQuietLocalApi } from './local-api';

let api: LocalApi;

beforeAll(async () => {
  api = await startQuietLocalApi();
});

afterAll(async () => {
  await api?.close();
});

async function storedChatRows(): Promise<{ message_type: string }[]> {
  return api.database.query<{ message_type: string }>(
    'select message_type from public.journal_ai_chats where user_id = $1 order by created_at',
    [api.userId],
  );
}

describe('npm run chat against the local API', () => {
  it('answers two piped messages, stores both rows of each, and exits 0', async () => {
    const before = (await storedChatRows()).length;

    const run = await runCli(
      ['--url', api.url, '--token', api.token, '--chat-type', 'pillar_health'],
      'I keep skipping my evening walk.\nAny ideas for tonight?\n',
    );

    expect(run.stderr).not.toContain('error (');
    expect(run.stdout.match(/^coach> \S.*$/gm)).toHaveLength(2);
    expect(run.stdout).toContain('mivia-simulated-coach');
    expect(run.code).toBe(0);
    const rows = (await storedChatRows()).slice(before);
    expect(rows.map((r) => r.message_type).sort()).toEqual(['ai', 'ai', 'user', 'user']);
  });

  it('signs a dev token for the demo user when none is given', async () => {
    const run = await runCli(['--url', api.url, '--json'], 'Hello from the terminal\n');
    const [line] = run.stdout.trim().split('\n');

    expect(JSON.parse(line ?? '{}')).toEqual(
      expect.objectContaining({ variant: 'simulated', message_id: expect.any(String) }),
    );
    expect(run.code).toBe(0);
  });

  it('shows the API refusing a goal that is not the user’s, and goes on', async () => {
    const run = await runCli(
      ['--url', api.url, '--token', api.token, '--goal', '20000000-0000-4000-8000-000000000001'],
      'About that goal\n',
    );

    expect(run.stderr).toMatch(/error \((goal_forbidden|goal_not_found)\): /);
    expect(run.code).toBe(1);
  });
});

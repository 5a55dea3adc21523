/**
 * `npm run chat` as a user runs it: a child process with piped stdin, against a scripted
 * fake API (the 202 path and failures are driven here; the real local API is exercised in
 * `local-api.test.ts`). Asserts what is printed and the exit status.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { runCli } from './cli-process';
import {
  completedRun,
  errorResponse,
  pendingRun,
  reply,
  startFakeApi,
  type ChatScript,
  type FakeApi,
} from './fake-api';

let api: FakeApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function withFake(script?: ChatScript): Promise<FakeApi> {
  api = await startFakeApi(script);
  return api;
}

describe('npm run chat (piped input)', () => {
  it('prints a reply per line and exits 0', async () => {
    const fake = await withFake();

    const run = await runCli(
      ['--url', fake.url, '--token', fake.token, '--chat-type', 'general'],
      'Hello coach\nI slept badly\n',
    );

    expect(run.stderr).not.toContain('error (');
    expect(run.stdout).toContain('coach> You said: Hello coach');
    expect(run.stdout).toContain('coach> You said: I slept badly');
    expect(run.stdout).not.toContain('you> ');
    expect(run.code).toBe(0);
  });

  it('waits out a 202 by polling the run and prints the reply', async () => {
    const fake = await withFake(() => ({ run: [pendingRun(), completedRun(reply('Worth the wait.'))] }));

    const run = await runCli(['--url', fake.url, '--token', fake.token], 'a long question\n');

    expect(run.stdout).toContain('coach> Worth the wait.');
    expect(fake.requests.some((r) => r.method === 'GET' && r.path.includes('/runs/'))).toBe(true);
    expect(run.code).toBe(0);
  });

  it('shows no spinner when stderr is not a terminal', async () => {
    const fake = await withFake(() => ({ run: [pendingRun(), completedRun(reply('Done.'))] }));

    const run = await runCli(['--url', fake.url, '--token', fake.token], 'hi\n');

    expect(run.stderr).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    expect(run.stderr).not.toContain('\r');
  });

  it('reads the token from MIVIA_TOKEN', async () => {
    const fake = await withFake();

    const run = await runCli(['--url', fake.url], 'hi\n', { MIVIA_TOKEN: fake.token });

    expect(run.stdout).toContain('coach> You said: hi');
    expect(run.code).toBe(0);
  });

  it('goes on after a failed message and exits 1', async () => {
    let n = 0;
    const fake = await withFake((request) =>
      ++n === 1
        ? errorResponse(
            503,
            'upstream_unavailable',
            'The coach could not answer right now; please try again.',
            { 'retry-after': '10' },
          )
        : { status: 200, body: reply(`You said: ${request.message}`) },
    );

    const run = await runCli(['--url', fake.url, '--token', fake.token], 'first\nsecond\n');

    expect(run.stderr).toContain(
      'error (upstream_unavailable): The coach could not answer right now; please try again.',
    );
    expect(run.stdout).toContain('coach> You said: second');
    expect(run.code).toBe(1);
  });

  it('prints JSON lines with --json', async () => {
    const fake = await withFake();

    const run = await runCli(['--url', fake.url, '--token', fake.token, '--json'], 'one\ntwo\n');
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { response: string });

    expect(lines.map((l) => l.response)).toEqual(['You said: one', 'You said: two']);
    expect(run.code).toBe(0);
  });

  it('refuses to guess a token for a non-local URL', async () => {
    const run = await runCli(['--url', 'https://api.example.com/prod/functions/v1'], 'hi\n');

    expect(run.stderr).toContain('MIVIA_TOKEN');
    expect(run.code).toBe(2);
  });

  it('rejects an unknown flag with the usage', async () => {
    const run = await runCli(['--nope'], '');

    expect(run.stderr).toContain('usage: npm run chat');
    expect(run.code).toBe(2);
  });
});

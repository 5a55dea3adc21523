/**
 * The terminal client's behaviour over HTTP, in-process, against a scripted fake API: what
 * it sends, how it waits for long runs and in-flight messages, and what it prints.
 */
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ChatReply } from '../../../lambdas/shared/contract/schemas';
import { runChat, type RunChatOptions } from '../../../scripts/chat-session';
import {
  completedRun,
  errorResponse,
  failedRun,
  pendingRun,
  reply,
  startFakeApi,
  type ChatScript,
  type FakeApi,
} from './fake-api';

class Capture {
  text = '';
  readonly isTTY = false;
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

let api: FakeApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function chat(lines: readonly string[], script?: ChatScript, options: Partial<RunChatOptions> = {}) {
  api = await startFakeApi(script);
  const output = new Capture();
  const errorOutput = new Capture();
  const result = await runChat({
    url: api.url,
    token: api.token,
    input: Readable.from(lines.map((l) => `${l}\n`)),
    output,
    errorOutput,
    ...options,
  });
  const chats = api.requests.filter((r) => r.method === 'POST');
  return { result, stdout: output.text, stderr: errorOutput.text, requests: api.requests, chats };
}

describe('the chat client', () => {
  it('sends each line as a message with a fresh client_message_id and the bearer token, and prints each reply', async () => {
    const { result, stdout, stderr, chats } = await chat(['I slept badly', '', 'Any tips?'], undefined, {
      chatType: 'pillar_health',
      goalId: 'dec0de02-0000-4000-8000-000000000001',
    });

    expect(result).toEqual({ sent: 2, failed: 0 });
    expect(stdout).toContain('coach> You said: I slept badly');
    expect(stdout).toContain('coach> You said: Any tips?');
    expect(stderr).toBe('');
    expect(chats.map((r) => r.body)).toEqual([
      expect.objectContaining({
        message: 'I slept badly',
        chat_type: 'pillar_health',
        goal_id: 'dec0de02-0000-4000-8000-000000000001',
      }),
      expect.objectContaining({ message: 'Any tips?' }),
    ]);
    const keys = chats.map((r) => (r.body as { client_message_id: string }).client_message_id);
    expect(new Set(keys).size).toBe(2);
    expect(chats.every((r) => r.authorization === `Bearer ${api!.token}`)).toBe(true);
  });

  it('prints the model, tokens, cost to six decimals, response time and variant under each reply', async () => {
    const script: ChatScript = () => ({
      status: 200,
      body: reply('Try a wind-down routine.', {
        model_used: 'gpt-6.1-sol',
        tokens_used: 1843,
        cost_estimate: 0.0041271,
        response_time_ms: 3120,
        variant: 'openai',
      }),
    });

    const { stdout } = await chat(['hello'], script);

    expect(stdout).toContain('gpt-6.1-sol · 1843 tokens · $0.004127 · 3120 ms · openai');
    expect(stdout).not.toContain('\x1b[');
  });

  it('marks a reply of the simulated fallback', async () => {
    const script: ChatScript = () => ({ status: 200, body: reply('Small steps.', { fallback: true }) });

    const { stdout } = await chat(['hello'], script);

    expect(stdout).toContain('simulated (fallback)');
  });

  it('answers a 202 by polling the run until it completes', async () => {
    const script: ChatScript = () => ({
      run: [pendingRun(), pendingRun(), completedRun(reply('A long, thoughtful answer.'))],
    });

    const { result, stdout, requests } = await chat(['a hard question'], script);

    expect(result).toEqual({ sent: 1, failed: 0 });
    expect(stdout).toContain('coach> A long, thoughtful answer.');
    expect(stdout).toContain('long run');
    expect(requests.filter((r) => r.method === 'GET').length).toBe(3);
  });

  it('shows the stored fallback of a failed run, and the error of a failed run without one', async () => {
    let n = 0;
    const script: ChatScript = () =>
      ++n === 1
        ? {
            run: [
              failedRun(
                'timed_out',
                'The coach took too long to answer.',
                reply('Here is a simpler thought.', { fallback: true }),
              ),
            ],
          }
        : { run: [failedRun('failed', 'The coach could not answer this message.', null)] };

    const { result, stdout, stderr } = await chat(['first', 'second'], script);

    expect(result).toEqual({ sent: 2, failed: 1 });
    expect(stdout).toContain('coach> Here is a simpler thought.');
    expect(stdout).toContain('run timed_out, fallback stored');
    expect(stderr).toContain('error (failed): The coach could not answer this message.');
  });

  it('retries a 409 request_in_flight with the same client_message_id', async () => {
    const script: ChatScript = (request, attempt) =>
      attempt === 1
        ? errorResponse(409, 'request_in_flight', 'This message is still being answered.', {
            'retry-after': '0',
          })
        : { status: 200, body: reply(`Answered on attempt ${attempt}`) };

    const { result, stdout, chats } = await chat(['hello'], script);

    expect(result).toEqual({ sent: 1, failed: 0 });
    expect(stdout).toContain('coach> Answered on attempt 2');
    expect(chats).toHaveLength(2);
    expect((chats[0]!.body as { client_message_id: string }).client_message_id).toBe(
      (chats[1]!.body as { client_message_id: string }).client_message_id,
    );
  });

  it('prints `error (code): message` for a refused message and goes on with the next one', async () => {
    let n = 0;
    const script: ChatScript = (request) =>
      ++n === 1
        ? errorResponse(429, 'budget_exceeded', "Today's coaching budget is used up.", {
            'retry-after': '3600',
          })
        : { status: 200, body: reply(`You said: ${request.message}`) };

    const { result, stdout, stderr } = await chat(['one', 'two'], script);

    expect(result).toEqual({ sent: 2, failed: 1 });
    expect(stderr).toContain("error (budget_exceeded): Today's coaching budget is used up.");
    expect(stdout).toContain('coach> You said: two');
  });

  it('gives up waiting for a run after the bounded wait, and says so', async () => {
    const script: ChatScript = () => ({ run: [pendingRun()] });

    const { result, stderr } = await chat(['hello'], script, { maxWaitMs: 1 });

    expect(result).toEqual({ sent: 1, failed: 1 });
    expect(stderr).toContain('error (wait_exceeded)');
  });

  it('explains a refused token', async () => {
    api = await startFakeApi();
    const errorOutput = new Capture();

    const result = await runChat({
      url: api.url,
      token: 'not-a-token',
      input: Readable.from(['hello\n']),
      output: new Capture(),
      errorOutput,
    });

    expect(result).toEqual({ sent: 1, failed: 1 });
    expect(errorOutput.text).toContain('error (unauthorized)');
    expect(errorOutput.text).toContain('--token');
  });

  it('reports an unreachable API as a network error', async () => {
    const errorOutput = new Capture();

    const result = await runChat({
      url: 'http://127.0.0.1:9/functions/v1',
      token: 't',
      input: Readable.from(['hello\n']),
      output: new Capture(),
      errorOutput,
    });

    expect(result).toEqual({ sent: 1, failed: 1 });
    expect(errorOutput.text).toContain('error (network)');
  });

  it('prints one JSON line per message with --json: the reply, or the error body', async () => {
    let n = 0;
    const script: ChatScript = () =>
      ++n === 1
        ? { status: 200, body: reply('Hi!') }
        : errorResponse(403, 'goal_forbidden', 'This goal belongs to another user.');

    const { stdout } = await chat(['one', 'two'], script, { json: true });
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);

    expect(lines).toHaveLength(2);
    expect(ChatReply.safeParse(lines[0]).success).toBe(true);
    expect(lines[1]).toEqual(expect.objectContaining({ code: 'goal_forbidden' }));
  });

  it('leaves at /quit without sending it', async () => {
    const { result, chats } = await chat(['hello', '/quit', 'never sent']);

    expect(result).toEqual({ sent: 1, failed: 0 });
    expect(chats).toHaveLength(1);
  });
});

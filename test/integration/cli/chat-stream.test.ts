/**
 * `npm run chat`'s streaming, in-process against the local API on a test database and the
 * OpenAI fake: the reply printed as its words arrive (one write per delta) by default, whole
 * with `--no-stream` (the JSON route); either way one exchange is stored per message.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LocalApi } from '../../../local/server';
import { runChat } from '../../../scripts/chat-session';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';
import { countRows } from '../../support/users';
import { startStreamApi, streamUser } from '../stream/harness';

const REPLY = 'Try a short walk after dinner, then dim the lights an hour before bed tonight.';

let db: TestDatabase;
let fake: OpenAIFake;
let api: LocalApi;

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startOpenAIFake();
  api = await startStreamApi(db, fake);
});

afterAll(async () => {
  await api?.close();
  await fake?.close();
  await db?.drop();
});

class Writes {
  readonly chunks: string[] = [];
  readonly isTTY = false;
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
}

async function chat(stream: boolean) {
  const user = await streamUser(db);
  fake.reset();
  fake.script({ kind: 'ok', text: REPLY, firstTokenMs: 20, latencyMs: 300 });
  const output = new Writes();
  const errorOutput = new Writes();
  const result = await runChat({
    url: api.url,
    token: user.token,
    input: Readable.from(['How do I sleep better?\n']),
    output,
    errorOutput,
    stream,
  });
  return { result, output, errorOutput, user };
}

describe('npm run chat, streamed', () => {
  it("prints the coach's words as they arrive, then the reply's details", async () => {
    const { result, output, errorOutput, user } = await chat(true);
    expect(errorOutput.chunks.join('')).not.toContain('error (');
    expect(result).toEqual({ sent: 1, failed: 0 });
    const words = REPLY.split(' ').length;
    // `coach> `, one write per word, the end of the line with the details.
    expect(output.chunks.length).toBe(words + 2);
    expect(output.chunks[0]).toBe('coach> ');
    expect(output.chunks.join('')).toMatch(
      new RegExp(`^coach> ${REPLY.replace(/[.?]/g, '\\$&')}\\n.*openai`),
    );
    expect(await countRows(db.pool, 'public.journal_ai_chats', user.id)).toBe(2);
  });

  it('prints the whole reply at once with --no-stream (the JSON route)', async () => {
    const { result, output, user } = await chat(false);
    expect(result).toEqual({ sent: 1, failed: 0 });
    expect(output.chunks).toHaveLength(1);
    expect(output.chunks[0]).toContain(`coach> ${REPLY}\n`);
    expect(await countRows(db.pool, 'public.journal_ai_chats', user.id)).toBe(2);
  });
});

/**
 * The AI disclosure (docs/safety.md): a thread's first reply carries it, replies in between do
 * not, and the first reply 3 hours after the last disclosure carries it again, by the chat's
 * injected clock. With `disclosure_in_response` it also starts `response` (and the stored row);
 * a replayed reply carries what was stored.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createChatHandler } from '../../../lambdas/chat/handler';
import type { ChatDeps } from '../../../lambdas/chat/service';
import { AI_DISCLOSURE } from '../../../lambdas/shared/coach/crisis';
import { invoke, type ProxyHandler } from '../../support/api';
import { buildTestRuntime, type TestRuntime } from '../../support/chat-runtime';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';
import { insertUser } from '../../support/users';

const RESOURCE = '/functions/v1/openai-chat-completion';
const HOUR_MS = 60 * 60 * 1000;

let db: TestDatabase;
let fake: OpenAIFake;
const runtimes: TestRuntime[] = [];
/** How far the chat's clock is ahead of the real one. */
let offsetMs = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startOpenAIFake();
});

afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.close()));
  await fake?.close();
  await db?.drop();
});

beforeEach(() => {
  fake.reset();
  offsetMs = 0;
});

async function chatWith(env: Record<string, string> = {}, openai = true): Promise<ProxyHandler> {
  const app = await buildTestRuntime({ databaseUrl: db.url, openai: openai ? fake : null, env });
  runtimes.push(app);
  return createChatHandler(async (): Promise<ChatDeps> => ({
    ...app.runtime,
    now: () => Date.now() + offsetMs,
  }));
}

const send = (chat: ProxyHandler, userId: string, message: string, clientMessageId = randomUUID()) =>
  invoke(chat, {
    resource: RESOURCE,
    userId,
    body: { message, chat_type: 'pillar_health', client_message_id: clientMessageId },
  });

describe('the AI disclosure', () => {
  it("is on a thread's first reply, not in between, and again 3 hours after the last one", async () => {
    const chat = await chatWith();
    const user = await insertUser(db.pool);

    const first = await send(chat, user.id, 'I want to sleep better');
    offsetMs = 2 * HOUR_MS;
    const second = await send(chat, user.id, 'I went to bed earlier');
    offsetMs = 3 * HOUR_MS - 60_000;
    const third = await send(chat, user.id, 'Still waking up at 4');
    offsetMs = 3 * HOUR_MS + 60_000;
    const fourth = await send(chat, user.id, 'Any other idea?');
    offsetMs = 4 * HOUR_MS;
    const fifth = await send(chat, user.id, 'Thanks');

    expect([first, second, third, fourth, fifth].map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect([first, second, third, fourth, fifth].map((r) => r.body.disclosure)).toEqual([
      AI_DISCLOSURE,
      null,
      null,
      AI_DISCLOSURE,
      null,
    ]);
    expect(first.body.response).not.toContain(AI_DISCLOSURE);
    expect(first.body.variant).toBe('openai');
  });

  it("starts a new thread's first reply too, for each coach", async () => {
    const chat = await chatWith();
    const user = await insertUser(db.pool);

    await send(chat, user.id, 'Hello pillar coach');
    const other = await invoke(chat, {
      resource: RESOURCE,
      userId: user.id,
      body: { message: 'Hello journal coach', chat_type: 'journal_reflection' },
    });

    expect(other.body.disclosure).toBe(AI_DISCLOSURE);
  });

  it('is kept with the reply: a replay carries it, and the run reads it', async () => {
    const chat = await chatWith();
    const user = await insertUser(db.pool);
    const key = randomUUID();

    const first = await send(chat, user.id, 'Morning routine ideas?', key);
    const replay = await send(chat, user.id, 'Morning routine ideas?', key);

    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    expect(replay.body.disclosure).toBe(AI_DISCLOSURE);
  });

  it('with disclosure_in_response, also starts the response and the stored row', async () => {
    const chat = await chatWith({ DISCLOSURE_IN_RESPONSE: 'true' });
    const user = await insertUser(db.pool);

    const first = await send(chat, user.id, 'Walking tips?');
    const second = await send(chat, user.id, 'And for rainy days?');

    expect(first.body.disclosure).toBe(AI_DISCLOSURE);
    expect(String(first.body.response).startsWith(`${AI_DISCLOSURE} `)).toBe(true);
    expect(second.body.disclosure).toBeNull();
    expect(String(second.body.response)).not.toContain(AI_DISCLOSURE);
    const { rows } = await db.pool.query(
      `select response, message from public.journal_ai_chats where id = $1`,
      [first.body.message_id],
    );
    expect(rows[0]).toEqual({ response: first.body.response, message: first.body.response });
  });

  it('is on the simulated coach and the crisis reply as well, and absent with disclosure_enabled off', async () => {
    const simulated = await chatWith({}, false);
    const crisis = await chatWith();
    const off = await chatWith({ DISCLOSURE_ENABLED: 'false' });
    const [a, b, c] = [await insertUser(db.pool), await insertUser(db.pool), await insertUser(db.pool)];

    const simulatedReply = await send(simulated, a.id, 'Hello');
    const crisisReply = await send(crisis, b.id, 'I want to end my life');
    const offReply = await send(off, c.id, 'Hello');

    expect(simulatedReply.body).toMatchObject({ variant: 'simulated', disclosure: AI_DISCLOSURE });
    expect(crisisReply.body).toMatchObject({ variant: 'safety', disclosure: AI_DISCLOSURE });
    expect(offReply.body).toMatchObject({ variant: 'openai', disclosure: null });
  });
});

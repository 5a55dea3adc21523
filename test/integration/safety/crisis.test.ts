/**
 * The crisis path end to end (docs/safety.md): the real chat handler, the real SQL store on a
 * throwaway PostgreSQL, and the real OpenAI adapters (the coach and the moderation endpoint)
 * talking HTTP to the OpenAI fake. A message about self-harm never reaches the coach model; it
 * gets the crisis reply, stored with `variant: "safety"`, and a safety event without any text.
 * Moderation down or slow: the coach answers and the failure is counted.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createChatHandler } from '../../../lambdas/chat/handler';
import type { ChatDeps } from '../../../lambdas/chat/service';
import type { TurnObserver } from '../../../lambdas/shared/observer';
import { invoke, type ProxyHandler } from '../../support/api';
import { buildTestRuntime, type TestRuntime } from '../../support/chat-runtime';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';
import { insertUser } from '../../support/users';

const RESOURCE = '/functions/v1/openai-chat-completion';
const CRISIS = 'I want to kill myself, I cannot do this any more';

let db: TestDatabase;
let fake: OpenAIFake;
let app: TestRuntime;
let unscreened: TestRuntime;
let chat: ProxyHandler;
let unscreenedChat: ProxyHandler;
const events: Array<{ readonly kind: string; readonly detail: Record<string, string> }> = [];

/** Records what the turn reports, as the metrics observer would emit it. */
const observer: TurnObserver = {
  screeningFailed: (failure) => void events.push({ kind: 'screeningFailed', detail: { ...failure } }),
  screeningSkipped: () => void events.push({ kind: 'screeningSkipped', detail: {} }),
  safetyEscalated: (event) => void events.push({ kind: 'safetyEscalated', detail: { ...event } }),
};

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startOpenAIFake();
  app = await buildTestRuntime({ databaseUrl: db.url, openai: fake });
  unscreened = await buildTestRuntime({
    databaseUrl: db.url,
    openai: fake,
    env: { SCREENING_ENABLED: 'false' },
  });
  chat = createChatHandler(async (): Promise<ChatDeps> => ({ ...app.runtime, observer }));
  unscreenedChat = createChatHandler(async (): Promise<ChatDeps> => ({ ...unscreened.runtime, observer }));
});

afterAll(async () => {
  await app?.close();
  await unscreened?.close();
  await fake?.close();
  await db?.drop();
});

beforeEach(() => {
  fake.reset();
  events.length = 0;
});

const send = (
  userId: string,
  body: Record<string, unknown>,
  headers?: Record<string, string>,
  handler = chat,
) => invoke(handler, { resource: RESOURCE, userId, body: { chat_type: 'general', ...body }, headers });

const creates = () => fake.requestsTo('POST', '/v1/responses');
const moderations = () => fake.requestsTo('POST', '/v1/moderations');

async function safetyEvents(userId: string) {
  const { rows } = await db.pool.query(
    `select e.*, row_to_json(e)::text as whole from public.safety_events e where e.user_id = $1 order by e.created_at`,
    [userId],
  );
  return rows as Array<Record<string, unknown> & { whole: string }>;
}

async function aiRow(messageId: string) {
  const { rows } = await db.pool.query(
    `select variant, response, message, model_used from public.journal_ai_chats where id = $1`,
    [messageId],
  );
  return rows[0] as { variant: string; response: string; message: string; model_used: string };
}

describe('a message about self-harm', () => {
  it('is screened, never sent to the coach, and answered with the crisis reply and a safety event without text', async () => {
    const user = await insertUser(db.pool);

    const reply = await send(user.id, { message: CRISIS });

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      variant: 'safety',
      fallback: false,
      cost_estimate: 0,
      tokens_used: 0,
    });
    expect(String(reply.body.response)).toContain('988');
    expect(String(reply.body.response)).toContain('emergency');
    expect(moderations().map((r) => r.body)).toEqual([{ model: 'omni-moderation-latest', input: CRISIS }]);
    expect(creates()).toEqual([]);
    expect(JSON.stringify(fake.requests.filter((r) => r.path !== '/v1/moderations'))).not.toContain(
      'kill myself',
    );
    const stored = await aiRow(String(reply.body.message_id));
    expect(stored).toMatchObject({ variant: 'safety', response: reply.body.response });
    const [event, ...others] = await safetyEvents(user.id);
    expect(others).toEqual([]);
    expect(event).toMatchObject({
      source: 'user_message',
      category: 'self-harm/intent',
      action: 'crisis_reply',
      chat_type: 'general',
      message_id: reply.body.user_message_id,
    });
    expect((event?.scores as Record<string, number>)['self-harm/intent']).toBeGreaterThan(0.9);
    expect(event?.whole).not.toContain('kill myself');
    expect(event?.whole).not.toContain('cannot do this');
    expect(events).toEqual([
      { kind: 'safetyEscalated', detail: { source: 'user_message', category: 'self-harm/intent' } },
    ]);
  });

  it('names the crisis services of the locale the body gives, else of Accept-Language', async () => {
    const user = await insertUser(db.pool);

    const british = await send(user.id, { message: CRISIS, locale: 'en-GB' });
    const australian = await send(user.id, { message: CRISIS }, { 'Accept-Language': 'en-AU,en;q=0.8' });

    expect(british.status).toBe(200);
    expect(String(british.body.response)).toContain('116 123');
    expect(String(british.body.response)).toContain('999');
    expect(String(australian.body.response)).toContain('13 11 14');
    expect((await safetyEvents(user.id)).map((e) => e.locale)).toEqual(['en-GB', 'en-AU']);
  });

  it('goes to the crisis path when self-harm scores at the threshold, and to the coach below it', async () => {
    const user = await insertUser(db.pool);
    fake.scriptModerations(
      { kind: 'scores', scores: { 'self-harm': 0.5 }, flagged: { 'self-harm': false } },
      { kind: 'scores', scores: { 'self-harm': 0.49 } },
    );

    const at = await send(user.id, { message: 'Some nights everything feels pointless' });
    const below = await send(user.id, { message: 'Some nights I feel low' });

    expect(at.body.variant).toBe('safety');
    expect(below.body.variant).toBe('openai');
    expect(creates().map((r) => (r.body as { input?: unknown }).input)).toEqual(['Some nights I feel low']);
    expect((await safetyEvents(user.id)).map((e) => e.category)).toEqual(['self-harm']);
  });
});

describe('when moderation fails', () => {
  it.each([
    ['answers 500', { kind: 'error', status: 500 } as const, 'upstream_error'],
    ['never answers', { kind: 'hang' } as const, 'timeout'],
    ['answers too late', { kind: 'slow_first_byte', delayMs: 3000 } as const, 'timeout'],
  ])('fails open when it %s: the coach answers and the failure is counted', async (_name, fault, kind) => {
    const user = await insertUser(db.pool);
    fake.scriptFaults('moderations.create', fault);

    const reply = await send(user.id, { message: 'How do I keep my morning routine?' });

    expect(reply.status).toBe(200);
    expect(reply.body.variant).toBe('openai');
    expect(creates()).toHaveLength(1);
    expect(events).toContainEqual({ kind: 'screeningFailed', detail: { source: 'user_message', kind } });
    expect(await safetyEvents(user.id)).toEqual([]);
  });
});

describe('with screening_enabled off', () => {
  it('screens nothing and counts it', async () => {
    const user = await insertUser(db.pool);

    const reply = await send(user.id, { message: 'Tea or coffee before a run?' }, undefined, unscreenedChat);

    expect(reply.status).toBe(200);
    expect(moderations()).toEqual([]);
    expect(events.filter((e) => e.kind === 'screeningSkipped')).toHaveLength(1);
  });
});

describe("the coach's reply", () => {
  it('is replaced when moderation flags it, recorded as a safety event, and its cost still logged', async () => {
    const user = await insertUser(db.pool);
    const paid = `A reply that must not be shown (${randomUUID()})`;
    fake.script({ kind: 'ok', text: paid });
    fake.scriptModerations({ kind: 'classify' }, { kind: 'scores', scores: { violence: 0.91 } });

    const reply = await send(user.id, { message: 'My neighbour keeps playing loud music' });

    expect(reply.status).toBe(200);
    expect(reply.body.variant).toBe('safety');
    expect(String(reply.body.response)).not.toContain('must not be shown');
    expect(moderations().map((r) => (r.body as { input: string }).input)).toEqual([
      'My neighbour keeps playing loud music',
      paid,
    ]);
    const stored = await aiRow(String(reply.body.message_id));
    expect(stored.variant).toBe('safety');
    expect(stored.message).not.toContain('must not be shown');
    const [event] = await safetyEvents(user.id);
    expect(event).toMatchObject({
      source: 'coach_reply',
      category: 'violence',
      action: 'reply_replaced',
      message_id: reply.body.message_id,
    });
    expect(event?.whole).not.toContain('must not be shown');
    const { rows } = await db.pool.query(
      `select total_tokens, openai_response_id from public.openai_usage_logs where message_id = $1`,
      [reply.body.message_id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].openai_response_id).toMatch(/^resp_/);
    expect(Number(reply.body.tokens_used)).toBeGreaterThan(0);
  });

  it('about self-harm is replaced by the crisis reply', async () => {
    const user = await insertUser(db.pool);
    fake.script({ kind: 'ok', text: 'Unsafe words' });
    fake.scriptModerations(
      { kind: 'classify' },
      { kind: 'scores', scores: { 'self-harm/instructions': 0.8 } },
    );

    const reply = await send(user.id, { message: 'Tell me something' });

    expect(reply.body.variant).toBe('safety');
    expect(String(reply.body.response)).toContain('988');
    expect((await safetyEvents(user.id)).map((e) => [e.source, e.category])).toEqual([
      ['coach_reply', 'self-harm/instructions'],
    ]);
  });

  it('is shown when its screening fails, and the failure is counted', async () => {
    const user = await insertUser(db.pool);
    fake.script({ kind: 'ok', text: 'Try a short walk after lunch.' });
    fake.scriptModerations({ kind: 'classify' }, { kind: 'error', status: 503 });

    const reply = await send(user.id, { message: 'I feel sluggish after lunch' });

    expect(reply.body).toMatchObject({ variant: 'openai', response: 'Try a short walk after lunch.' });
    expect(events).toContainEqual({
      kind: 'screeningFailed',
      detail: { source: 'coach_reply', kind: 'upstream_error' },
    });
  });
});

/**
 * The other routes the app calls: thread-manager (the PRD's ChatRepository actions),
 * user-context-builder (what the coach sees) and chat-feedback, end to end on the real
 * test Postgres with the app's existing rows, OpenAI faked over HTTP.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { FIXTURE_USERS } from '../../../db/fixtures';
import { createChatHandler } from '../../../lambdas/chat/handler';
import { createContextHandler } from '../../../lambdas/context/handler';
import { createFeedbackHandler } from '../../../lambdas/feedback/handler';
import { createThreadsHandler } from '../../../lambdas/threads/handler';
import { invoke, type ProxyHandler } from '../../support/api';
import { buildTestRuntime, type TestRuntime } from '../../support/chat-runtime';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';
import { insertUser } from '../../support/users';

let db: TestDatabase;
let fake: OpenAIFake;
let app: TestRuntime;
let threads: ProxyHandler;
let context: ProxyHandler;
let feedback: ProxyHandler;
let chat: ProxyHandler;

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startOpenAIFake();
  app = await buildTestRuntime({ databaseUrl: db.url, openai: fake });
  threads = createThreadsHandler(app.getRuntime);
  context = createContextHandler(app.getRuntime);
  feedback = createFeedbackHandler(app.getRuntime);
  chat = createChatHandler(app.getRuntime);
});

afterAll(async () => {
  await app?.close();
  await fake?.close();
  await db?.drop();
});

beforeEach(() => fake.reset());

const threadManager = (userId: string, body: unknown) =>
  invoke(threads, { resource: '/functions/v1/thread-manager', userId, body });

describe('thread-manager', () => {
  it('get_or_create gives a new user a thread backed by a new OpenAI conversation', async () => {
    const user = await insertUser(db.pool);

    const reply = await threadManager(user.id, { action: 'get_or_create', assistant_type: 'pillar_coach' });

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      user_id: user.id,
      assistant_type: 'pillar_coach',
      total_tokens_used: 0,
    });
    expect(reply.body.thread_id).toMatch(/^conv_/);
    expect(String(reply.body.openai_assistant_id)).toMatch(/^pillar_coach@\d+$/);
  });

  it('get_or_create returns the same thread the second time without creating another conversation', async () => {
    const user = await insertUser(db.pool);

    const first = await threadManager(user.id, { action: 'get_or_create', assistant_type: 'general_coach' });
    const second = await threadManager(user.id, { action: 'get_or_create', assistant_type: 'general_coach' });

    expect(second.body).toEqual(first.body);
    expect(fake.requests.filter((r) => r.path === '/v1/conversations')).toHaveLength(1);
  });

  it('get_or_create upgrades a legacy local thread to a conversation, keeping its row', async () => {
    const bob = FIXTURE_USERS.bob;

    const reply = await threadManager(bob.id, { action: 'get_or_create', assistant_type: 'general_coach' });

    expect(reply.status).toBe(200);
    expect(reply.body.id).toBe(bob.threads.general.id);
    expect(reply.body.thread_id).toMatch(/^conv_/);
  });

  it("update_interaction moves last_interaction_at forward, and refuses a thread that is not the user's", async () => {
    const user = await insertUser(db.pool);
    const created = await threadManager(user.id, {
      action: 'get_or_create',
      assistant_type: 'general_coach',
    });
    await db.pool.query(
      `update public.user_assistant_threads set last_interaction_at = '2026-01-01' where id = $1`,
      [created.body.id],
    );

    const touched = await threadManager(user.id, {
      action: 'update_interaction',
      thread_id: created.body.thread_id,
    });
    const foreign = await threadManager(user.id, {
      action: 'update_interaction',
      thread_id: FIXTURE_USERS.bob.threads.general.threadId,
    });

    expect(touched.status).toBe(200);
    expect(Date.parse(String(touched.body.last_interaction_at))).toBeGreaterThan(Date.parse('2026-06-01'));
    expect(foreign.status).toBe(404);
  });

  it("get_threads lists only the caller's threads, including merged duplicates as one", async () => {
    const carol = FIXTURE_USERS.carol;

    const reply = await invoke<Array<Record<string, unknown>>>(threads, {
      resource: '/functions/v1/thread-manager',
      userId: carol.id,
      body: { action: 'get_threads' },
    });

    expect(reply.status).toBe(200);
    expect(reply.body.map((t) => t.assistant_type).sort()).toEqual(['general_coach', 'pillar_coach']);
    expect(reply.body.every((t) => t.user_id === carol.id)).toBe(true);
  });

  it('refuses an unknown action and an unknown assistant type with 400', async () => {
    const user = await insertUser(db.pool);

    const unknownAction = await threadManager(user.id, { action: 'delete_everything' });
    const unknownType = await threadManager(user.id, {
      action: 'get_or_create',
      assistant_type: 'assistant_coach',
    });

    expect(unknownAction.status).toBe(400);
    expect(unknownType.status).toBe(400);
  });
});

describe('user-context-builder', () => {
  const build = (userId: string, body: unknown) =>
    invoke(context, { resource: '/functions/v1/user-context-builder', userId, body });

  it('uses the latest rating of every pillar, not just one row', async () => {
    const alice = FIXTURE_USERS.alice;

    const reply = await build(alice.id, { chat_type: 'general' });

    expect(reply.status).toBe(200);
    const data = reply.body.data as { ratings: Array<{ pillar: string; rating: number }> };
    const ratings = Object.fromEntries(data.ratings.map((r) => [r.pillar, r.rating]));
    expect(ratings).toEqual(alice.latestRatings);
    for (const value of Object.values(alice.latestRatings))
      expect(String(reply.body.context)).toContain(`${value}%`);
  });

  it('includes active goals only, and the specific goal when asked', async () => {
    const alice = FIXTURE_USERS.alice;

    const reply = await build(alice.id, { chat_type: 'general', goal_id: alice.goals.gratitudeJournal });

    const data = reply.body.data as { goals: Array<{ id: string }>; goal: { id: string } | null };
    expect(data.goals.map((g) => g.id).sort()).toEqual(
      [alice.goals.eveningWalks, alice.goals.gratitudeJournal].sort(),
    );
    expect(data.goal?.id).toBe(alice.goals.gratitudeJournal);
  });

  it("never shows another user's goal", async () => {
    const user = await insertUser(db.pool);

    const reply = await build(user.id, {
      chat_type: 'general',
      goal_id: FIXTURE_USERS.alice.goals.eveningWalks,
    });

    expect(JSON.stringify(reply.body)).not.toContain('Evening');
    expect([403, 404, 200]).toContain(reply.status);
    if (reply.status === 200) expect((reply.body.data as { goal: unknown }).goal).toBeNull();
  });

  it.each([
    ['pillar_health', 'pillar_coach'],
    ['journal_reflection', 'journal_coach'],
    ['onboarding', 'onboarding_coach'],
    ['general', 'general_coach'],
  ])('maps chat type %s to the %s profile and names it in the context', async (chatType, profileId) => {
    const reply = await build(FIXTURE_USERS.bob.id, { chat_type: chatType });

    expect(reply.body).toMatchObject({ chat_type: chatType, profile_id: profileId });
    expect(String(reply.body.context)).toContain(chatType);
  });
});

describe('chat-feedback', () => {
  it("records a thumbs-down with a comment on the user's AI message, and updates it on a second call", async () => {
    const user = await insertUser(db.pool);
    const answered = await invoke(chat, {
      resource: '/functions/v1/openai-chat-completion',
      userId: user.id,
      body: { message: 'hi' },
    });

    const first = await invoke(feedback, {
      resource: '/functions/v1/chat-feedback',
      userId: user.id,
      body: { message_id: answered.body.message_id, rating: 'down', comment: 'Too generic' },
    });
    const second = await invoke(feedback, {
      resource: '/functions/v1/chat-feedback',
      userId: user.id,
      body: { message_id: answered.body.message_id, rating: 'up' },
    });

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    const { rows } = await db.pool.query(
      `select rating, comment from public.chat_feedback where user_id = $1`,
      [user.id],
    );
    expect(rows).toEqual([{ rating: 'up', comment: null }]);
  });

  it("refuses feedback on someone else's message or an unknown one", async () => {
    const user = await insertUser(db.pool);
    const { rows } = await db.pool.query(
      `select id from public.journal_ai_chats where user_id = $1 and message_type = 'ai' limit 1`,
      [FIXTURE_USERS.alice.id],
    );

    const foreign = await invoke(feedback, {
      resource: '/functions/v1/chat-feedback',
      userId: user.id,
      body: { message_id: rows[0].id, rating: 'up' },
    });
    const unknown = await invoke(feedback, {
      resource: '/functions/v1/chat-feedback',
      userId: user.id,
      body: { message_id: randomUUID(), rating: 'up' },
    });

    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    const count = await db.pool.query(
      `select count(*)::int as n from public.chat_feedback where user_id = $1`,
      [user.id],
    );
    expect(count.rows[0].n).toBe(0);
  });
});

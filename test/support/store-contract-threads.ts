/** The store contract, threads, context and feedback. */
import { randomUUID } from 'node:crypto';
import { expect, it } from '@jest/globals';
import { FIXTURE_USERS, PILLAR_IDS } from '../../db/fixtures';
import { OPENAI_ANSWER } from './turns';
import type { ContractKit } from './store-contract';

export function describeThreadsContextFeedback(kit: ContractKit): void {
  const { h, newUser, count, key, prepareInput, claim, identity, refusal } = kit;

  it('lists threads latest interaction first and touches them by current or legacy id', async () => {
    const userId = await newUser();
    const local = `thread_local_${randomUUID()}`;
    await h.store.saveThreadConversation({
      user_id: userId,
      assistant_type: 'pillar_coach',
      thread_id: local,
      profile_ref: 'pillar_coach@1',
    });
    await h.store.saveThreadConversation({
      user_id: userId,
      assistant_type: 'pillar_coach',
      thread_id: 'conv_pillar',
      profile_ref: 'pillar_coach@1',
    });
    const general = await h.store.saveThreadConversation({
      user_id: userId,
      assistant_type: 'general_coach',
      thread_id: 'conv_general',
      profile_ref: 'general_coach@1',
    });
    await h.query(
      `update public.user_assistant_threads set last_interaction_at = '2026-01-01' where user_id = $1`,
      [userId],
    );

    const touched = await h.store.touchThread({ user_id: userId, thread_id: local });
    const list = await h.store.listThreads({ user_id: userId });

    expect(touched).toMatchObject({
      user_id: userId,
      assistant_type: 'pillar_coach',
      thread_id: 'conv_pillar',
      total_tokens_used: 0,
      last_cost_estimate: 0,
    });
    expect(Date.parse(touched.last_interaction_at)).toBeGreaterThan(Date.parse('2026-01-02T00:00:00Z'));
    expect(touched.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(list.map((t) => t.assistant_type)).toEqual(['pillar_coach', 'general_coach']);
    expect(list[1]).toEqual({ ...general, last_interaction_at: '2026-01-01T00:00:00.000Z' });
    expect(await h.store.getThread({ user_id: userId, assistant_type: 'pillar_coach' })).toEqual(list[0]);
    expect(await h.store.getThread({ user_id: userId, assistant_type: 'journal_coach' })).toBeNull();
  });

  it("refuses to touch another user's thread with 404 and leaves it unchanged", async () => {
    const userId = await newUser();
    const bobThread = FIXTURE_USERS.bob.threads.general;
    const before = await h.query(
      'select last_interaction_at::text as t from public.user_assistant_threads where id = $1',
      [bobThread.id],
    );

    const refused = await refusal(h.store.touchThread({ user_id: userId, thread_id: bobThread.threadId }));

    expect(refused).toEqual({ status: 404, code: 'thread_not_found' });
    expect(
      await h.query(
        'select last_interaction_at::text as t from public.user_assistant_threads where id = $1',
        [bobThread.id],
      ),
    ).toEqual(before);
    expect(await h.store.listThreads({ user_id: userId })).toEqual([]);
  });

  it('gives the context the latest rating of every pillar, active goals only, and the goal asked for', async () => {
    const alice = FIXTURE_USERS.alice;

    const data = await h.store.getContextData({
      user_id: alice.id,
      goal_id: alice.goals.gratitudeJournal,
      recent_limit: 5,
    });

    expect(data.display_name).toBe('Alice');
    expect(Object.fromEntries(data.ratings.map((r) => [r.pillar, r.rating]))).toEqual(alice.latestRatings);
    expect(data.ratings.find((r) => r.pillar === 'health')).toEqual({
      pillar: 'health',
      pillar_display_name: 'Health',
      rating: 62,
      rated_at: '2026-11-01T09:15:00.000Z',
    });
    expect(data.goals.map((g) => g.id).sort()).toEqual(
      [alice.goals.eveningWalks, alice.goals.gratitudeJournal].sort(),
    );
    expect(data.goal).toEqual({
      id: alice.goals.gratitudeJournal,
      title: 'Journal three times a week',
      focus: 'Gratitude notes',
      pillar: 'emotion',
      pillar_display_name: 'Emotion',
    });
  });

  it("quotes only the user's latest messages, as many as asked, newest first, each cut to 200 characters", async () => {
    const userId = await newUser();
    await h.query(
      `insert into public.journal_ai_chats (user_id, message, message_type, chat_type, created_at)
       select $1::uuid, repeat('m' || i, 150), 'user', 'general', timestamp '2026-11-01' + i * interval '1 hour' from generate_series(1, 4) as i
       union all
       select $1::uuid, 'coach text', 'ai', 'general', timestamp '2026-11-02'`,
      [userId],
    );
    await h.query(
      `insert into public.user_goals (user_id, pillar_id, title, is_active) values ($1, $2, 'Old goal', false)`,
      [userId, PILLAR_IDS.purpose],
    );

    const data = await h.store.getContextData({ user_id: userId, goal_id: null, recent_limit: 2 });

    expect(data.recent_messages.map((m) => m.created_at)).toEqual([
      '2026-11-01T04:00:00.000Z',
      '2026-11-01T03:00:00.000Z',
    ]);
    expect(data.recent_messages.every((m) => m.message.length === 200 && m.chat_type === 'general')).toBe(
      true,
    );
    expect(data.goals).toEqual([]);
    expect(data.goal).toBeNull();
  });

  it("refuses context data for another user's goal", async () => {
    const userId = await newUser();

    const refused = await refusal(
      h.store.getContextData({
        user_id: userId,
        goal_id: FIXTURE_USERS.bob.goals.sundayCalls,
        recent_limit: 5,
      }),
    );

    expect(refused).toEqual({ status: 403, code: 'goal_forbidden' });
  });

  it('keeps one feedback per user and message, the second rating replacing the first', async () => {
    const userId = await newUser();
    const input = prepareInput(userId, key());
    const { run_id } = await claim(input);
    const reply = await h.store.recordExchange({ ...identity(run_id, input), answer: OPENAI_ANSWER });

    const first = await h.store.recordFeedback({
      user_id: userId,
      message_id: reply.message_id,
      rating: 'up',
      comment: null,
    });
    const second = await h.store.recordFeedback({
      user_id: userId,
      message_id: reply.message_id,
      rating: 'down',
      comment: 'Too generic',
    });

    expect(first).toEqual({
      id: expect.any(String),
      message_id: reply.message_id,
      rating: 'up',
      comment: null,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    expect(second).toMatchObject({
      id: first.id,
      rating: 'down',
      comment: 'Too generic',
      created_at: first.created_at,
    });
    const rows = await h.query('select rating, comment from public.chat_feedback where user_id = $1', [
      userId,
    ]);
    expect(rows).toEqual([{ rating: 'down', comment: 'Too generic' }]);
  });

  it("refuses feedback on someone else's message or on a user row, with 404, and stores nothing", async () => {
    const userId = await newUser();
    const aliceAiRow = '40000000-0000-4000-8000-000000000002';
    const aliceUserRow = '40000000-0000-4000-8000-000000000001';

    const foreign = await refusal(
      h.store.recordFeedback({ user_id: userId, message_id: aliceAiRow, rating: 'down', comment: null }),
    );
    const userRow = await refusal(
      h.store.recordFeedback({
        user_id: FIXTURE_USERS.alice.id,
        message_id: aliceUserRow,
        rating: 'up',
        comment: null,
      }),
    );

    expect(foreign).toEqual({ status: 404, code: 'message_not_found' });
    expect(userRow).toEqual({ status: 404, code: 'message_not_found' });
    expect(await count('public.chat_feedback where message_id in ($1, $2)', [aliceAiRow, aliceUserRow])).toBe(
      0,
    );
  });
}

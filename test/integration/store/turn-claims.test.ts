/**
 * The claim as the store answers it, on the real functions: one live turn per thread, every
 * per-user limit (nothing written when one is reached), the global budget, reservations that
 * count until recording settles them, a thread's conversation that only the backend writes,
 * rows an app user inserts with someone else's run id, and exchanges the user deleted.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClaimedTurn, PrepareTurnInput } from '../../../lambdas/chat/ports';
import { CLAIM_TTL_SECONDS } from '../../../lambdas/shared/contract/timing';
import { AppError } from '../../../lambdas/shared/errors';
import { sqlStore, type CoachStore } from '../../../local/runtime';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { GENEROUS_LIMITS, OPENAI_ANSWER, turnInput } from '../../support/turns';
import { asAppUser, countRows, insertUser } from '../../support/users';

let db: TestDatabase;
let store: CoachStore;

beforeAll(async () => {
  db = await createTestDatabase();
  store = sqlStore(db.pool);
});
afterAll(() => db?.drop());

const key = () => `k-${randomUUID()}`;
const newUser = async () => (await insertUser(db.pool)).id;

async function claim(input: PrepareTurnInput): Promise<ClaimedTurn> {
  const prepared = await store.prepareTurn(input);
  if (prepared.kind !== 'claimed') throw new Error(`expected a claim, got ${prepared.kind}`);
  return prepared;
}

async function refusalOf(promise: Promise<unknown>): Promise<{ status: number; code: string }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return { status: (error as AppError).status, code: (error as AppError).code };
}

/** Today's usage of a user as if an earlier turn had been recorded (cost in USD). */
async function spend(userId: string, tokens: number, cost: number): Promise<void> {
  await db.pool.query(
    `insert into public.openai_usage_logs (user_id, thread_id, prompt_tokens, completion_tokens, total_tokens, model_used, cost_estimate, variant)
     values ($1, 'conv_earlier', $2, 0, $2, 'gpt-6.1-terra', $3, 'openai')`,
    [userId, tokens, cost],
  );
}

describe('one turn at a time per thread', () => {
  it('refuses a second message on the same coach while the first is in flight, writing nothing, and lets another coach answer', async () => {
    const userId = await newUser();
    const first = await claim(turnInput(userId, key()));

    const busy = await store.prepareTurn(turnInput(userId, key()));
    const otherCoach = await store.prepareTurn(
      turnInput(userId, key(), { assistant_type: 'pillar_coach', chat_type: 'pillar_health' }),
    );

    expect(busy).toEqual({ kind: 'thread_busy', run_id: first.run_id, retry_after_seconds: 3 });
    expect(otherCoach.kind).toBe('claimed');
    expect(await countRows(db.pool, 'public.chat_runs', userId)).toBe(2);
    expect(await countRows(db.pool, 'public.journal_ai_chats', userId)).toBe(2);
  });

  it('holds a claim as long as the chat and the erasure count on', async () => {
    const { rows } = await db.pool.query(`select extract(epoch from public._coach_claim_ttl())::int as s`);

    expect(rows).toEqual([{ s: CLAIM_TTL_SECONDS }]);
  });

  it('frees the thread once the turn is recorded, or once its claim is abandoned', async () => {
    const userId = await newUser();
    const first = await claim(turnInput(userId, key()));
    await store.recordExchange({
      run_id: first.run_id,
      user_id: userId,
      thread_id: 'conv_x1',
      answer: OPENAI_ANSWER,
    });
    const second = await claim(turnInput(userId, key()));
    await db.pool.query(
      `update public.chat_runs set claimed_at = now() - interval '61 seconds' where id = $1`,
      [second.run_id],
    );

    const third = await store.prepareTurn(turnInput(userId, key()));

    expect(third.kind).toBe('claimed');
  });

  it('serializes a burst of new messages on one thread: exactly one is claimed', async () => {
    const userId = await newUser();

    const results = await Promise.all(
      Array.from({ length: 6 }, () => store.prepareTurn(turnInput(userId, key()))),
    );

    expect(results.map((r) => r.kind).sort()).toEqual(['claimed', ...Array(5).fill('thread_busy')]);
    expect(await countRows(db.pool, 'public.chat_runs', userId)).toBe(1);
  });
});

describe('per-user limits, checked by the claim', () => {
  it.each([
    ['per_minute', { per_minute: 2 }],
    ['daily_messages', { daily_messages: 2 }],
  ] as const)('answers limited (%s) once the count is reached, and writes nothing', async (limit, extra) => {
    const userId = await newUser();
    for (let i = 0; i < 2; i += 1) {
      const turn = await claim(turnInput(userId, key()));
      await store.recordExchange({
        run_id: turn.run_id,
        user_id: userId,
        thread_id: 'conv_lim',
        answer: OPENAI_ANSWER,
      });
    }
    const runsBefore = await countRows(db.pool, 'public.chat_runs', userId);

    const limited = await store.prepareTurn(
      turnInput(userId, key(), { limits: { ...GENEROUS_LIMITS, ...extra } }),
    );

    expect(limited).toEqual({ kind: 'limited', limit, retry_after_seconds: expect.any(Number) });
    const retryAfter = (limited as { retry_after_seconds: number }).retry_after_seconds;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(limit === 'per_minute' ? 60 : 86_400);
    expect(await countRows(db.pool, 'public.chat_runs', userId)).toBe(runsBefore);
    expect(await countRows(db.pool, 'public.journal_ai_chats', userId)).toBe(4);
  });

  it('counts the reservations of turns still in flight against the daily cost, and releases them when recorded', async () => {
    const userId = await newUser();
    // Each turn reserves 0.0015 USD (SMALL_RESERVE); the limit admits one turn in flight.
    const limits = { ...GENEROUS_LIMITS, daily_cost_usd: 0.001 };
    const first = await claim(turnInput(userId, key(), { limits }));

    const second = await store.prepareTurn(
      turnInput(userId, key(), { limits, assistant_type: 'pillar_coach', chat_type: 'pillar_health' }),
    );
    await store.recordExchange({
      run_id: first.run_id,
      user_id: userId,
      thread_id: 'conv_res',
      answer: { ...OPENAI_ANSWER, cost_estimate: 0.0002 },
    });
    const third = await store.prepareTurn(
      turnInput(userId, key(), { limits, assistant_type: 'pillar_coach', chat_type: 'pillar_health' }),
    );

    expect(second).toMatchObject({ kind: 'limited', limit: 'daily_cost' });
    expect(third).toMatchObject({ kind: 'claimed', usage_today: { cost_usd: 0.0002 } });
  });

  it("counts tokens, reservations included, and takes the user's own budget over the flags", async () => {
    const userId = await newUser();
    await spend(userId, 900, 0);
    await db.pool.query(
      `insert into public.user_ai_settings (user_id, daily_token_limit) values ($1, 1000)`,
      [userId],
    );

    // 900 used < 1000: admitted, reserving 1100 tokens; then 900 + 1100 ≥ 1000.
    const first = await store.prepareTurn(turnInput(userId, key()));
    const second = await store.prepareTurn(
      turnInput(userId, key(), { assistant_type: 'pillar_coach', chat_type: 'pillar_health' }),
    );

    expect(first).toMatchObject({ kind: 'claimed', reservation: { tokens: 1100 } });
    expect(second).toMatchObject({ kind: 'limited', limit: 'daily_tokens' });
    expect(await countRows(db.pool, 'public.chat_runs', userId)).toBe(1);
  });

  it('holds a simulated turn to the message limits only: it costs nothing', async () => {
    const userId = await newUser();
    await spend(userId, 5_000_000, 5);
    const simulatedForAll = {
      unset: { variant: 'simulated', reason: 'cohort', cohort: '80' },
      enabled: { variant: 'simulated', reason: 'cohort', cohort: '80' },
      disabled: { variant: 'simulated', reason: 'cohort', cohort: '80' },
    } as const;

    const prepared = await claim(
      turnInput(userId, key(), {
        rollout: simulatedForAll,
        limits: { ...GENEROUS_LIMITS, daily_cost_usd: 1 },
      }),
    );

    expect(prepared).toMatchObject({ variant: 'simulated', reservation: { tokens: 0, cost_usd: 0 } });
  });

  it("applies the rollout the user's own setting selects", async () => {
    const userId = await newUser();
    await db.pool.query(`insert into public.user_ai_settings (user_id, openai_enabled) values ($1, false)`, [
      userId,
    ]);

    const prepared = await claim(turnInput(userId, key()));

    expect(prepared).toMatchObject({ variant: 'simulated', rollout_reason: 'user_override' });
    const runs = await db.pool.query(`select cohort, reservation_open from public.chat_runs where id = $1`, [
      prepared.run_id,
    ]);
    expect(runs.rows).toEqual([{ cohort: 'override', reservation_open: false }]);
  });

  it('turns OpenAI into the simulated coach for everyone once the global budget is spent, reserving nothing', async () => {
    const userId = await newUser();
    const limits = { ...GENEROUS_LIMITS, global_daily_cost_usd: 0 };

    const prepared = await claim(turnInput(userId, key(), { limits }));

    expect(prepared).toMatchObject({
      variant: 'simulated',
      rollout_reason: 'global_budget',
      global_budget_exceeded: true,
      reservation: { tokens: 0, cost_usd: 0 },
    });
  });
});

describe('what the user can and cannot reset', () => {
  it("keeps the usage logs, and so the day's budget, when the user deletes their chat rows", async () => {
    const userId = await newUser();
    const turn = await claim(turnInput(userId, key()));
    const reply = await store.recordExchange({
      run_id: turn.run_id,
      user_id: userId,
      thread_id: 'conv_del',
      answer: OPENAI_ANSWER,
    });

    await db.pool.query(`delete from public.journal_ai_chats where user_id = $1`, [userId]);
    const next = await claim(turnInput(userId, key()));

    const logs = await db.pool.query(
      `select message_id, cost_estimate::float8 as cost from public.openai_usage_logs where run_id = $1`,
      [turn.run_id],
    );
    expect(logs.rows).toEqual([{ message_id: null, cost: OPENAI_ANSWER.cost_estimate }]);
    expect(next.usage_today).toEqual({ tokens: 1280, cost_usd: OPENAI_ANSWER.cost_estimate, messages: 1 });
    expect(reply.message_id).toEqual(expect.any(String));
  });

  it('answers a replay of a deleted answer, and its run, with 410 answer_deleted, storing nothing', async () => {
    const userId = await newUser();
    const input = turnInput(userId, key());
    const turn = await claim(input);
    const reply = await store.recordExchange({
      run_id: turn.run_id,
      user_id: userId,
      thread_id: 'conv_gone',
      answer: OPENAI_ANSWER,
    });
    await db.pool.query(`delete from public.journal_ai_chats where id = $1`, [reply.message_id]);

    const replay = await refusalOf(store.prepareTurn(input));
    const run = await refusalOf(store.getRun({ run_id: turn.run_id, user_id: userId }));

    expect(replay).toEqual({ status: 410, code: 'answer_deleted' });
    expect(run).toEqual({ status: 410, code: 'answer_deleted' });
    expect(await countRows(db.pool, 'public.journal_ai_chats', userId)).toBe(1);
    expect(await countRows(db.pool, 'public.openai_usage_logs', userId)).toBe(1);
  });

  it('reads an abandoned in-flight claim as failed "abandoned", and claims it again with recovery first once it has a conversation', async () => {
    const userId = await newUser();
    const input = turnInput(userId, key());
    const turn = await claim(input);
    await store.saveThreadConversation({
      user_id: userId,
      assistant_type: 'general_coach',
      thread_id: `conv_${randomUUID().replaceAll('-', '')}`,
      profile_ref: 'general_coach@1',
    });
    const live = await store.getRun({ run_id: turn.run_id, user_id: userId });
    await db.pool.query(
      `update public.chat_runs set claimed_at = now() - interval '2 minutes' where id = $1`,
      [turn.run_id],
    );

    const abandoned = await store.getRun({ run_id: turn.run_id, user_id: userId });
    const again = await claim(input);

    expect(live).toMatchObject({ status: 'pending', user_message_id: turn.user_message_id });
    expect(abandoned).toMatchObject({ status: 'failed', code: 'abandoned', reply: null });
    expect(again).toMatchObject({
      run_id: turn.run_id,
      recover_first: true,
      user_message_id: turn.user_message_id,
    });
    expect(await countRows(db.pool, 'public.journal_ai_chats', userId)).toBe(1);
  });
});

describe('rows an app user may write', () => {
  it("ignores a row the user inserts with another user's run id: the run records, replays and releases as its own", async () => {
    const victim = await newUser();
    const intruder = await newUser();
    const input = turnInput(victim, key());
    const turn = await claim(input);
    await db.pool.query(
      `insert into public.journal_ai_chats (user_id, message, response, message_type, run_id)
       values ($1, 'not yours', 'not yours', 'ai', $2), ($1, 'not yours', null, 'user', $2)`,
      [intruder, turn.run_id],
    );

    const reply = await store.recordExchange({
      run_id: turn.run_id,
      user_id: victim,
      thread_id: 'conv_victim',
      answer: OPENAI_ANSWER,
    });
    const replay = await store.prepareTurn(input);

    expect(reply).toMatchObject({ response: OPENAI_ANSWER.response, user_message_id: turn.user_message_id });
    expect(replay).toEqual({ kind: 'replay', reply });
    const other = await claim(
      turnInput(victim, key(), { assistant_type: 'pillar_coach', chat_type: 'pillar_health' }),
    );
    await db.pool.query(
      `insert into public.journal_ai_chats (user_id, message, message_type, run_id) values ($1, 'blocker', 'user', $2)`,
      [intruder, other.run_id],
    );
    await store.releaseTurn({ run_id: other.run_id, user_id: victim });
    expect(await countRows(db.pool, 'public.chat_runs', victim)).toBe(1);
    expect(await countRows(db.pool, 'public.journal_ai_chats', intruder)).toBe(3);
  });

  it("never takes another user's conversation, even written into the user's own thread row", async () => {
    const owner = await newUser();
    const intruder = await newUser();
    const ownersConversation = `conv_${randomUUID().replaceAll('-', '')}`;
    await store.saveThreadConversation({
      user_id: owner,
      assistant_type: 'general_coach',
      thread_id: ownersConversation,
      profile_ref: 'general_coach@1',
    });
    await store.saveThreadConversation({
      user_id: intruder,
      assistant_type: 'general_coach',
      thread_id: `thread_local_${randomUUID()}`,
      profile_ref: 'general_coach@1',
    });
    await db.pool.query(
      `update public.user_assistant_threads set thread_id = $2, legacy_thread_ids = array[$2] where user_id = $1`,
      [intruder, ownersConversation],
    );

    const claimed = await claim(turnInput(intruder, key()));
    const named = await refusalOf(
      store.prepareTurn(turnInput(intruder, key(), { thread_id: ownersConversation })),
    );
    const saved = await store
      .saveThreadConversation({
        user_id: intruder,
        assistant_type: 'general_coach',
        thread_id: ownersConversation,
        profile_ref: 'general_coach@1',
      })
      .catch((e: unknown) => e);

    expect(claimed.conversation_id).toBeNull();
    expect(named).toEqual({ status: 403, code: 'thread_forbidden' });
    expect(saved).toBeInstanceOf(Error);
    const own = await store.prepareTurn(turnInput(owner, key(), { thread_id: ownersConversation }));
    expect(own).toMatchObject({ kind: 'claimed', conversation_id: ownersConversation });
  });

  it("never has an erasure delete another user's conversation or response written into one's own rows", async () => {
    const owner = await newUser();
    const intruder = await newUser();
    const ownersConversation = `conv_${randomUUID().replaceAll('-', '')}`;
    const intrudersConversation = `conv_${randomUUID().replaceAll('-', '')}`;
    for (const [user, conversation] of [
      [owner, ownersConversation],
      [intruder, intrudersConversation],
    ] as const) {
      await store.saveThreadConversation({
        user_id: user,
        assistant_type: 'general_coach',
        thread_id: conversation,
        profile_ref: 'general_coach@1',
      });
    }
    const ownersTurn = await claim(turnInput(owner, key()));
    await store.recordExchange({
      run_id: ownersTurn.run_id,
      user_id: owner,
      thread_id: ownersConversation,
      answer: { ...OPENAI_ANSWER, openai_response_id: 'resp_owners_own' },
    });
    await db.pool.query(
      `update public.user_assistant_threads set legacy_thread_ids = array[$2::text] where user_id = $1`,
      [intruder, ownersConversation],
    );
    await db.pool.query(
      `insert into public.journal_ai_chats (user_id, message, message_type, openai_thread_id, openai_response_id)
       values ($1, 'planted', 'ai', $2, 'resp_owners_own')`,
      [intruder, ownersConversation],
    );

    const begun = await db.pool.query(`select public.coach_begin_erasure($1) as r`, [
      JSON.stringify({ user_id: intruder, claim_ttl_seconds: CLAIM_TTL_SECONDS }),
    ]);
    const erasureId = begun.rows[0].r.erasure.erasure_id;
    const items = await db.pool.query(
      `select kind, openai_id from public.ai_data_erasure_items where erasure_id = $1 order by kind, openai_id`,
      [erasureId],
    );

    expect(items.rows).toEqual([{ kind: 'conversation', openai_id: intrudersConversation }]);
    expect(await countRows(db.pool, 'public.coach_conversations', intruder)).toBe(0);
    expect(await countRows(db.pool, 'public.coach_conversations', owner)).toBe(1);
  });

  it('lets an app user read their own conversations and write none', async () => {
    const owner = await newUser();
    const other = await newUser();
    for (const user of [owner, other]) {
      await store.saveThreadConversation({
        user_id: user,
        assistant_type: 'general_coach',
        thread_id: `conv_${randomUUID().replaceAll('-', '')}`,
        profile_ref: 'general_coach@1',
      });
    }
    const denied = (sql: string) =>
      asAppUser(db.pool, owner, sql, [owner]).then(
        () => 'allowed',
        (e: { code?: string }) => e.code,
      );

    const seen = await asAppUser(
      db.pool,
      owner,
      'select 1 from public.coach_conversations where user_id <> $1',
      [owner],
    );
    const own = await asAppUser(
      db.pool,
      owner,
      'select 1 from public.coach_conversations where user_id = $1',
      [owner],
    );

    expect([seen, own]).toEqual([0, 1]);
    expect(
      await denied(`update public.coach_conversations set conversation_id = 'conv_mine' where user_id = $1`),
    ).toBe('42501');
    expect(
      await denied(
        `insert into public.coach_conversations (user_id, assistant_type, conversation_id) values ($1, 'pillar_coach', 'conv_new')`,
      ),
    ).toBe('42501');
    expect(await denied(`delete from public.coach_conversations where user_id = $1`)).toBe('42501');
  });

  it('keeps the first conversation saved for a thread, and the replaced ids resolvable', async () => {
    const userId = await newUser();
    const local = `thread_local_${randomUUID()}`;
    const first = `conv_${randomUUID().replaceAll('-', '')}`;
    const second = `conv_${randomUUID().replaceAll('-', '')}`;
    await store.saveThreadConversation({
      user_id: userId,
      assistant_type: 'general_coach',
      thread_id: local,
      profile_ref: 'general_coach@1',
    });

    const adopted = await store.saveThreadConversation({
      user_id: userId,
      assistant_type: 'general_coach',
      thread_id: first,
      profile_ref: 'general_coach@1',
    });
    const kept = await store.saveThreadConversation({
      user_id: userId,
      assistant_type: 'general_coach',
      thread_id: second,
      profile_ref: 'general_coach@1',
    });

    expect(adopted.thread_id).toBe(first);
    expect(kept.thread_id).toBe(first);
    for (const id of [local, first]) {
      expect(await store.touchThread({ user_id: userId, thread_id: id })).toMatchObject({ thread_id: first });
    }
  });
});

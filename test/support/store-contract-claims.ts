/** The store contract, claims: what prepare answers and stores, recording, replays and refusals. */
import { randomUUID } from 'node:crypto';
import { expect, it } from '@jest/globals';
import { FIXTURE_USERS } from '../../db/fixtures';
import { OPENAI_ANSWER, TURN_MESSAGE } from './turns';
import type { ContractKit } from './store-contract';

export function describeClaims(kit: ContractKit): void {
  const { h, newUser, count, key, prepareInput, claim, identity, refusal } = kit;

  it('claims a new turn and returns the thread, the context, all-null settings and zero usage', async () => {
    const userId = await newUser('Noor');

    const prepared = await claim(prepareInput(userId, key()));

    expect(prepared.thread).toBeNull();
    expect(prepared.context).toEqual({
      display_name: 'Noor',
      ratings: [],
      goals: [],
      goal: null,
      recent_messages: [],
    });
    expect(prepared.settings).toEqual({
      openai_enabled: null,
      fallback_enabled: null,
      daily_token_limit: null,
      daily_cost_limit_usd: null,
      cohort: null,
    });
    expect(prepared.usage_today).toEqual({ tokens: 0, cost_usd: 0, messages: 0 });
    const runs = await h.query<{ status: string; attempts: number }>(
      'select status, attempts from public.chat_runs where id = $1',
      [prepared.run_id],
    );
    expect(runs).toEqual([{ status: 'in_flight', attempts: 1 }]);
  });

  it("stores the turn once when it is claimed: the user's row, the cohort and the open reservation", async () => {
    const userId = await newUser();
    const journalEntryId = randomUUID();
    const input = prepareInput(userId, key(), { journal_entry_id: journalEntryId });

    const prepared = await claim(input);

    expect(prepared).toMatchObject({
      variant: 'openai',
      rollout_reason: 'cohort',
      global_budget_exceeded: false,
      recover_first: false,
      conversation_id: null,
      user_message_id: expect.any(String),
      // 1000 × 1 + 100 × 5 micro-dollars.
      reservation: { tokens: 1100, cost_usd: 0.0015 },
    });
    const rows = await h.query(
      `select id, message_type, message, response, journal_entry_id, chat_type, run_id, client_message_id
         from public.journal_ai_chats where user_id = $1`,
      [userId],
    );
    expect(rows).toEqual([
      {
        id: prepared.user_message_id,
        message_type: 'user',
        message: TURN_MESSAGE,
        response: null,
        journal_entry_id: journalEntryId,
        chat_type: 'general',
        run_id: prepared.run_id,
        client_message_id: input.client_message_id,
      },
    ]);
    const runs = await h.query(
      `select user_message_id, assistant_type, profile_ref, journal_entry_id, cohort, rollout_reason,
              reserved_tokens, reserved_cost_usd::float8 as reserved, reservation_open
         from public.chat_runs where id = $1`,
      [prepared.run_id],
    );
    expect(runs).toEqual([
      {
        user_message_id: prepared.user_message_id,
        assistant_type: 'general_coach',
        profile_ref: 'general_coach@1',
        journal_entry_id: journalEntryId,
        cohort: '7',
        rollout_reason: 'cohort',
        reserved_tokens: 1100,
        reserved: 0.0015,
        reservation_open: true,
      },
    ]);
  });

  it('returns the user AI settings when the user has a row', async () => {
    const userId = await newUser();
    await h.query(
      `insert into public.user_ai_settings (user_id, openai_enabled, fallback_enabled, daily_token_limit, daily_cost_limit_usd, cohort)
       values ($1, false, true, 5000, 0.25, 'b')`,
      [userId],
    );

    const prepared = await claim(prepareInput(userId, key()));

    expect(prepared.settings).toEqual({
      openai_enabled: false,
      fallback_enabled: true,
      daily_token_limit: 5000,
      daily_cost_limit_usd: 0.25,
      cohort: 'b',
    });
  });

  it('records an exchange as one user row, one AI row, one usage log, the thread counters and a completed run', async () => {
    const userId = await newUser();
    const input = prepareInput(userId, key());
    const { run_id } = await claim(input);

    const reply = await h.store.recordExchange({ ...identity(run_id, input), answer: OPENAI_ANSWER });

    expect(reply).toEqual({
      response: OPENAI_ANSWER.response,
      thread_id: 'conv_contract',
      tokens_used: 1280,
      model_used: 'gpt-6-astra',
      cost_estimate: 0.001234,
      message_id: expect.any(String),
      user_message_id: expect.any(String),
      response_time_ms: 1500,
      variant: 'openai',
      fallback: false,
      disclosure: null,
    });
    const rows = await h.query<Record<string, unknown>>(
      `select id, message_type, message, response, openai_thread_id, tokens_used, model_used, variant, fallback,
              openai_response_id, cost_estimate::float8 as cost, client_message_id
         from public.journal_ai_chats where user_id = $1 order by message_type desc`,
      [userId],
    );
    expect(rows).toEqual([
      expect.objectContaining({
        id: reply.user_message_id,
        message_type: 'user',
        message: 'I keep skipping my evening walk. Any ideas?',
        response: null,
        client_message_id: input.client_message_id,
      }),
      expect.objectContaining({
        id: reply.message_id,
        message_type: 'ai',
        message: OPENAI_ANSWER.response,
        response: OPENAI_ANSWER.response,
        openai_thread_id: 'conv_contract',
        tokens_used: 1280,
        model_used: 'gpt-6-astra',
        variant: 'openai',
        fallback: false,
        openai_response_id: 'resp_contract_1',
        cost: 0.001234,
        client_message_id: input.client_message_id,
      }),
    ]);
    const usage = await h.query(
      `select message_id, prompt_tokens, completion_tokens, total_tokens, cached_tokens, cache_write_tokens, reasoning_tokens,
              cost_estimate::float8 as cost, run_id, assistant_type
         from public.openai_usage_logs where user_id = $1`,
      [userId],
    );
    expect(usage).toEqual([
      {
        message_id: reply.message_id,
        prompt_tokens: 1200,
        completion_tokens: 80,
        total_tokens: 1280,
        cached_tokens: 1024,
        cache_write_tokens: 0,
        reasoning_tokens: 16,
        cost: 0.001234,
        run_id,
        assistant_type: 'general_coach',
      },
    ]);
    const threads = await h.query(
      `select thread_id, openai_assistant_id, total_tokens_used, last_cost_estimate::float8 as cost
         from public.user_assistant_threads where user_id = $1`,
      [userId],
    );
    expect(threads).toEqual([
      {
        thread_id: 'conv_contract',
        openai_assistant_id: 'general_coach@1',
        total_tokens_used: 1280,
        cost: 0.001234,
      },
    ]);
    const runs = await h.query(
      `select status, user_message_id, ai_message_id, thread_id, completed_at is not null as completed,
              reservation_open from public.chat_runs where id = $1`,
      [run_id],
    );
    expect(runs).toEqual([
      {
        status: 'completed',
        user_message_id: reply.user_message_id,
        ai_message_id: reply.message_id,
        thread_id: 'conv_contract',
        completed: true,
        reservation_open: false,
      },
    ]);
    const cohorts = await h.query(
      `select cohort, rollout_reason from public.journal_ai_chats where id = $1`,
      [reply.message_id],
    );
    expect(cohorts).toEqual([{ cohort: '7', rollout_reason: 'cohort' }]);
  });

  it("counts today's recorded OpenAI answers in the next turn's usage", async () => {
    const userId = await newUser();
    const first = prepareInput(userId, key());
    const { run_id } = await claim(first);
    await h.store.recordExchange({ ...identity(run_id, first), answer: OPENAI_ANSWER });

    const next = await claim(prepareInput(userId, key()));

    expect(next.usage_today).toEqual({ tokens: 1280, cost_usd: 0.001234, messages: 1 });
    expect(next.thread).toEqual({
      id: expect.any(String),
      thread_id: 'conv_contract',
      openai_assistant_id: 'general_coach@1',
    });
  });

  it('replays the first answer for the same client_message_id and stores nothing more', async () => {
    const userId = await newUser();
    const input = prepareInput(userId, key());
    const { run_id } = await claim(input);
    const reply = await h.store.recordExchange({ ...identity(run_id, input), answer: OPENAI_ANSWER });

    const again = await h.store.prepareTurn(input);

    expect(again).toEqual({ kind: 'replay', reply });
    expect(await count('public.journal_ai_chats where user_id = $1', [userId])).toBe(2);
    expect(await count('public.openai_usage_logs where user_id = $1', [userId])).toBe(1);
    expect(await count('public.chat_runs where user_id = $1', [userId])).toBe(1);
  });

  it('gives two concurrent identical requests one claim and one in_flight', async () => {
    const userId = await newUser();
    const input = prepareInput(userId, key());

    const results = await Promise.all([h.store.prepareTurn(input), h.store.prepareTurn(input)]);

    expect(results.map((r) => r.kind).sort()).toEqual(['claimed', 'in_flight']);
    const claimed = results.find((r) => r.kind === 'claimed');
    expect(results.find((r) => r.kind === 'in_flight')).toEqual({
      kind: 'in_flight',
      run_id: claimed?.run_id,
      status: 'in_flight',
    });
    expect(await count('public.chat_runs where user_id = $1', [userId])).toBe(1);
  });

  it('claims again a claim older than the ttl', async () => {
    const userId = await newUser();
    const input = prepareInput(userId, key());
    const first = await claim(input);
    await h.query(`update public.chat_runs set claimed_at = now() - interval '2 minutes' where id = $1`, [
      first.run_id,
    ]);

    const second = await h.store.prepareTurn(input);

    expect(second).toMatchObject({ kind: 'claimed', run_id: first.run_id });
    const runs = await h.query('select status, attempts from public.chat_runs where id = $1', [first.run_id]);
    expect(runs).toEqual([{ status: 'in_flight', attempts: 2 }]);
  });

  it.each([
    ['a goal of another user', { goal_id: FIXTURE_USERS.alice.goals.eveningWalks }, 403, 'goal_forbidden'],
    ['an unknown goal', { goal_id: '20000000-0000-4000-8000-0000000000ff' }, 404, 'goal_not_found'],
    [
      'a thread of another user',
      { thread_id: FIXTURE_USERS.bob.threads.general.threadId },
      403,
      'thread_forbidden',
    ],
    ['an unknown thread', { thread_id: 'thread_local_nobody_has_this' }, 404, 'thread_not_found'],
  ] as const)('refuses %s and writes nothing', async (_label, extra, status, code) => {
    const userId = await newUser();

    const refused = await refusal(h.store.prepareTurn(prepareInput(userId, key(), extra)));

    expect(refused).toEqual({ status, code });
    expect(await count('public.chat_runs where user_id = $1', [userId])).toBe(0);
  });
}

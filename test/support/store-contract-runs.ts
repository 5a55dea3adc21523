/** The store contract, runs: atomic and exactly-once recording, the 202 hand-over to the poller, failures and releases. */
import { randomUUID } from 'node:crypto';
import { expect, it } from '@jest/globals';
import type { AiAnswer } from '../../lambdas/shared/ports';
import { OPENAI_ANSWER, SIMULATED_FALLBACK } from './turns';
import type { ContractKit } from './store-contract';

export function describeRuns(kit: ContractKit): void {
  const { h, newUser, count, key, prepareInput, claim, identity, refusal } = kit;

  it('keeps a replaced local thread id in legacy_thread_ids, and still accepts it as the user thread', async () => {
    const userId = await newUser();
    const local = `thread_local_${randomUUID()}`;
    await h.store.saveThreadConversation({
      user_id: userId,
      assistant_type: 'general_coach',
      thread_id: local,
      profile_ref: 'general_coach@1',
    });

    const saved = await h.store.saveThreadConversation({
      user_id: userId,
      assistant_type: 'general_coach',
      thread_id: 'conv_upgraded',
      profile_ref: 'general_coach@2',
    });

    expect(saved).toMatchObject({ thread_id: 'conv_upgraded', openai_assistant_id: 'general_coach@2' });
    const rows = await h.query(
      'select thread_id, legacy_thread_ids from public.user_assistant_threads where user_id = $1',
      [userId],
    );
    expect(rows).toEqual([{ thread_id: 'conv_upgraded', legacy_thread_ids: [local] }]);
    const prepared = await claim(prepareInput(userId, key(), { thread_id: local }));
    expect(prepared.thread).toEqual({
      id: saved.id,
      thread_id: 'conv_upgraded',
      openai_assistant_id: 'general_coach@2',
    });
  });

  it("records atomically: a failure midway leaves no AI row, no usage log, the claim's user row and the run in flight", async () => {
    const userId = await newUser();
    const input = prepareInput(userId, key());
    const { run_id, user_message_id } = await claim(input);
    // Fits the AI row's numeric(12,6) but overflows the usage log's numeric(10,6): fails after both chat rows.
    const tooExpensive: AiAnswer = { ...OPENAI_ANSWER, cost_estimate: 123456 };

    await expect(
      h.store.recordExchange({ ...identity(run_id, input), answer: tooExpensive }),
    ).rejects.toThrow(/numeric field overflow/);

    expect(await count(`public.journal_ai_chats where user_id = $1 and message_type = 'ai'`, [userId])).toBe(
      0,
    );
    expect(
      await count(`public.journal_ai_chats where user_id = $1 and message_type = 'user'`, [userId]),
    ).toBe(1);
    expect(await count('public.openai_usage_logs where user_id = $1', [userId])).toBe(0);
    expect(await count('public.user_assistant_threads where user_id = $1', [userId])).toBe(0);
    const runs = await h.query(
      'select status, user_message_id, ai_message_id, reservation_open from public.chat_runs where id = $1',
      [run_id],
    );
    expect(runs).toEqual([
      { status: 'in_flight', user_message_id, ai_message_id: null, reservation_open: true },
    ]);
  });

  it('records a run once: a second record returns the first reply and adds no row', async () => {
    const userId = await newUser();
    const input = prepareInput(userId, key());
    const { run_id } = await claim(input);
    const first = await h.store.recordExchange({ ...identity(run_id, input), answer: OPENAI_ANSWER });

    const second = await h.store.recordExchange({
      ...identity(run_id, input),
      answer: { ...OPENAI_ANSWER, response: 'A different answer', openai_response_id: 'resp_other' },
    });

    expect(second).toEqual(first);
    expect(await count(`public.journal_ai_chats where user_id = $1 and message_type = 'ai'`, [userId])).toBe(
      1,
    );
    expect(await count('public.openai_usage_logs where user_id = $1', [userId])).toBe(1);
    const threads = await h.query(
      'select total_tokens_used from public.user_assistant_threads where user_id = $1',
      [userId],
    );
    expect(threads).toEqual([{ total_tokens_used: 1280 }]);
  });

  it('refuses to record a run for another user', async () => {
    const userId = await newUser();
    const input = prepareInput(userId, key());
    const { run_id } = await claim(input);
    const other = await newUser();

    const refused = await refusal(
      h.store.recordExchange({ ...identity(run_id, input, { user_id: other }), answer: OPENAI_ANSWER }),
    );

    expect(refused).toEqual({ status: 404, code: 'run_not_found' });
    expect(
      await count(`public.journal_ai_chats where user_id in ($1, $2) and message_type = 'ai'`, [
        userId,
        other,
      ]),
    ).toBe(0);
    expect(await count('public.journal_ai_chats where user_id = $1', [other])).toBe(0);
  });

  it('takes a pending run from the 202 to the poller, records it once, and shows it completed to its owner only', async () => {
    const userId = await newUser();
    const input = prepareInput(userId, key(), { goal_id: null, journal_entry_id: randomUUID() });
    const { run_id, user_message_id } = await claim(input);
    const turn = identity(run_id, input);

    const pending = await h.store.beginPendingRun({ ...turn, openai_response_id: 'resp_long_1' });
    const again = await h.store.beginPendingRun({ ...turn, openai_response_id: 'resp_long_1' });

    expect(pending).toEqual({ run_id, user_message_id, thread_id: 'conv_contract' });
    expect(again).toEqual(pending);
    expect(await h.store.prepareTurn(input)).toEqual({ kind: 'in_flight', run_id, status: 'pending' });
    expect(await h.store.getRun({ run_id, user_id: userId })).toEqual({
      status: 'pending',
      run_id,
      thread_id: 'conv_contract',
      user_message_id: pending.user_message_id,
      retry_after_ms: 2000,
    });

    const details = await h.store.getPendingRun({ run_id });
    expect(details).toMatchObject({
      run_id,
      user_id: userId,
      chat_type: 'general',
      client_message_id: input.client_message_id,
      message: input.message,
      status: 'pending',
      openai_response_id: 'resp_long_1',
      context: { display_name: 'Robin' },
      settings: {
        openai_enabled: null,
        fallback_enabled: null,
        daily_token_limit: null,
        daily_cost_limit_usd: null,
        cohort: null,
      },
    });
    expect(Number.isNaN(Date.parse(details?.created_at ?? ''))).toBe(false);

    // As the poller records it: the run and its user, nothing it already stored.
    const reply = await h.store.recordExchange({
      run_id,
      user_id: userId,
      answer: { ...OPENAI_ANSWER, openai_response_id: 'resp_long_1' },
    });

    expect(reply).toMatchObject({ user_message_id: pending.user_message_id, thread_id: 'conv_contract' });
    const rows = await h.query(
      `select message_type, journal_entry_id, openai_thread_id from public.journal_ai_chats where run_id = $1 order by message_type desc`,
      [run_id],
    );
    expect(rows).toEqual([
      { message_type: 'user', journal_entry_id: input.journal_entry_id, openai_thread_id: 'conv_contract' },
      { message_type: 'ai', journal_entry_id: input.journal_entry_id, openai_thread_id: 'conv_contract' },
    ]);
    expect(await h.store.getRun({ run_id, user_id: userId })).toEqual({
      status: 'completed',
      run_id,
      ...reply,
    });
    expect(await h.store.getRun({ run_id, user_id: await newUser() })).toBeNull();
    expect(
      await count(`public.journal_ai_chats where user_id = $1 and message_type = 'user'`, [userId]),
    ).toBe(1);
    expect(await h.store.getPendingRun({ run_id: randomUUID() })).toBeNull();
  });

  it('stores a failed run fallback once, flagged fallback, and shows the run failed with that reply', async () => {
    const userId = await newUser();
    const input = prepareInput(userId, key());
    const { run_id } = await claim(input);
    const pending = await h.store.beginPendingRun({
      ...identity(run_id, input),
      openai_response_id: 'resp_long_2',
    });

    const state = await h.store.failRun({
      run_id,
      status: 'timed_out',
      failure_code: 'timed_out',
      fallback: SIMULATED_FALLBACK,
    });
    const again = await h.store.failRun({
      run_id,
      status: 'failed',
      failure_code: 'poller_error',
      fallback: SIMULATED_FALLBACK,
    });

    expect(state).toEqual({
      status: 'failed',
      run_id,
      thread_id: 'conv_contract',
      user_message_id: pending.user_message_id,
      code: 'timed_out',
      error: expect.any(String),
      reply: expect.objectContaining({
        response: SIMULATED_FALLBACK.response,
        variant: 'simulated',
        fallback: true,
        user_message_id: pending.user_message_id,
      }),
    });
    expect(again).toEqual(state);
    expect(await h.store.getRun({ run_id, user_id: userId })).toEqual(state);
    const aiRows = await h.query(
      `select fallback, variant from public.journal_ai_chats where user_id = $1 and message_type = 'ai'`,
      [userId],
    );
    expect(aiRows).toEqual([{ fallback: true, variant: 'simulated' }]);
    expect(await count('public.openai_usage_logs where user_id = $1', [userId])).toBe(0);
    const replay = await h.store.prepareTurn(input);
    expect(replay).toEqual({ kind: 'replay', reply: state.status === 'failed' ? state.reply : null });
  });

  it('marks a run failed without a reply when no fallback is given', async () => {
    const userId = await newUser();
    const input = prepareInput(userId, key());
    const { run_id } = await claim(input);
    await h.store.beginPendingRun({ ...identity(run_id, input), openai_response_id: 'resp_long_3' });

    const state = await h.store.failRun({
      run_id,
      status: 'cancelled',
      failure_code: 'cancelled',
      fallback: null,
    });

    expect(state).toMatchObject({ status: 'failed', run_id, code: 'cancelled', reply: null });
    expect(await count(`public.journal_ai_chats where user_id = $1 and message_type = 'ai'`, [userId])).toBe(
      0,
    );
  });

  it("releases a claim and its user's row so the same key can be claimed again, but never a run handed to the poller", async () => {
    const userId = await newUser();
    const input = prepareInput(userId, key());
    const first = await claim(input);

    await h.store.releaseTurn({ run_id: first.run_id, user_id: userId });

    expect(await count('public.chat_runs where id = $1', [first.run_id])).toBe(0);
    expect(await count('public.journal_ai_chats where user_id = $1', [userId])).toBe(0);
    const second = await claim(input);
    await h.store.beginPendingRun({ ...identity(second.run_id, input), openai_response_id: 'resp_long_4' });
    await h.store.releaseTurn({ run_id: second.run_id, user_id: userId });
    expect(await count('public.chat_runs where id = $1', [second.run_id])).toBe(1);
    expect(await count('public.journal_ai_chats where user_id = $1', [userId])).toBe(1);
  });
}

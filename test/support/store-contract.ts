/**
 * The `ChatStore` contract, run against every transport (pg, PGlite, supabase-js over
 * PostgREST): the same behaviours, asserted on what the store returns and on the rows it
 * leaves in the database. Each test works on its own new user unless it only reads the
 * fixture users.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FIXTURE_USERS, PILLAR_IDS } from '../../db/fixtures';
import { AppError } from '../../lambdas/shared/errors';
import type {
  PrepareTurnInput,
  PreparedTurn,
  RolloutChoices,
  TurnLimits,
  TurnReservationBasis,
} from '../../lambdas/chat/ports';
import type { AiAnswer, RecordExchangeInput } from '../../lambdas/shared/ports';
import type { CoachStore as ChatStore } from '../../local/runtime';

export interface StoreHarness {
  readonly store: ChatStore;
  /** Superuser SQL on the same database, for set-up and assertions. */
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<Row[]>;
  close(): Promise<void>;
}

export const OPENAI_ANSWER: AiAnswer = {
  response: 'Try a ten-minute walk right after dinner, before the sofa wins.',
  variant: 'openai',
  fallback: false,
  model_used: 'gpt-6-astra',
  openai_response_id: 'resp_contract_1',
  usage: {
    input_tokens: 1200,
    cached_tokens: 1024,
    cache_write_tokens: 0,
    output_tokens: 80,
    reasoning_tokens: 16,
    total_tokens: 1280,
  },
  cost_estimate: 0.001234,
  response_time_ms: 1500,
};

export const SIMULATED_FALLBACK: AiAnswer = {
  response: 'Small, steady steps make a big difference. What is one thing you could try today?',
  variant: 'simulated',
  fallback: true,
  model_used: 'simulated',
  openai_response_id: null,
  usage: {
    input_tokens: 0,
    cached_tokens: 0,
    cache_write_tokens: 0,
    output_tokens: 0,
    reasoning_tokens: 0,
    total_tokens: 0,
  },
  cost_estimate: 0,
  response_time_ms: 40,
};

/** The message the contract's turns send. */
export const TURN_MESSAGE = 'I keep skipping my evening walk. Any ideas?';

/** Limits nobody reaches by accident. */
export const GENEROUS_LIMITS: TurnLimits = {
  per_minute: 1_000,
  daily_messages: 10_000,
  daily_tokens: 1_000_000_000,
  daily_cost_usd: 1_000,
  global_daily_cost_usd: 1_000_000,
};

/** OpenAI for everyone, as the cohort decided, whatever the user's own setting. */
export const OPENAI_ROLLOUT: RolloutChoices = {
  unset: { variant: 'openai', reason: 'cohort', cohort: '7' },
  enabled: { variant: 'openai', reason: 'user_override', cohort: 'override' },
  disabled: { variant: 'simulated', reason: 'user_override', cohort: 'override' },
};

/** 1,000 input and 100 output tokens at 1 and 5 USD per 1M: a worst case of 0.0015 USD. */
export const SMALL_RESERVE: TurnReservationBasis = {
  input_tokens: 1_000,
  output_tokens: 100,
  input_usd_per_mtok: 1,
  output_usd_per_mtok: 5,
  long_context: { above_input_tokens: 272_000, input_multiplier: 2, output_multiplier: 1.5 },
};

/** A prepare input for a general-coach turn of `userId` with key `clientMessageId`. */
export function turnInput(
  userId: string,
  clientMessageId: string,
  extra: Partial<PrepareTurnInput> = {},
): PrepareTurnInput {
  return {
    user_id: userId,
    assistant_type: 'general_coach',
    profile_ref: 'general_coach@1',
    chat_type: 'general',
    goal_id: null,
    journal_entry_id: null,
    thread_id: null,
    client_message_id: clientMessageId,
    message: TURN_MESSAGE,
    recent_limit: 5,
    rollout: OPENAI_ROLLOUT,
    limits: GENEROUS_LIMITS,
    reserve: SMALL_RESERVE,
    ...extra,
  };
}

type Claimed = Extract<PreparedTurn, { kind: 'claimed' }>;

export function describeChatStoreContract(name: string, makeHarness: () => Promise<StoreHarness>): void {
  describe(`ChatStore contract: ${name}`, () => {
    let h: StoreHarness;

    beforeAll(async () => {
      h = await makeHarness();
    });
    afterAll(async () => {
      await h?.close();
    });

    const newUser = async (displayName = 'Robin'): Promise<string> => {
      const id = randomUUID();
      await h.query('insert into auth.users (id, email) values ($1, $2)', [id, `${id}@example.com`]);
      await h.query('insert into public.profiles (id, display_name) values ($1, $2)', [id, displayName]);
      return id;
    };
    const count = async (sql: string, params: readonly unknown[]): Promise<number> => {
      const rows = await h.query<{ n: number }>(`select count(*)::int as n from ${sql}`, params);
      return rows[0]?.n ?? -1;
    };
    const key = () => `k-${randomUUID()}`;
    const prepareInput = turnInput;
    const claim = async (input: PrepareTurnInput): Promise<Claimed> => {
      const prepared = await h.store.prepareTurn(input);
      if (prepared.kind !== 'claimed') throw new Error(`expected a claim, got ${prepared.kind}`);
      return prepared;
    };
    /** What recording (and the 202 hand-over) take: the run, its user, the thread. */
    const identity = (
      runId: string,
      input: PrepareTurnInput,
      extra: Partial<Omit<RecordExchangeInput, 'answer'>> = {},
    ): Omit<RecordExchangeInput, 'answer'> & { readonly thread_id: string } => ({
      run_id: runId,
      user_id: input.user_id,
      thread_id: 'conv_contract',
      ...extra,
    });
    const refusal = async (promise: Promise<unknown>): Promise<{ status: number; code: string }> => {
      const error = await promise.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AppError);
      const { status, code } = error as AppError;
      return { status, code };
    };

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
      const runs = await h.query('select status, attempts from public.chat_runs where id = $1', [
        first.run_id,
      ]);
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

      expect(
        await count(`public.journal_ai_chats where user_id = $1 and message_type = 'ai'`, [userId]),
      ).toBe(0);
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
      expect(
        await count(`public.journal_ai_chats where user_id = $1 and message_type = 'ai'`, [userId]),
      ).toBe(1);
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
      expect(
        await count(`public.journal_ai_chats where user_id = $1 and message_type = 'ai'`, [userId]),
      ).toBe(0);
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
      expect(
        await count('public.chat_feedback where message_id in ($1, $2)', [aliceAiRow, aliceUserRow]),
      ).toBe(0);
    });
  });
}

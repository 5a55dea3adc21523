/**
 * The report functions (db/functions/coach_report_*.sql) on hand-written fixtures: two UTC days
 * of replies, feedback, usage and safety events, with rows just outside the range and rows the
 * reports must not count. Every expected figure below is worked out by hand from the fixtures.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { REPORT_FUNCTIONS } from '../../../db/reports';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { insertUser } from '../../support/users';
import { insertReply, insertSafetyEvent, insertUsage, type ReplyFixture } from './fixtures';

describe('report functions', () => {
  let db: TestDatabase;
  let u1: string;
  let u2: string;

  const reply = (r: ReplyFixture) => insertReply(db.pool, r);

  async function report(name: string, p: unknown): Promise<Record<string, unknown>> {
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query('set local role service_role');
      const { rows } = await client.query<{ answer: Record<string, unknown> }>(
        `select public.${name}($1::jsonb) as answer`,
        [JSON.stringify(p)],
      );
      return rows[0]!.answer;
    } finally {
      await client.query('rollback');
      client.release();
    }
  }

  const range = { from: '2025-06-10', to: '2025-06-11' };

  beforeAll(async () => {
    db = await createTestDatabase();
    u1 = (await insertUser(db.pool, 'Una')).id;
    u2 = (await insertUser(db.pool, 'Ugo')).id;

    // 2025-06-10: three OpenAI turns (one fell back), two simulated, one crisis reply.
    await reply({
      user: u1,
      at: '2025-06-10 08:00:00',
      variant: 'openai',
      ms: 1000,
      cohort: '7',
      rating: 'up',
      usage: { tokens: 100, cost: '0.001', at: '2025-06-10T08:00:00Z' },
    });
    await reply({
      user: u1,
      at: '2025-06-10 09:00:00',
      variant: 'openai',
      ms: 2000,
      cohort: '7',
      rating: 'down',
      usage: { tokens: 200, cost: '0.002', at: '2025-06-10T09:00:00Z' },
    });
    await reply({
      user: u2,
      at: '2025-06-10 10:00:00',
      variant: 'simulated',
      fallback: true,
      ms: 3000,
      cohort: '42',
    });
    await reply({
      user: u2,
      at: '2025-06-10 11:00:00',
      variant: 'simulated',
      ms: 50,
      cohort: '93',
      rating: 'up',
    });
    // An older turn, from before cohorts were recorded: in the variants report, not per cohort.
    await reply({ user: u2, at: '2025-06-10 23:59:59', variant: 'simulated', ms: 150, cohort: null });
    await reply({
      user: u1,
      at: '2025-06-10 12:00:00',
      variant: 'simulated',
      ms: 20,
      cohort: '7',
      crisis: true,
    });
    // 00:10 in UTC+2 is 22:10 UTC on the 10th: counted on the 10th.
    await insertUsage(db.pool, {
      user: u2,
      run: null,
      tokens: 40,
      cost: '0.0004',
      at: '2025-06-11T00:10:00+02:00',
    });

    // 2025-06-11: ten OpenAI replies of 100 … 1000 ms, three of them rated.
    for (let i = 1; i <= 10; i += 1) {
      await reply({
        user: u1,
        at: `2025-06-11 0${i - 1}:30:00`,
        variant: 'openai',
        ms: i * 100,
        cohort: '7',
        ...(i <= 3 ? { rating: i === 3 ? ('down' as const) : ('up' as const) } : {}),
        usage: { tokens: 10, cost: '0.0001', at: `2025-06-11T0${i - 1}:30:00Z` },
      });
    }
    // The usage of a user whose AI data was erased: no user, no run, still cost.
    await insertUsage(db.pool, {
      user: null,
      run: null,
      tokens: 50,
      cost: '0.0005',
      at: '2025-06-11T12:00:00Z',
    });
    await insertSafetyEvent(db.pool, {
      source: 'coach_reply',
      category: 'violence',
      action: 'reply_replaced',
      at: '2025-06-11T13:00:00Z',
      run: null,
    });

    // Not counted: the day before and the day after the range, a row the app inserted itself
    // (no run names it), and a user message.
    await reply({
      user: u1,
      at: '2025-06-09 23:59:59',
      variant: 'openai',
      ms: 9999,
      cohort: '7',
      usage: { tokens: 999, cost: '0.9', at: '2025-06-09T23:59:59Z' },
    });
    await reply({
      user: u2,
      at: '2025-06-12 00:00:00',
      variant: 'simulated',
      ms: 9999,
      cohort: '93',
      crisis: true,
      usage: { tokens: 999, cost: '0.9', at: '2025-06-12T00:00:00Z' },
    });
    await db.pool.query(
      `insert into public.journal_ai_chats (user_id, message, message_type, created_at, variant, response_time_ms)
       values ($1, 'typed by the app', 'ai', '2025-06-10 15:00:00', 'openai', 1), ($1, 'a user message', 'user', '2025-06-10 15:00:00', null, null)`,
      [u1],
    );
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('counts per day and variant the replies, response times, fallbacks, thumbs-up, tokens and cost', async () => {
    const answer = await report('coach_report_variants', range);

    expect(answer).toEqual({
      ...range,
      rows: [
        {
          day: '2025-06-10',
          variant: 'openai',
          messages: 3,
          avg_response_ms: 2000,
          p90_response_ms: 3000,
          fallbacks: 1,
          fallback_rate: 0.3333,
          rated: 2,
          thumbs_up: 1,
          thumbs_up_rate: 0.5,
          tokens: 340,
          cost_usd: 0.0034,
        },
        {
          day: '2025-06-10',
          variant: 'safety',
          messages: 1,
          avg_response_ms: 20,
          p90_response_ms: 20,
          fallbacks: 0,
          fallback_rate: 0,
          rated: 0,
          thumbs_up: 0,
          thumbs_up_rate: null,
          tokens: 0,
          cost_usd: 0,
        },
        {
          day: '2025-06-10',
          variant: 'simulated',
          messages: 2,
          avg_response_ms: 100,
          p90_response_ms: 150,
          fallbacks: 0,
          fallback_rate: 0,
          rated: 1,
          thumbs_up: 1,
          thumbs_up_rate: 1,
          tokens: 0,
          cost_usd: 0,
        },
        {
          day: '2025-06-11',
          variant: 'openai',
          messages: 10,
          avg_response_ms: 550,
          p90_response_ms: 900,
          fallbacks: 0,
          fallback_rate: 0,
          rated: 3,
          thumbs_up: 2,
          thumbs_up_rate: 0.6667,
          tokens: 150,
          cost_usd: 0.0015,
        },
      ],
    });
  });

  it('gives the same figures per cohort, over the turns that recorded one, cohorts in numeric order', async () => {
    const answer = await report('coach_report_cohorts', range);
    const rows = answer.rows as Record<string, unknown>[];

    expect(rows.map((r) => [r.day, r.variant, r.cohort, r.messages, r.tokens, r.cost_usd])).toEqual([
      ['2025-06-10', 'openai', '7', 2, 300, 0.003],
      ['2025-06-10', 'openai', '42', 1, 0, 0],
      ['2025-06-10', 'safety', '7', 1, 0, 0],
      ['2025-06-10', 'simulated', '93', 1, 0, 0],
      ['2025-06-11', 'openai', '7', 10, 100, 0.001],
    ]);
    expect(rows[0]).toMatchObject({
      avg_response_ms: 1500,
      p90_response_ms: 2000,
      rated: 2,
      thumbs_up_rate: 0.5,
    });
    expect(rows[1]).toMatchObject({ fallbacks: 1, fallback_rate: 1, rated: 0, thumbs_up_rate: null });
  });

  it('gives tokens and cost per user per day, erased usage as user null, and nothing else about them', async () => {
    const answer = await report('coach_report_users', range);

    expect(answer.rows).toEqual([
      { day: '2025-06-10', user_id: u1, responses: 2, tokens: 300, cost_usd: 0.003 },
      { day: '2025-06-10', user_id: u2, responses: 1, tokens: 40, cost_usd: 0.0004 },
      { day: '2025-06-11', user_id: u1, responses: 10, tokens: 100, cost_usd: 0.001 },
      { day: '2025-06-11', user_id: null, responses: 1, tokens: 50, cost_usd: 0.0005 },
    ]);
  });

  it('counts safety events per day, source, category and action', async () => {
    const answer = await report('coach_report_safety', range);

    expect(answer.rows).toEqual([
      {
        day: '2025-06-10',
        source: 'user_message',
        category: 'self-harm/intent',
        action: 'crisis_reply',
        events: 1,
      },
      { day: '2025-06-11', source: 'coach_reply', category: 'violence', action: 'reply_replaced', events: 1 },
    ]);
  });

  it('answers an empty range with empty rows', async () => {
    expect(await report('coach_report_variants', { from: '2024-01-01', to: '2024-01-07' })).toEqual({
      from: '2024-01-01',
      to: '2024-01-07',
      rows: [],
    });
  });

  it.each([
    [{ from: '2025-06-11', to: '2025-06-10' }, 'to is before from.'],
    [{ from: '2024-01-01', to: '2025-01-01' }, 'A report covers at most 366 days.'],
    [{ from: '2025-02-30', to: '2025-03-01' }, 'from or to is not a calendar day.'],
    [{ from: '10/06/2025', to: '2025-06-11' }, 'from and to must be days as YYYY-MM-DD (UTC).'],
    [{ from: '2025-06-10' }, 'from and to must be days as YYYY-MM-DD (UTC).'],
    [{ ...range, user_id: 'x' }, 'A report takes an object with from and to only.'],
  ])('refuses %j with a 400 that says why', async (p, message) => {
    for (const name of REPORT_FUNCTIONS) {
      expect(await report(name, p)).toEqual({ error: { status: 400, code: 'validation_failed', message } });
    }
  });

  it.each(['anon', 'authenticated'])('lets %s execute none of them (42501)', async (role) => {
    expect.assertions(REPORT_FUNCTIONS.length);
    for (const name of REPORT_FUNCTIONS) {
      const client = await db.pool.connect();
      try {
        await client.query('begin');
        await client.query(`set local role ${role}`);
        const error = await client
          .query(`select public.${name}($1::jsonb)`, [JSON.stringify(range)])
          .catch((e: unknown) => e);
        expect(error).toMatchObject({ code: '42501' });
      } finally {
        await client.query('rollback');
        client.release();
      }
    }
  });
});

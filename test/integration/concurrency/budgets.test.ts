/**
 * Budgets under concurrency (issue 11, finding 2): many messages of one user at once, over all
 * four coach threads so that several turns are in flight together, against a small daily cost
 * limit. Each claim counts the turns still in flight by their reservation (their worst case),
 * so the money spent stays within the limit plus one turn's worst case, however many arrive
 * together. Before, each turn in flight passed the check: 40 messages against 0.004 USD spent
 * 0.056 USD.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createChatHandler } from '../../../lambdas/chat/handler';
import { buildTestRuntime, type TestRuntime } from '../../support/chat-runtime';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';
import { insertUser } from '../../support/users';
import { sendUntilNotBusy } from './clients';

const MESSAGES = 40;
const DAILY_COST_LIMIT_USD = 0.004;
const CHAT_TYPES = ['general', 'pillar_health', 'journal_reflection', 'onboarding'] as const;

let db: TestDatabase;
let fake: OpenAIFake;
let app: TestRuntime;

beforeAll(async () => {
  db = await createTestDatabase();
  // Every reply takes a while, so the turns of the four threads overlap.
  fake = await startOpenAIFake({ firstTokenMs: 20, latencyMs: 150 });
  app = await buildTestRuntime({
    databaseUrl: db.url,
    openai: fake,
    env: {
      DAILY_COST_LIMIT_USD_PER_USER: String(DAILY_COST_LIMIT_USD),
      // Only the cost limit is under test: the message limits stay out of the way.
      RATE_LIMIT_PER_MINUTE: '1000',
      DAILY_MESSAGE_LIMIT_PER_USER: '1000',
    },
  });
});
afterAll(async () => {
  await app?.close();
  await fake?.close();
  await db?.drop();
});

describe(`${MESSAGES} messages of one user at once under a ${DAILY_COST_LIMIT_USD} USD daily limit`, () => {
  it("spend at most the limit plus one turn's worst case; the others get 429 budget_exceeded and store nothing", async () => {
    const chat = createChatHandler(app.getRuntime);
    const user = await insertUser(db.pool);

    const replies = await Promise.all(
      Array.from({ length: MESSAGES }, (_, i) =>
        sendUntilNotBusy(chat, user.id, {
          message: `Parallel message ${i}`,
          chat_type: CHAT_TYPES[i % CHAT_TYPES.length],
          client_message_id: randomUUID(),
        }),
      ),
    );

    const { rows } = await db.pool.query<{
      spent: number;
      answered: number;
      dearest: number;
      worst: number;
      runs: number;
    }>(
      `select (select coalesce(sum(cost_estimate), 0)::float8 from public.openai_usage_logs where user_id = $1) as spent,
              (select count(*)::int from public.openai_usage_logs where user_id = $1) as answered,
              (select max(cost_estimate)::float8 from public.openai_usage_logs where user_id = $1) as dearest,
              (select max(reserved_cost_usd)::float8 from public.chat_runs where user_id = $1) as worst,
              (select count(*)::int from public.chat_runs where user_id = $1) as runs`,
      [user.id],
    );
    const { spent, answered, dearest, worst, runs } = rows[0] ?? {
      spent: NaN,
      answered: 0,
      dearest: NaN,
      worst: NaN,
      runs: 0,
    };
    const ok = replies.filter((r) => r.status === 200);
    const refused = replies.filter((r) => r.status === 429);
    console.log(
      `budgets: ${MESSAGES} parallel messages over ${CHAT_TYPES.length} threads, limit ${DAILY_COST_LIMIT_USD} USD: ` +
        `${ok.length} answered by OpenAI, ${refused.length} refused (429), spent ${spent.toFixed(6)} USD; ` +
        `one turn's worst case ${worst.toFixed(6)} USD, bound ${(DAILY_COST_LIMIT_USD + worst).toFixed(6)} USD; ` +
        `dearest turn ${dearest.toFixed(6)} USD; ` +
        `thread_busy resends ${replies.reduce((n, r) => n + r.busy, 0)}`,
    );

    expect(ok.length + refused.length).toBe(MESSAGES);
    expect(ok.length).toBeGreaterThan(1);
    expect(refused.length).toBeGreaterThan(0);
    expect(ok.every((r) => r.body.variant === 'openai')).toBe(true);
    expect(refused.every((r) => r.body.code === 'budget_exceeded')).toBe(true);
    expect(answered).toBe(ok.length);
    expect(runs).toBe(ok.length);
    expect(fake.count('responses.create')).toBe(ok.length);
    expect(spent).toBeLessThanOrEqual(DAILY_COST_LIMIT_USD + worst);
    // Tighter, because every reservation covers its turn: the last turn admitted started below
    // the limit with every turn then in flight counted at its worst, so at most that one turn's
    // real cost goes over. Without reservations each thread's turn in flight could.
    expect(spent).toBeLessThan(DAILY_COST_LIMIT_USD + dearest);
  });
});

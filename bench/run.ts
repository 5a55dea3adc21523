/**
 * `npm run bench`: measures the backend's own overhead, not OpenAI's. Prints figures:
 * - the context builder (µs per build, size of the text);
 * - a chat turn through the real chat handler on a throwaway PostgreSQL 17 with the OpenAI
 *   fake over HTTP (latency percentiles, database round trips and OpenAI calls per message);
 * - the same on embedded PGlite with the simulated coach (the local mode);
 * - memory (RSS, heap) after the runs.
 * Sizes: BENCH_TURNS (default 200).
 */
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

const { randomUUID } = await import('node:crypto');
const { performance } = await import('node:perf_hooks');
const { buildCoachContext } = await import('../lambdas/shared/coach/context');
const { resolveProfile } = await import('../lambdas/shared/coach/profiles');
const { createChatHandler } = await import('../lambdas/chat/handler');
const { startTestPostgres } = await import('../test/support/postgres-server');
const { createTestDatabase } = await import('../test/support/database');
const { startOpenAIFake } = await import('../test/support/openai-fake');
const { buildTestRuntime } = await import('../test/support/chat-runtime');
const { invoke } = await import('../test/support/api');
const { insertUser } = await import('../test/support/users');
const { startLocalApi } = await import('../local/server');
type ChatStore = import('../local/runtime').CoachStore;

const TURNS = Number(process.env.BENCH_TURNS ?? 200);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function summary(label: string, samples: number[]): void {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  console.log(
    `${label}: n=${s.length} mean=${mean.toFixed(1)}ms p50=${percentile(s, 50).toFixed(1)}ms p95=${percentile(s, 95).toFixed(1)}ms p99=${percentile(s, 99).toFixed(1)}ms max=${(s.at(-1) ?? 0).toFixed(1)}ms`,
  );
}

/** Wraps every store method to count database round trips. */
function counting(store: ChatStore): { store: ChatStore; calls: () => number } {
  let n = 0;
  const wrapped: Record<string, unknown> = {};
  for (const [key, fn] of Object.entries(store)) {
    wrapped[key] = (...args: unknown[]) => {
      n += 1;
      return (fn as (...a: unknown[]) => unknown)(...args);
    };
  }
  return { store: wrapped as unknown as ChatStore, calls: () => n };
}

// 1. The context builder.
{
  const data = {
    display_name: 'Sam',
    ratings: ['health', 'emotion', 'purpose', 'connection'].map((p, i) => ({
      pillar: p,
      pillar_display_name: p[0]!.toUpperCase() + p.slice(1),
      rating: 40 + i * 10,
      rated_at: new Date().toISOString(),
    })),
    goals: Array.from({ length: 6 }, (_, i) => ({
      id: randomUUID(),
      title: `Goal ${i}`,
      focus: 'Three times a week',
      pillar: 'health',
      pillar_display_name: 'Health',
    })),
    goal: null,
    recent_messages: Array.from({ length: 5 }, () => ({
      message: 'I have been sleeping badly and skipping my walks. '.repeat(4),
      chat_type: 'general',
      created_at: new Date().toISOString(),
    })),
  };
  const profile = resolveProfile('pillar_health');
  const n = 20_000;
  let size = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1)
    size = buildCoachContext(data, { chatType: 'pillar_health', profile }).length;
  const t1 = performance.now();
  console.log(`context builder: ${(((t1 - t0) / n) * 1000).toFixed(1)}µs per build, ${size} chars`);
}

// 2. Chat turns on PostgreSQL 17 with the OpenAI fake.
const server = await startTestPostgres();
process.env.MIVIA_TEST_PG_ADMIN_URL = server.adminUrl;
const fake = await startOpenAIFake();
try {
  const db = await createTestDatabase();
  // High limits: one user sends every benchmark message, and the default limits (10 messages
  // a minute, $1 a day) would (correctly) answer 429 part-way.
  const app = await buildTestRuntime({
    databaseUrl: db.url,
    openai: fake,
    env: {
      DAILY_COST_LIMIT_USD_PER_USER: '1000',
      DAILY_TOKEN_LIMIT_PER_USER: '1000000000',
      RATE_LIMIT_PER_MINUTE: '100000',
      DAILY_MESSAGE_LIMIT_PER_USER: '100000',
    },
  });
  const counted = counting(app.runtime.store);
  const runtime = { ...app.runtime, store: counted.store };
  const chat = createChatHandler(async () => runtime);
  const user = await insertUser(db.pool);
  fake.reset();
  const samples: number[] = [];
  let failures = 0;
  const variants = new Map<string, number>();
  for (let i = 0; i < TURNS; i += 1) {
    const t0 = performance.now();
    const reply = await invoke(chat, {
      resource: '/functions/v1/openai-chat-completion',
      userId: user.id,
      body: {
        message: `Benchmark message ${i}: how do I keep my evening walks going?`,
        chat_type: 'pillar_health',
      },
    });
    samples.push(performance.now() - t0);
    if (reply.status !== 200) failures += 1;
    else variants.set(String(reply.body.variant), (variants.get(String(reply.body.variant)) ?? 0) + 1);
  }
  const openaiCalls = fake.requests.filter((r) => r.method === 'POST').length;
  summary('chat turn, Postgres 17 + OpenAI fake (handler → prepare → OpenAI → record)', samples);
  console.log(
    `  per message: ${(counted.calls() / TURNS).toFixed(2)} database round trips, ${(openaiCalls / TURNS).toFixed(2)} OpenAI calls (one conversation create in total); non-200: ${failures}; variants: ${[...variants].map(([k, v]) => `${k}=${v}`).join(' ')}`,
  );

  // Replays: the same client_message_id answered from the database.
  const key = randomUUID();
  await invoke(chat, {
    resource: '/functions/v1/openai-chat-completion',
    userId: user.id,
    body: { message: 'replay', client_message_id: key },
  });
  const before = fake.requests.length;
  const replay: number[] = [];
  for (let i = 0; i < TURNS; i += 1) {
    const t0 = performance.now();
    await invoke(chat, {
      resource: '/functions/v1/openai-chat-completion',
      userId: user.id,
      body: { message: 'replay', client_message_id: key },
    });
    replay.push(performance.now() - t0);
  }
  summary('idempotent replay (same client_message_id)', replay);
  console.log(`  OpenAI calls during replays: ${fake.requests.length - before}`);
  await app.close();
  await db.drop();
} finally {
  await fake.close();
  await server.stop();
}

// 3. The local mode: embedded PGlite, simulated coach, over HTTP.
{
  const t0 = performance.now();
  const api = await startLocalApi({ port: 0, env: { OPENAI_API_KEY: undefined } });
  const boot = performance.now() - t0;
  console.log(`local API boot (PGlite + baseline + migrations + demo user): ${boot.toFixed(0)}ms`);
  const samples: number[] = [];
  for (let i = 0; i < TURNS; i += 1) {
    const t1 = performance.now();
    const res = await fetch(`${api.url}/openai-chat-completion`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: `Local message ${i}`, chat_type: 'general' }),
    });
    await res.json();
    samples.push(performance.now() - t1);
  }
  summary('chat turn over HTTP, local API (PGlite, simulated coach)', samples);
  await api.close();
}

const mem = process.memoryUsage();
console.log(
  `memory after runs: rss=${(mem.rss / 2 ** 20).toFixed(0)}MiB heapUsed=${(mem.heapUsed / 2 ** 20).toFixed(0)}MiB`,
);
export {};

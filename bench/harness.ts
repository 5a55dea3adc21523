/**
 * What the benchmarks run against, all on 127.0.0.1: the test harness's throwaway PostgreSQL
 * 17 (a migrated database with the app's existing rows), the OpenAI fake, and the local API
 * (`local/server.ts`: the real handlers, store and state machine) on that database and that
 * fake. The API's store and poll task are wrapped to count database round trips and time
 * the poll steps; nothing else is replaced.
 */
import { performance } from 'node:perf_hooks';
import { LOCAL_DEFAULTS, signLocalDevToken } from '../local/auth';
import type { CoachStore } from '../local/runtime';
import { startLocalApi, type LocalApi, type LocalApiOptions } from '../local/server';
import type { PollTask } from '../local/step-functions';
import { createTestDatabase, type TestDatabase } from '../test/support/database';
import { startOpenAIFake, type OpenAIFake } from '../test/support/openai-fake';
import { startTestPostgres, type TestPostgres } from '../test/support/postgres-server';
import { insertUser } from '../test/support/users';

/** Milliseconds on the clock the OpenAI fake records its timings with. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

/** One store call: which function of the port, when, and the ids it carried (never text). */
export interface StoreCall {
  readonly method: string;
  readonly startedAt: number;
  endedAt: number | null;
  readonly runId: string | null;
  readonly responseId: string | null;
}

/** One execution of the poll task by the state machine. */
export interface PollStep {
  readonly runId: string;
  readonly startedAt: number;
  endedAt: number | null;
  outcome: string | null;
}

export interface BenchApi {
  readonly api: LocalApi;
  readonly storeCalls: StoreCall[];
  readonly pollSteps: PollStep[];
  close(): Promise<void>;
}

export interface BenchUser {
  readonly id: string;
  readonly token: string;
}

export interface Harness {
  readonly db: TestDatabase;
  readonly fake: OpenAIFake;
  /** A local API on the bench database and the fake; `env` over the bench defaults, `local` over its options. */
  startApi(
    env?: Readonly<Record<string, string>>,
    local?: Pick<LocalApiOptions, 'pollerFollowMs'>,
  ): Promise<BenchApi>;
  /** `n` fresh users (a profile, a rating per pillar, a goal), each with a token the API accepts. */
  users(n: number): Promise<BenchUser[]>;
  close(): Promise<void>;
}

/**
 * Limits high enough that no benchmark user is throttled or budget-limited: the figures are
 * the backend's cost per message, not the policy's (which answers such users 429 or simulated).
 */
export const UNLIMITED: Readonly<Record<string, string>> = {
  RATE_LIMIT_PER_MINUTE: '1000000',
  DAILY_MESSAGE_LIMIT_PER_USER: '1000000',
  DAILY_TOKEN_LIMIT_PER_USER: '1000000000',
  DAILY_COST_LIMIT_USD_PER_USER: '100000',
  GLOBAL_DAILY_COST_BUDGET_USD: '100000000',
};

/** The token settings the API and the tokens share (the local API's own defaults). */
const TOKEN_ENV = {
  SUPABASE_URL: LOCAL_DEFAULTS.SUPABASE_URL,
  SUPABASE_JWT_SECRET: LOCAL_DEFAULTS.SUPABASE_JWT_SECRET,
  AUTH_MODE: LOCAL_DEFAULTS.AUTH_MODE,
};

function idsOf(args: unknown[]): { runId: string | null; responseId: string | null } {
  const input = (args[0] ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return { runId: str(input.run_id), responseId: str(input.openai_response_id) };
}

/** The store with every call recorded: one call of a port method is one database round trip. */
function recordingStore(store: CoachStore, calls: StoreCall[]): CoachStore {
  const wrapped: Record<string, unknown> = {};
  for (const [method, fn] of Object.entries(store)) {
    wrapped[method] = async (...args: unknown[]) => {
      const call: StoreCall = { method, startedAt: nowMs(), endedAt: null, ...idsOf(args) };
      calls.push(call);
      try {
        return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
      } finally {
        call.endedAt = nowMs();
      }
    };
  }
  return wrapped as unknown as CoachStore;
}

function timedPollTask(task: PollTask, steps: PollStep[]): PollTask {
  return async (event) => {
    const runId = String((event as { run_id?: unknown }).run_id ?? '');
    const step: PollStep = { runId, startedAt: nowMs(), endedAt: null, outcome: null };
    steps.push(step);
    try {
      const output = await task(event);
      step.outcome = output.outcome;
      return output;
    } finally {
      step.endedAt = nowMs();
    }
  };
}

export async function startHarness(): Promise<Harness> {
  const pg: TestPostgres = await startTestPostgres();
  process.env.MIVIA_TEST_PG_ADMIN_URL = pg.adminUrl;
  const opened: BenchApi[] = [];
  let db: TestDatabase | undefined;
  let fake: OpenAIFake | undefined;
  try {
    db = await createTestDatabase();
    fake = await startOpenAIFake();
  } catch (error) {
    await fake?.close();
    await db?.drop();
    await pg.stop();
    throw error;
  }
  const [database, openai] = [db, fake];

  return {
    db: database,
    fake: openai,
    async startApi(env = {}, local = {}) {
      const storeCalls: StoreCall[] = [];
      const pollSteps: PollStep[] = [];
      const api = await startLocalApi({
        ...local,
        port: 0,
        host: '127.0.0.1',
        env: {
          ...TOKEN_ENV,
          ...UNLIMITED,
          DATABASE_URL: database.url,
          OPENAI_API_KEY: openai.apiKey,
          OPENAI_BASE_URL: openai.baseURL,
          OPENAI_TIMEOUT_MS: '30000',
          ...env,
        },
        instrument: {
          store: (store) => recordingStore(store, storeCalls),
          pollTask: (task) => timedPollTask(task, pollSteps),
        },
      });
      const handle: BenchApi = { api, storeCalls, pollSteps, close: () => api.close() };
      opened.push(handle);
      return handle;
    },
    async users(n) {
      const users: BenchUser[] = [];
      for (let i = 0; i < n; i++) {
        const { id } = await insertUser(database.pool, `Bench ${i}`);
        users.push({ id, token: await signLocalDevToken(TOKEN_ENV, id) });
      }
      return users;
    },
    async close() {
      for (const handle of opened.splice(0)) await handle.close().catch(() => undefined);
      await openai.close();
      await database.drop();
      await pg.stop();
    },
  };
}

export interface SentMessage {
  readonly user: BenchUser;
  /** The message text: unique per message, so the fake's response for it can be found. */
  readonly message: string;
  /** The idempotency key sent with it, if any. */
  readonly clientMessageId: string | null;
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly startedAt: number;
  readonly endedAt: number;
}

/** One chat message through the local API over HTTP, timed from request to parsed reply. */
export async function sendMessage(
  api: LocalApi,
  user: BenchUser,
  message: string,
  chatType = 'pillar_health',
  clientMessageId?: string,
): Promise<SentMessage> {
  const startedAt = nowMs();
  const res = await fetch(`${api.url}/openai-chat-completion`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      message,
      chat_type: chatType,
      ...(clientMessageId ? { client_message_id: clientMessageId } : {}),
    }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  return {
    user,
    message,
    clientMessageId: clientMessageId ?? null,
    status: res.status,
    body,
    startedAt,
    endedAt: nowMs(),
  };
}

/** A user message of about 25 words, unique by `tag`. */
export function benchMessage(tag: string): string {
  return `[${tag}] I keep skipping my evening walk after work because I feel too tired. What is one small thing I could try this week?`;
}

/** A reply of about `words` words (streamed one delta a word); 170 by default, as the coach profiles ask for. */
export function benchReply(words = 170): string {
  const sentence = (i: number) =>
    `Step ${i + 1}: keep the walk short and easy, ten minutes right after dinner, before the sofa wins.`;
  const all = Array.from({ length: Math.ceil(words / 17) }, (_, i) => sentence(i)).join(' ');
  return all.split(' ').slice(0, words).join(' ');
}

export const BENCH_REPLY = benchReply();

/**
 * Export and erasure as the integration tests drive them: the real ai-data and chat handlers
 * on the test Postgres, the real OpenAI adapters against the OpenAI fake, the erasure
 * starter the Lambda uses (its Step Functions client records each StartExecution instead of
 * sending it), and the `ErasureRunner` definition synthesized from the CDK construct,
 * executed locally (aws-local-stepfunctions) with its task states bound to the real erasure
 * task. Waits and retry pauses take 0 ms; nothing here measures time.
 */
import { randomUUID } from 'node:crypto';
import type { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { StateMachine } from 'aws-local-stepfunctions';
import { createAiDataHandler } from '../../../lambdas/ai-data/handler';
import { createErasureTaskHandler, type ErasureTaskOutput } from '../../../lambdas/ai-data/erasure-handler';
import { createOpenAIDataEraser } from '../../../lambdas/ai-data/openai';
import { stepFunctionsErasures } from '../../../lambdas/ai-data/runtime';
import type { AiDataDeps } from '../../../lambdas/ai-data/service';
import { createChatHandler } from '../../../lambdas/chat/handler';
import { createFeedbackHandler } from '../../../lambdas/feedback/handler';
import { safetyIdentifier } from '../../../lambdas/shared/user-hash';
import { loadErasureDefinition } from '../../../local/erasure-machine';
import type { Runtime } from '../../../local/runtime';
import { localTaskRunOptions, type LocalTask } from '../../../local/step-functions';
import { invoke, type ProxyHandler, type Reply } from '../../support/api';
import { buildTestRuntime, type TestRuntime } from '../../support/chat-runtime';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startOpenAIFake, type FakeStored, type OpenAIFake } from '../../support/openai-fake';
import { insertUser, type TestUser } from '../../support/users';

export const AI_DATA = '/functions/v1/ai-data';
export const ERASURE = '/functions/v1/ai-data/erasures/{erasure_id}';
const CHAT = '/functions/v1/openai-chat-completion';
const FEEDBACK = '/functions/v1/chat-feedback';
const TEST_ERASURE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:ErasureRunner';

export interface StateEvent {
  readonly name: string;
  readonly event: string;
}

export interface ErasureExecution {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output: unknown;
  /** The error that failed the execution (FAILED). */
  readonly error: string | null;
  /** What the real task returned to each task state, in order. */
  readonly taskOutputs: readonly ErasureTaskOutput[];
  /** Every state event (`StateEntered`, `StateRetried`, …) in order. */
  readonly history: readonly StateEvent[];
}

export interface Harness {
  readonly db: TestDatabase;
  readonly fake: OpenAIFake;
  readonly runtime: Runtime & AiDataDeps;
  readonly aiData: ProxyHandler;
  /** The StartExecution inputs the ai-data handler sent, in order. */
  readonly starts: Array<Record<string, unknown>>;
  /** Executes the erasure state machine with `input`, as Step Functions would. */
  execute(
    input: Record<string, unknown>,
    options?: { readonly wrapTask?: (task: LocalTask) => LocalTask },
  ): Promise<ErasureExecution>;
  /** The input of the latest StartExecution for an erasure. */
  startFor(erasureId: string): Record<string, unknown>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** How long a delete request erases itself; 0: everything goes to the state machine. */
  readonly syncBudgetMs?: number;
  /** The erasure task's listing page size (small pages exercise the pagination). */
  readonly pageSize?: number;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const db = await createTestDatabase();
  const fake = await startOpenAIFake();
  const base: TestRuntime = await buildTestRuntime({ databaseUrl: db.url, openai: fake });
  const starts: Array<Record<string, unknown>> = [];
  const client = {
    async send(command: StartExecutionCommand) {
      starts.push(JSON.parse(command.input.input ?? '{}') as Record<string, unknown>);
      return { executionArn: `${TEST_ERASURE_ARN}:${command.input.name}`, startDate: new Date() };
    },
  } as unknown as SFNClient;
  const runtime: Runtime & AiDataDeps = {
    ...base.runtime,
    eraser: createOpenAIDataEraser({
      apiKey: fake.apiKey,
      baseURL: fake.baseURL,
      timeoutMs: 2000,
      maxRetries: 2,
      retryDelayMs: 5,
      maxRetryDelayMs: 50,
    }),
    erasures: stepFunctionsErasures(TEST_ERASURE_ARN, client),
    ...(options.syncBudgetMs === undefined ? {} : { erasureSyncBudgetMs: options.syncBudgetMs }),
  };
  const getRuntime = async () => runtime;
  const erasure = await loadErasureDefinition();
  const task = createErasureTaskHandler(getRuntime, options.pageSize ? { pageSize: options.pageSize } : {});
  const { StateMachine: Machine } = await import('aws-local-stepfunctions');
  const machine = new Machine(erasure.definition);

  return {
    db,
    fake,
    runtime,
    aiData: createAiDataHandler(getRuntime),
    starts,
    async execute(input, executeOptions = {}) {
      const taskOutputs: ErasureTaskOutput[] = [];
      const recording: LocalTask = async (event) => {
        const output = await task(event);
        taskOutputs.push(output);
        return output;
      };
      const bound = executeOptions.wrapTask?.(recording) ?? recording;
      const execution = machine.run(
        input as Parameters<StateMachine['run']>[0],
        localTaskRunOptions(erasure.definition, erasure.erasureFunctionArn, bound, { waitMs: 0, retryMs: 0 }),
      );
      let status: ErasureExecution['status'] = 'SUCCEEDED';
      let output: unknown = null;
      let error: string | null = null;
      try {
        output = await execution.result;
      } catch (failure) {
        status = 'FAILED';
        const cause = (failure as { cause?: { name?: string } }).cause;
        error = cause?.name ?? String((failure as Error).name);
      }
      const history: StateEvent[] = [];
      for await (const event of execution.eventLogs) {
        if ('state' in event) history.push({ name: event.state.name, event: event.type });
      }
      return { status, output, error, taskOutputs, history };
    },
    startFor(erasureId) {
      const start = starts.filter((s) => s.erasure_id === erasureId).at(-1);
      if (!start) throw new Error(`No execution was started for erasure ${erasureId}`);
      return start;
    },
    async close() {
      await base.close();
      await fake.close();
      await db.drop();
    },
  };
}

/** A user with AI data here and at OpenAI, as the app and the coach leave it. */
export interface SeededUser extends TestUser {
  /** OpenAI's `safety_identifier` of the user: the fake's owner of their conversations and responses. */
  readonly owner: string;
  readonly aiMessageIds: readonly string[];
}

/**
 * A new user who chatted with the OpenAI coach: `turns` messages on the general coach and
 * one on the pillar coach (two conversations), a thumbs-up, per-user settings, a safety
 * event and a context cache entry.
 */
export async function seedUser(h: Harness, turns = 2): Promise<SeededUser> {
  const user = await insertUser(h.db.pool);
  const chat = createChatHandler(async () => h.runtime);
  const feedback = createFeedbackHandler(async () => h.runtime);
  const aiMessageIds: string[] = [];
  const send = async (message: string, chatType: string) => {
    const reply = await invoke(chat, {
      resource: CHAT,
      userId: user.id,
      body: { message, chat_type: chatType },
    });
    if (reply.status !== 200) throw new Error(`chat answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    aiMessageIds.push(String(reply.body.message_id));
  };
  for (let i = 0; i < turns; i++) await send(`Evening walk, day ${i + 1} (${randomUUID()})`, 'general');
  await send(`My knee hurts after running (${randomUUID()})`, 'pillar_health');
  await invoke(feedback, {
    resource: FEEDBACK,
    userId: user.id,
    body: { message_id: aiMessageIds[0], rating: 'up' },
  });
  await h.db.pool.query(`insert into public.user_ai_settings (user_id, cohort) values ($1, 'beta')`, [
    user.id,
  ]);
  await h.db.pool.query(
    `insert into public.safety_events (user_id, message_id, source, category, scores, action)
     values ($1, $2, 'user_message', 'self-harm', '{"self-harm": 0.62}', 'allowed')`,
    [user.id, aiMessageIds[0]],
  );
  await h.db.pool.query(
    `insert into public.user_context_cache (user_id, context_hash, context_data, expires_at)
     values ($1, 'h1', 'USER CONTEXT FOR COACHING', now() + interval '1 hour')`,
    [user.id],
  );
  return { ...user, owner: safetyIdentifier(user.id), aiMessageIds };
}

export const postAiData = (h: Harness, userId: string, body: unknown) =>
  invoke(h.aiData, { resource: AI_DATA, userId, body });

export const getErasure = (h: Harness, userId: string, erasureId: string): Promise<Reply> =>
  invoke(h.aiData, {
    method: 'GET',
    resource: ERASURE,
    path: `/functions/v1/ai-data/erasures/${erasureId}`,
    userId,
    pathParameters: { erasure_id: erasureId },
  });

/** What the fake stores of a user, reduced to comparable ids. */
export function storedIds(stored: FakeStored) {
  return {
    conversations: stored.conversations.map((c) => c.id).sort(),
    items: stored.items.map((i) => i.id).sort(),
    responses: stored.responses.map((r) => r.id).sort(),
  };
}

/** How many rows of each of the backend's tables hold the user. */
export async function rowsOf(db: TestDatabase, userId: string): Promise<Record<string, number>> {
  const tables = [
    'journal_ai_chats',
    'user_assistant_threads',
    'chat_runs',
    'chat_feedback',
    'user_ai_settings',
    'user_context_cache',
    'openai_usage_logs',
    'safety_events',
  ];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const { rows } = await db.pool.query<{ n: number }>(
      `select count(*)::int as n from public.${table} where user_id = $1`,
      [userId],
    );
    counts[table] = rows[0]?.n ?? 0;
  }
  return counts;
}

/**
 * The long-run poller end to end (docs/architecture.md, "Long replies"): the chat handler answers
 * 202 and sends StartExecution; the `RunPoller` definition synthesized from the CDK
 * construct is then executed locally (aws-local-stepfunctions) with that input, its task
 * states running the real poll handler on the real test Postgres, OpenAI faked over HTTP.
 * Wait states take 0 ms; the poll budget is reached by starting from an old `started_at`.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createChatHandler } from '../../../lambdas/chat/handler';
import { createRunsHandler } from '../../../lambdas/runs/handler';
import { ChatReply } from '../../../lambdas/shared/contract/schemas';
import type { PollTask } from '../../../local/step-functions';
import { invoke, type ProxyHandler } from '../../support/api';
import { buildTestRuntime, type TestRuntime } from '../../support/chat-runtime';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startOpenAIFake, type FakeBehaviour, type OpenAIFake } from '../../support/openai-fake';
import {
  recordingStepFunctionsStarter,
  startPollerMachine,
  type ExecutionOutcome,
  type PollerMachine,
} from '../../support/state-machine';
import { insertUser, type TestUser } from '../../support/users';

const CHAT = '/functions/v1/openai-chat-completion';
const RUN = '/functions/v1/openai-chat-completion/runs/{run_id}';
/** The shortest sync budget the config allows: a `slow` response is handed to the poller. */
const SHORT_SYNC_BUDGET = { CHAT_SYNC_BUDGET_MS: '1000' };
/** A response that will not finish while the test looks. */
const NEVER_DONE: FakeBehaviour = { kind: 'slow', pollsUntilDone: 1_000 };

let db: TestDatabase;
let fake: OpenAIFake;
let app: TestRuntime;
let strict: TestRuntime;
let machine: PollerMachine;
let strictMachine: PollerMachine;
let chat: ProxyHandler;
let strictChat: ProxyHandler;
let runs: ProxyHandler;
const sfn = recordingStepFunctionsStarter();

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startOpenAIFake();
  app = await buildTestRuntime({
    databaseUrl: db.url,
    openai: fake,
    env: SHORT_SYNC_BUDGET,
    poller: sfn.starter,
  });
  strict = await buildTestRuntime({
    databaseUrl: db.url,
    openai: fake,
    env: { ...SHORT_SYNC_BUDGET, FALLBACK_ENABLED: 'false' },
    poller: sfn.starter,
  });
  machine = await startPollerMachine({ getRuntime: app.getRuntime });
  strictMachine = await startPollerMachine({ getRuntime: strict.getRuntime });
  chat = createChatHandler(app.getRuntime);
  strictChat = createChatHandler(strict.getRuntime);
  runs = createRunsHandler(app.getRuntime);
});

afterAll(async () => {
  await app?.close();
  await strict?.close();
  await fake?.close();
  await db?.drop();
});

beforeEach(() => fake.reset());

interface LongRun {
  readonly user: TestUser;
  readonly message: string;
  readonly runId: string;
  readonly responseId: string;
  /** The 202 body. */
  readonly pending: Record<string, unknown>;
  /** The StartExecution input the chat handler sent. */
  readonly input: Record<string, unknown>;
}

/** A chat message whose reply outlives the sync budget: 202, a pending run, an execution to start. */
async function beginLongRun(behaviour: FakeBehaviour, handler: ProxyHandler = chat): Promise<LongRun> {
  const user = await insertUser(db.pool);
  const message = `I lie awake worrying about work (${randomUUID()})`;
  fake.script(behaviour);
  const reply = await invoke(handler, {
    resource: CHAT,
    userId: user.id,
    body: { message, chat_type: 'pillar_health' },
  });
  expect(reply.status).toBe(202);
  const runId = String(reply.body.run_id);
  const input = sfn.inputFor(runId);
  return { user, message, runId, responseId: String(input.response_id), pending: reply.body, input };
}

const readRun = (userId: string, runId: string) =>
  invoke(runs, {
    method: 'GET',
    resource: RUN,
    path: `/functions/v1/openai-chat-completion/runs/${runId}`,
    userId,
    pathParameters: { run_id: runId },
  });

async function runRow(runId: string) {
  const { rows } = await db.pool.query(
    `select status, failure_code, ai_message_id, user_message_id from public.chat_runs where id = $1`,
    [runId],
  );
  return rows[0] as {
    status: string;
    failure_code: string | null;
    ai_message_id: string | null;
    user_message_id: string | null;
  };
}

async function aiRows(runId: string) {
  const { rows } = await db.pool.query(
    `select id, response, variant, fallback, openai_response_id, tokens_used, cost_estimate::float8 as cost_estimate
       from public.journal_ai_chats where run_id = $1 and message_type = 'ai'`,
    [runId],
  );
  return rows as Array<{
    id: string;
    response: string;
    variant: string;
    fallback: boolean;
    openai_response_id: string | null;
    tokens_used: number;
    cost_estimate: number;
  }>;
}

async function usageLogs(runId: string) {
  const { rows } = await db.pool.query(
    `select message_id, total_tokens, openai_response_id, cost_estimate::float8 as cost_estimate from public.openai_usage_logs where run_id = $1`,
    [runId],
  );
  return rows as Array<{
    message_id: string;
    total_tokens: number;
    openai_response_id: string;
    cost_estimate: number;
  }>;
}

async function thread(userId: string) {
  const { rows } = await db.pool.query(
    `select thread_id, total_tokens_used, last_cost_estimate::float8 as last_cost_estimate from public.user_assistant_threads where user_id = $1`,
    [userId],
  );
  return rows as Array<{ thread_id: string; total_tokens_used: number; last_cost_estimate: number }>;
}

const cancels = (responseId: string) => fake.requestsTo('POST', `/v1/responses/${responseId}/cancel`);
const retrieves = (responseId: string) => fake.requestsTo('GET', `/v1/responses/${responseId}`);

/**
 * The fake finishes a `slow` response only as completed; a response that fails after the
 * 202 is made by setting what `GET /v1/responses/{id}` returns, as OpenAI would report it.
 */
function failUpstream(responseId: string, code: string): void {
  const found = fake.responses.get(responseId);
  if (!found) throw new Error(`The fake has no response ${responseId}`);
  found.response = {
    ...found.response,
    status: 'failed',
    error: { code, message: 'The model failed to generate a response.' },
  };
}

/** The execution history holds ids, counters and outcomes only: never the user's text. */
const STATE_KEYS = new Set([
  'run_id',
  'response_id',
  'attempt',
  'started_at',
  'state',
  'wait_seconds',
  'elapsed_seconds',
  'outcome',
  'action',
  'error',
  'Error',
  'Cause',
]);
function expectNoUserData(outcome: ExecutionOutcome, message: string): void {
  const keys = new Set<string>();
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        keys.add(key);
        collect(inner);
      }
    }
  };
  for (const record of outcome.history) [record.input, record.output].forEach(collect);
  expect([...keys].filter((key) => !STATE_KEYS.has(key))).toEqual([]);
  const history = JSON.stringify(outcome.history);
  expect(history).not.toContain(message);
  expect(history).not.toContain('lie awake');
}

const outcomes = (execution: ExecutionOutcome) => execution.taskOutputs.map((o) => o.outcome);

/** How many times the synthesized definition retries a failed task state. */
function retriesOf(stateName: string): number {
  const state = machine.poller.definition.States[stateName];
  return state && 'Retry' in state
    ? (state.Retry ?? []).reduce((sum, r) => sum + (r.MaxAttempts ?? 3), 0)
    : 0;
}

describe('a long reply, followed by the RunPoller state machine', () => {
  it('is recorded once, with its usage, after several polls, and the run then reads as a completed chat reply', async () => {
    const run = await beginLongRun({ kind: 'slow', pollsUntilDone: 4 });

    const execution = await machine.execute(run.input);

    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.path[0]).toBe('Poll');
    expect(execution.path).toContain('Wait');
    expect(execution.path.at(-1)).toBe('Done');
    expect(outcomes(execution).at(-1)).toBe('completed');
    expect(outcomes(execution).slice(0, -1).length).toBeGreaterThanOrEqual(2);
    expect(new Set(outcomes(execution).slice(0, -1))).toEqual(new Set(['waiting']));
    expect(retrieves(run.responseId)).toHaveLength(execution.taskOutputs.length);

    const ai = await aiRows(run.runId);
    expect(ai).toHaveLength(1);
    expect(ai[0]).toMatchObject({ variant: 'openai', fallback: false, openai_response_id: run.responseId });
    expect(ai[0]?.tokens_used).toBeGreaterThan(0);
    expect(await runRow(run.runId)).toMatchObject({
      status: 'completed',
      ai_message_id: ai[0]?.id,
      user_message_id: run.pending.user_message_id,
    });
    expect(await usageLogs(run.runId)).toEqual([
      {
        message_id: ai[0]?.id,
        total_tokens: ai[0]?.tokens_used,
        openai_response_id: run.responseId,
        cost_estimate: ai[0]?.cost_estimate,
      },
    ]);
    expect(await thread(run.user.id)).toEqual([
      {
        thread_id: run.pending.thread_id,
        total_tokens_used: ai[0]?.tokens_used,
        last_cost_estimate: ai[0]?.cost_estimate,
      },
    ]);

    const read = await readRun(run.user.id, run.runId);
    expect(read.status).toBe(200);
    const { status, run_id: runId, ...reply } = read.body;
    expect({ status, runId }).toEqual({ status: 'completed', runId: run.runId });
    expect(ChatReply.strict().safeParse(reply).success).toBe(true);
    expect(reply).toMatchObject({
      response: ai[0]?.response,
      message_id: ai[0]?.id,
      user_message_id: run.pending.user_message_id,
      thread_id: run.pending.thread_id,
      variant: 'openai',
      fallback: false,
      tokens_used: ai[0]?.tokens_used,
    });
    expectNoUserData(execution, run.message);
  });

  it('marks the run failed and stores the simulated fallback, flagged, when the response fails', async () => {
    const run = await beginLongRun(NEVER_DONE);
    failUpstream(run.responseId, 'server_error');

    const execution = await machine.execute(run.input);

    expect(execution.status).toBe('SUCCEEDED');
    expect(outcomes(execution)).toEqual(['failed']);
    const ai = await aiRows(run.runId);
    expect(ai).toHaveLength(1);
    expect(ai[0]).toMatchObject({
      variant: 'simulated',
      fallback: true,
      openai_response_id: null,
      tokens_used: 0,
    });
    expect(await runRow(run.runId)).toMatchObject({
      status: 'failed',
      failure_code: 'server_error',
      ai_message_id: ai[0]?.id,
    });
    expect(await usageLogs(run.runId)).toEqual([]);
    const read = await readRun(run.user.id, run.runId);
    expect(read.body).toMatchObject({
      status: 'failed',
      code: 'failed',
      reply: { message_id: ai[0]?.id, fallback: true, variant: 'simulated' },
    });
  });

  it('marks the run failed and stores no answer when the response fails and the fallback is disabled', async () => {
    const run = await beginLongRun(NEVER_DONE, strictChat);
    failUpstream(run.responseId, 'server_error');

    const execution = await strictMachine.execute(run.input);

    expect(execution.status).toBe('SUCCEEDED');
    expect(outcomes(execution)).toEqual(['failed']);
    expect(await aiRows(run.runId)).toEqual([]);
    expect(await runRow(run.runId)).toMatchObject({
      status: 'failed',
      failure_code: 'server_error',
      ai_message_id: null,
    });
    const read = await readRun(run.user.id, run.runId);
    expect(read.body).toMatchObject({
      status: 'failed',
      code: 'failed',
      reply: null,
      user_message_id: run.pending.user_message_id,
    });
  });

  it('cancels a response that never finishes, marks the run timed out and stores the fallback, once the poll budget is spent', async () => {
    const run = await beginLongRun(NEVER_DONE);
    const pastBudget = new Date(Date.now() - (machine.poller.maxPollSeconds + 1) * 1000).toISOString();

    const execution = await machine.execute({ ...run.input, started_at: pastBudget });

    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.path).toEqual(['Poll', 'Check', 'TimeOut', 'Done']);
    expect(outcomes(execution)).toEqual(['waiting', 'timed_out']);
    expect(cancels(run.responseId)).toHaveLength(1);
    expect(fake.responses.get(run.responseId)?.response.status).toBe('cancelled');
    const ai = await aiRows(run.runId);
    expect(ai).toHaveLength(1);
    expect(ai[0]).toMatchObject({ variant: 'simulated', fallback: true });
    expect(await runRow(run.runId)).toMatchObject({ status: 'timed_out', ai_message_id: ai[0]?.id });
    const read = await readRun(run.user.id, run.runId);
    expect(read.body).toMatchObject({
      status: 'failed',
      code: 'timed_out',
      reply: { message_id: ai[0]?.id, fallback: true },
    });
    expectNoUserData(execution, run.message);
  });

  it('keeps an answer that completed after the last poll instead of cancelling it at the time-out', async () => {
    const run = await beginLongRun(NEVER_DONE);
    const pastBudget = new Date(Date.now() - (machine.poller.maxPollSeconds + 1) * 1000).toISOString();
    const finishBeforeTimeOut =
      (task: PollTask): PollTask =>
      async (event) => {
        if ((event as { action?: string }).action === 'timeout') fake.finish(run.responseId);
        return task(event);
      };

    const execution = await machine.execute(
      { ...run.input, started_at: pastBudget },
      { wrapTask: finishBeforeTimeOut },
    );

    expect(execution.path).toEqual(['Poll', 'Check', 'TimeOut', 'Done']);
    expect(outcomes(execution)).toEqual(['waiting', 'completed']);
    expect(cancels(run.responseId)).toHaveLength(0);
    const ai = await aiRows(run.runId);
    expect(ai).toHaveLength(1);
    expect(ai[0]).toMatchObject({ variant: 'openai', fallback: false });
    expect(await runRow(run.runId)).toMatchObject({ status: 'completed', ai_message_id: ai[0]?.id });
  });

  it('marks the run failed through MarkFailed when the poll step keeps crashing, and the execution fails', async () => {
    const run = await beginLongRun(NEVER_DONE);
    const crashingPoll =
      (task: PollTask): PollTask =>
      async (event) => {
        if ((event as { action?: string }).action === undefined)
          throw new Error('Runtime exited with error: signal: killed');
        return task(event);
      };

    const execution = await machine.execute(run.input, { wrapTask: crashingPoll });

    expect(execution.status).toBe('FAILED');
    expect(execution.error?.name).toBe('PollFailed');
    expect(execution.path).toEqual(['Poll', 'MarkFailed', 'Failed']);
    expect(execution.history.filter((h) => h.name === 'Poll' && h.event === 'retried')).toHaveLength(
      retriesOf('Poll'),
    );
    expect(outcomes(execution)).toEqual(['failed']);
    expect(cancels(run.responseId)).toHaveLength(1);
    expect(await runRow(run.runId)).toMatchObject({ status: 'failed', failure_code: 'poller_error' });
    expect(await aiRows(run.runId)).toEqual([
      expect.objectContaining({ variant: 'simulated', fallback: true }),
    ]);
  });
  it('keeps an answer that completed while the poll step kept crashing, instead of storing the fallback at MarkFailed', async () => {
    const run = await beginLongRun(NEVER_DONE);
    const crashingPollThatFinished =
      (task: PollTask): PollTask =>
      async (event) => {
        const action = (event as { action?: string }).action;
        if (action === undefined) throw new Error('Runtime exited with error: signal: killed');
        if (action === 'fail') fake.finish(run.responseId);
        return task(event);
      };

    const execution = await machine.execute(run.input, { wrapTask: crashingPollThatFinished });

    expect(execution.path).toEqual(['Poll', 'MarkFailed', 'Failed']);
    expect(outcomes(execution)).toEqual(['completed']);
    expect(cancels(run.responseId)).toHaveLength(0);
    const ai = await aiRows(run.runId);
    expect(ai).toEqual([expect.objectContaining({ variant: 'openai', fallback: false })]);
    expect(await runRow(run.runId)).toMatchObject({ status: 'completed', ai_message_id: ai[0]?.id });
    expect(await usageLogs(run.runId)).toHaveLength(1);
  });
});

describe('a poll step that fails', () => {
  it('leaves only the kind of failure in the execution history, not the error text', async () => {
    const secret = `password authentication failed while storing "${randomUUID()}"`;
    const broken = await startPollerMachine({
      getRuntime: async () => {
        throw new Error(secret);
      },
    });
    const input = {
      run_id: randomUUID(),
      response_id: 'resp_unknown',
      attempt: 0,
      started_at: new Date().toISOString(),
    };

    const execution = await broken.execute(input);

    expect(execution.status).toBe('FAILED');
    expect(execution.error?.name).toBe('PollStepFailed');
    expect(execution.path).toEqual(['Poll', 'MarkFailed']);
    const failures = execution.history.filter((h) => h.event === 'failed');
    expect(failures).toHaveLength(1 + retriesOf('Poll') + 1 + retriesOf('MarkFailed'));
    expect(new Set(failures.map((h) => h.error?.name))).toEqual(new Set(['PollStepFailed']));
    expect(JSON.stringify(execution.history)).not.toContain(secret);
    expect(execution.error?.cause).not.toContain(secret);
  });
});

describe('exactly once', () => {
  it('records one answer when Step Functions replays a completion step whose result was lost', async () => {
    const run = await beginLongRun({ kind: 'slow', pollsUntilDone: 2 });
    let lost = false;
    const losesFirstCompletion =
      (task: PollTask): PollTask =>
      async (event) => {
        const output = await task(event);
        if (output.outcome === 'completed' && !lost) {
          lost = true;
          throw Object.assign(new Error('Lambda timed out after the step was done'), {
            name: 'Lambda.ClientExecutionTimeoutException',
          });
        }
        return output;
      };

    const execution = await machine.execute(run.input, { wrapTask: losesFirstCompletion });

    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.history.some((h) => h.name === 'Poll' && h.event === 'retried')).toBe(true);
    expect(outcomes(execution).slice(-2)).toEqual(['completed', 'already_done']);
    expect(await aiRows(run.runId)).toHaveLength(1);
    expect(await usageLogs(run.runId)).toHaveLength(1);
    expect((await runRow(run.runId)).status).toBe('completed');
  });

  it('records one answer when the completion step runs twice at the same time, and again afterwards', async () => {
    const run = await beginLongRun({ kind: 'slow', pollsUntilDone: 1 });

    const concurrent = await Promise.all([machine.pollTask(run.input), machine.pollTask(run.input)]);
    const later = await machine.pollTask(run.input);

    expect(concurrent.map((o) => o.state)).toEqual(['done', 'done']);
    expect(concurrent.map((o) => o.outcome)).toContain('completed');
    expect(later.outcome).toBe('already_done');
    const ai = await aiRows(run.runId);
    expect(ai).toHaveLength(1);
    expect(await usageLogs(run.runId)).toHaveLength(1);
    expect((await thread(run.user.id))[0]?.total_tokens_used).toBe(ai[0]?.tokens_used);
  });

  it('records one answer when two executions follow the same run', async () => {
    const run = await beginLongRun({ kind: 'slow', pollsUntilDone: 3 });

    const [first, second] = await Promise.all([machine.execute(run.input), machine.execute(run.input)]);

    expect([first.status, second.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(outcomes(first).concat(outcomes(second))).toContain('completed');
    const ai = await aiRows(run.runId);
    expect(ai).toHaveLength(1);
    expect(await usageLogs(run.runId)).toHaveLength(1);
    expect((await thread(run.user.id))[0]?.total_tokens_used).toBe(ai[0]?.tokens_used);
    expect((await runRow(run.runId)).ai_message_id).toBe(ai[0]?.id);
  });
});

/**
 * What the app sees of a long reply: the chat's 202, then `GET …/runs/{run_id}` answering
 * `pending` until the poller's execution has recorded the reply, then `completed` with the
 * body of a 200 chat reply; someone else's read is a 404. The execution is the `RunPoller`
 * definition synthesized from the CDK construct, run locally on the real poll handler:
 * started from the StartExecution the chat handler sent (as in AWS), and by the local-mode
 * starter (as `npm start` runs it).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createChatHandler } from '../../../lambdas/chat/handler';
import { createRunsHandler } from '../../../lambdas/runs/handler';
import { createPollHandler } from '../../../lambdas/poller/handler';
import { ChatReply } from '../../../lambdas/shared/contract/schemas';
import { localStateMachinePoller, type LocalStateMachinePoller } from '../../../local/step-functions';
import { invoke, type ProxyHandler } from '../../support/api';
import { buildTestRuntime, type TestRuntime } from '../../support/chat-runtime';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';
import {
  TEST_STATE_MACHINE_ARN,
  recordingStepFunctionsStarter,
  startPollerMachine,
  type PollerMachine,
} from '../../support/state-machine';
import { insertUser } from '../../support/users';

const CHAT = '/functions/v1/openai-chat-completion';
const RUN = '/functions/v1/openai-chat-completion/runs/{run_id}';
const SHORT_SYNC_BUDGET = { CHAT_SYNC_BUDGET_MS: '1000' };

let db: TestDatabase;
let fake: OpenAIFake;
let app: TestRuntime;
let local: TestRuntime;
let machine: PollerMachine;
let localPoller: LocalStateMachinePoller;
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
  machine = await startPollerMachine({ getRuntime: app.getRuntime });
  // Local mode: the runtime's poller runs the poll handler of that same runtime.
  localPoller = localStateMachinePoller(
    createPollHandler(() => local.getRuntime()),
    { waitMs: 0, retryMs: 0 },
  );
  local = await buildTestRuntime({
    databaseUrl: db.url,
    openai: fake,
    env: SHORT_SYNC_BUDGET,
    poller: localPoller,
  });
  await localPoller.ready();
});

afterAll(async () => {
  await localPoller?.stop();
  await app?.close();
  await local?.close();
  await fake?.close();
  await db?.drop();
});

beforeEach(() => fake.reset());

const sendChat = (handler: ProxyHandler, userId: string, message: string) =>
  invoke(handler, { resource: CHAT, userId, body: { message, chat_type: 'pillar_health' } });

const readRun = (runtime: TestRuntime, userId: string, runId: string) =>
  invoke(createRunsHandler(runtime.getRuntime), {
    method: 'GET',
    resource: RUN,
    path: `/functions/v1/openai-chat-completion/runs/${runId}`,
    userId,
    pathParameters: { run_id: runId },
  });

describe('a reply that outlives the sync budget', () => {
  it('answers 202, reads as pending until the execution records the reply, then as the completed reply', async () => {
    const user = await insertUser(db.pool);
    const stranger = await insertUser(db.pool);
    const message = `Why do I feel so tired in the afternoon? (${randomUUID()})`;
    fake.script({ kind: 'slow', pollsUntilDone: 3 });

    const accepted = await sendChat(createChatHandler(app.getRuntime), user.id, message);
    const runId = String(accepted.body.run_id);
    const whilePending = await readRun(app, user.id, runId);
    const strangerWhilePending = await readRun(app, stranger.id, runId);
    const execution = await machine.execute(sfn.inputFor(runId));
    const afterwards = await readRun(app, user.id, runId);
    const strangerAfterwards = await readRun(app, stranger.id, runId);

    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({
      status: 'pending',
      run_id: expect.any(String),
      user_message_id: expect.any(String),
    });
    expect(accepted.body.thread_id).toMatch(/^conv_/);
    expect(whilePending.status).toBe(200);
    expect(whilePending.body).toEqual({
      status: 'pending',
      run_id: runId,
      thread_id: accepted.body.thread_id,
      user_message_id: accepted.body.user_message_id,
      retry_after_ms: expect.any(Number),
    });
    expect(execution.status).toBe('SUCCEEDED');
    expect(afterwards.status).toBe(200);
    const { status, run_id: _runId, ...reply } = afterwards.body;
    expect(status).toBe('completed');
    expect(ChatReply.strict().safeParse(reply).success).toBe(true);
    expect(reply).toMatchObject({
      thread_id: accepted.body.thread_id,
      user_message_id: accepted.body.user_message_id,
      variant: 'openai',
      fallback: false,
    });
    for (const read of [strangerWhilePending, strangerAfterwards]) {
      expect(read.status).toBe(404);
      expect(read.body.code).toBe('run_not_found');
      expect(JSON.stringify(read.body)).not.toContain(message);
    }
  });

  it('starts one execution named after the run, with ids and a start time only', async () => {
    const user = await insertUser(db.pool);
    const message = `Can you help me plan tomorrow? (${randomUUID()})`;
    fake.script({ kind: 'slow', pollsUntilDone: 1 });

    const accepted = await sendChat(createChatHandler(app.getRuntime), user.id, message);

    const runId = String(accepted.body.run_id);
    const started = sfn.starts.filter((s) => s.name === runId);
    expect(started).toHaveLength(1);
    expect(started[0]?.stateMachineArn).toBe(TEST_STATE_MACHINE_ARN);
    expect(started[0]?.input).toEqual({
      run_id: runId,
      response_id: expect.stringMatching(/^resp_/),
      attempt: 0,
      started_at: expect.any(String),
    });
    expect(JSON.stringify(started[0])).not.toContain(message);
  });

  it('is followed to the end by the local-mode starter, which runs the same definition', async () => {
    const user = await insertUser(db.pool);
    fake.script({ kind: 'slow', pollsUntilDone: 3 });

    const accepted = await sendChat(
      createChatHandler(local.getRuntime),
      user.id,
      'Any tips for a calmer evening?',
    );
    await localPoller.idle();
    const afterwards = await readRun(local, user.id, String(accepted.body.run_id));

    expect(accepted.status).toBe(202);
    expect(afterwards.body).toMatchObject({
      status: 'completed',
      variant: 'openai',
      fallback: false,
      user_message_id: accepted.body.user_message_id,
    });
    const { rows } = await db.pool.query(
      `select count(*)::int as n from public.journal_ai_chats where run_id = $1 and message_type = 'ai'`,
      [accepted.body.run_id],
    );
    expect(rows[0]?.n).toBe(1);
  });
});

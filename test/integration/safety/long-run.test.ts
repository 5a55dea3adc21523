/**
 * A long reply (202, then the RunPoller state machine executed locally) is screened by the
 * poller before it is recorded, like a reply the chat records: flagged, it is replaced, the
 * run reads as the safe reply, and the safety event is recorded with it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createChatHandler } from '../../../lambdas/chat/handler';
import { createRunsHandler } from '../../../lambdas/runs/handler';
import { invoke, type ProxyHandler } from '../../support/api';
import { buildTestRuntime, type TestRuntime } from '../../support/chat-runtime';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';
import {
  recordingStepFunctionsStarter,
  startPollerMachine,
  type PollerMachine,
} from '../../support/state-machine';
import { insertUser } from '../../support/users';

const CHAT = '/functions/v1/openai-chat-completion';
const RUN = '/functions/v1/openai-chat-completion/runs/{run_id}';

let db: TestDatabase;
let fake: OpenAIFake;
let app: TestRuntime;
let machine: PollerMachine;
let chat: ProxyHandler;
let runs: ProxyHandler;
const sfn = recordingStepFunctionsStarter();

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startOpenAIFake();
  app = await buildTestRuntime({
    databaseUrl: db.url,
    openai: fake,
    env: { CHAT_SYNC_BUDGET_MS: '1000' },
    poller: sfn.starter,
  });
  machine = await startPollerMachine({ getRuntime: app.getRuntime });
  chat = createChatHandler(app.getRuntime);
  runs = createRunsHandler(app.getRuntime);
});

afterAll(async () => {
  await app?.close();
  await fake?.close();
  await db?.drop();
});

beforeEach(() => fake.reset());

describe('a long reply', () => {
  it('flagged by moderation when the poller has it, is replaced and recorded with its safety event', async () => {
    const user = await insertUser(db.pool);
    const paid = `A long reply that must not be shown (${randomUUID()})`;
    fake.script({ kind: 'slow', pollsUntilDone: 2, text: paid });
    fake.scriptModerations({ kind: 'classify' }, { kind: 'scores', scores: { 'self-harm/intent': 0.95 } });

    const pending = await invoke(chat, {
      resource: CHAT,
      userId: user.id,
      body: { message: 'Tell me a long story about resilience', chat_type: 'general', locale: 'en-NZ' },
    });
    expect(pending.status).toBe(202);
    const runId = String(pending.body.run_id);
    const execution = await machine.execute(sfn.inputFor(runId));
    const run = await invoke(runs, {
      method: 'GET',
      resource: RUN,
      path: `/functions/v1/openai-chat-completion/runs/${runId}`,
      userId: user.id,
      pathParameters: { run_id: runId },
    });

    expect(execution.status).toBe('SUCCEEDED');
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ status: 'completed', variant: 'safety' });
    expect(String(run.body.response)).toContain('1737');
    expect(String(run.body.response)).not.toContain('must not be shown');
    expect(
      fake.requestsTo('POST', '/v1/moderations').map((r) => (r.body as { input: string }).input),
    ).toEqual(['Tell me a long story about resilience', paid]);
    const { rows } = await db.pool.query(
      `select source, category, action, locale, message_id, row_to_json(e)::text as whole
         from public.safety_events e where e.run_id = $1`,
      [runId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      source: 'coach_reply',
      category: 'self-harm/intent',
      action: 'reply_replaced',
      locale: 'en-NZ',
      message_id: run.body.message_id,
    });
    expect(rows[0].whole).not.toContain('must not be shown');
  });
});

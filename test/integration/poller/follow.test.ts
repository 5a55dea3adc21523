/**
 * The poll step following the response's event stream (`followMs`, as the Lambda runs it):
 * a reply that completes while the step watches is recorded by that step, with no Wait; a
 * step that watched its whole budget asks for the next one at once; a response the stream
 * cannot show is still decided by the step's retrieve (failed, fallback stored).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createChatHandler } from '../../../lambdas/chat/handler';
import { pollRun } from '../../../lambdas/poller/service';
import { invoke } from '../../support/api';
import { buildTestRuntime, type TestRuntime } from '../../support/chat-runtime';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startOpenAIFake, type FakeBehaviour, type OpenAIFake } from '../../support/openai-fake';
import { recordingStepFunctionsStarter } from '../../support/state-machine';
import { countRows, insertUser } from '../../support/users';

let db: TestDatabase;
let fake: OpenAIFake;
let app: TestRuntime;
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
});

afterAll(async () => {
  await app?.close();
  await fake?.close();
  await db?.drop();
});

beforeEach(() => fake.reset());

/** A message answered 202: its run is pending and its response still being written. */
async function longRun(behaviour: FakeBehaviour) {
  const user = await insertUser(db.pool);
  fake.script(behaviour);
  const reply = await invoke(createChatHandler(app.getRuntime), {
    resource: '/functions/v1/openai-chat-completion',
    userId: user.id,
    body: { message: `Why do I wake at 4 am? (${randomUUID()})`, chat_type: 'pillar_health' },
  });
  expect(reply.status).toBe(202);
  const input = sfn.inputFor(String(reply.body.run_id));
  return {
    user,
    input: { run_id: String(input.run_id), response_id: String(input.response_id), attempt: 0 },
  };
}

const step = (input: { run_id: string; response_id: string; attempt: number }, followMs: number) =>
  pollRun({ ...app.runtime, model: app.runtime.model!, followMs }, input);

describe('the poll step following the stream', () => {
  it('records a reply that completes while it watches, in that step', async () => {
    const { user, input } = await longRun({
      kind: 'ok',
      text: 'Keep the same wake time.',
      firstTokenMs: 200,
      latencyMs: 2500,
    });
    const out = await step(input, 10_000);
    expect(out).toMatchObject({ state: 'done', outcome: 'completed', attempt: 1 });
    const { rows } = await db.pool.query(
      `select message from public.journal_ai_chats where user_id = $1 and message_type = 'ai'`,
      [user.id],
    );
    expect(rows).toEqual([{ message: 'Keep the same wake time.' }]);
    expect(await countRows(db.pool, 'public.openai_usage_logs', user.id)).toBe(1);
  });

  it('asks for the next step at once after watching its whole budget, then records the reply', async () => {
    const { user, input } = await longRun({ kind: 'slow', pollsUntilDone: 3, text: 'Dim the lights early.' });
    const first = await step(input, 200);
    expect(first).toMatchObject({ state: 'pending', outcome: 'waiting', wait_seconds: 0 });
    let out = first;
    for (let i = 0; i < 5 && out.state === 'pending'; i++)
      out = await step({ ...input, attempt: out.attempt }, 200);
    expect(out).toMatchObject({ state: 'done', outcome: 'completed' });
    expect(await countRows(db.pool, 'public.journal_ai_chats', user.id)).toBe(2);
  });

  it('leaves a response the stream cannot show to the retrieve: failed, the fallback stored', async () => {
    const { user, input } = await longRun({ kind: 'slow', pollsUntilDone: 1_000 });
    // The run row names the response the poller reads: one OpenAI does not have.
    await db.pool.query(`update public.chat_runs set openai_response_id = $2 where id = $1`, [
      input.run_id,
      'resp_unknown0000000000000000000000000000',
    ]);
    const out = await step(input, 200);
    expect(out).toMatchObject({ state: 'done', outcome: 'failed' });
    const { rows } = await db.pool.query(`select status, failure_code from public.chat_runs where id = $1`, [
      input.run_id,
    ]);
    expect(rows).toEqual([{ status: 'failed', failure_code: 'bad_request' }]);
    expect(await countRows(db.pool, 'public.journal_ai_chats', user.id)).toBe(2);
  });
});

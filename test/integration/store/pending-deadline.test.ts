/**
 * A long run whose poller died (its whole execution failed or was stopped) must not stay
 * `pending` forever: past the deadline it reads as timed out, and the same message can be
 * answered again instead of getting 409 for ever.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sqlStore, type CoachStore } from '../../../local/runtime';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { turnInput } from '../../support/turns';
import { insertUser } from '../../support/users';

let db: TestDatabase;
let store: CoachStore;

beforeAll(async () => {
  db = await createTestDatabase();
  store = sqlStore(db.pool);
});
afterAll(() => db?.drop());

const prepare = (userId: string, key: string) =>
  store.prepareTurn(turnInput(userId, key, { message: 'A long question' }));

async function pendingRun(userId: string, key: string): Promise<string> {
  const prepared = await prepare(userId, key);
  if (prepared.kind !== 'claimed') throw new Error(`expected a claim, got ${prepared.kind}`);
  await store.beginPendingRun({
    run_id: prepared.run_id,
    user_id: userId,
    thread_id: 'conv_deadline_test',
    openai_response_id: 'resp_deadline_test',
  });
  return prepared.run_id;
}

describe('a pending long run', () => {
  it('reads as pending, and blocks a retry, while its poller may still be working', async () => {
    const user = await insertUser(db.pool);
    const key = randomUUID();
    const runId = await pendingRun(user.id, key);

    const state = await store.getRun({ run_id: runId, user_id: user.id });
    const retry = await prepare(user.id, key);

    expect(state?.status).toBe('pending');
    expect(retry).toMatchObject({ kind: 'in_flight', run_id: runId, status: 'pending' });
  });

  it('reads as timed out past the deadline, and the same message can then be answered again', async () => {
    const user = await insertUser(db.pool);
    const key = randomUUID();
    const runId = await pendingRun(user.id, key);
    await db.pool.query(
      `update public.chat_runs set updated_at = now() - interval '25 minutes' where id = $1`,
      [runId],
    );

    const state = await store.getRun({ run_id: runId, user_id: user.id });
    const retry = await prepare(user.id, key);

    expect(state).toMatchObject({ status: 'failed', code: 'timed_out', reply: null });
    expect(retry).toMatchObject({ kind: 'claimed', run_id: runId });
    const { rows } = await db.pool.query(
      `select count(*)::int as n from public.journal_ai_chats where user_id = $1 and message_type = 'user'`,
      [user.id],
    );
    expect(rows[0].n).toBe(1);
  });
});

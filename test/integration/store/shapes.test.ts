/**
 * The backend assumes only what the PRD shows of the app's tables. On three shapes that all
 * agree with the PRD (PRD-minimal, today's baseline, and one with extra NOT NULL columns,
 * update triggers, timestamptz and no profile name), `migrate --check` reports what it
 * found, `npm run migrate` applies everything, and a chat turn runs through the store with
 * the right name (or none), the latest rating per pillar in the pillars' order and the
 * active goals with their pillar names.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { DEMO_GOAL_IDS, DEMO_USER_ID, MIGRATIONS_DIR, readMigrations } from '../../../db/index';
import { openLocalDatabase } from '../../../local/database';
import type { PrepareTurnInput, PreparedTurn } from '../../../lambdas/chat/ports';
import { sqlStore, type CoachStore } from '../../../local/runtime';
import type { TestDatabase } from '../../support/database';
import { migrateCli, type CliResult } from '../../support/migrate-cli';
import { createShapeDatabase, EXTENDED, WORKING_SHAPES } from '../../support/shapes';
import { OPENAI_ANSWER, turnInput } from '../../support/turns';

const MESSAGE = 'How do I keep going when I feel flat?';

describe.each(WORKING_SHAPES)('the $name shape', (shape) => {
  let db: TestDatabase;
  let store: CoachStore;
  let check: CliResult;
  let migrate: CliResult;

  const turn = (extra: Partial<PrepareTurnInput> = {}): PrepareTurnInput =>
    turnInput(shape.user.id, `shape-${Math.random().toString(36).slice(2)}`, {
      goal_id: shape.user.goalId,
      message: MESSAGE,
      ...extra,
    });
  const claimed = async (input: PrepareTurnInput): Promise<Extract<PreparedTurn, { kind: 'claimed' }>> => {
    const prepared = await store.prepareTurn(input);
    if (prepared.kind !== 'claimed') throw new Error(`expected a claim, got ${prepared.kind}`);
    return prepared;
  };

  beforeAll(async () => {
    db = await createShapeDatabase(shape);
    check = await migrateCli(db.url, ['--check']);
    migrate = await migrateCli(db.url);
    store = sqlStore(db.pool);
  });
  afterAll(async () => {
    await db?.drop();
  });

  test('migrate --check passes and reports what it found', () => {
    expect(check.code).toBe(0);
    for (const line of shape.checkLines) expect(check.stdout).toContain(line);
  });

  test('npm run migrate applies every migration', async () => {
    const files = await readMigrations(MIGRATIONS_DIR);

    expect(migrate.code).toBe(0);
    expect(migrate.stdout.split('\n').filter((l) => l.startsWith('applied '))).toEqual(
      files.map((f) => `applied ${f.fileName}`),
    );
  });

  test('prepare gives the context: the name, the latest rating per pillar in order, active goals with pillar names', async () => {
    // Read before the claim, which stores the user's message (a theme of the next context).
    const contextData = await store.getContextData({
      user_id: shape.user.id,
      goal_id: shape.user.goalId,
      recent_limit: 5,
    });
    const prepared = await claimed(turn());
    // Nothing is answered here: let the next test's turn have the thread.
    await store.releaseTurn({ run_id: prepared.run_id, user_id: shape.user.id });

    expect(prepared.context).toEqual({
      ...shape.user.context,
      goal: shape.user.context.goals.find((g) => g.id === shape.user.goalId),
      recent_messages: expect.any(Array),
    });
    expect(prepared.context.recent_messages[0]).toEqual(shape.user.latestMessage);
    expect(contextData).toEqual(prepared.context);
  });

  test('a chat turn is recorded: both rows, the thread on the conversation, the usage', async () => {
    const input = turn();
    const prepared = await claimed(input);

    const reply = await store.recordExchange({
      run_id: prepared.run_id,
      user_id: input.user_id,
      thread_id: 'conv_shape_test',
      answer: OPENAI_ANSWER,
    });

    expect(reply).toMatchObject({
      response: OPENAI_ANSWER.response,
      thread_id: 'conv_shape_test',
      tokens_used: 1280,
    });
    const rows = await db.pool.query(
      `select message_type, message, response, goal_id from public.journal_ai_chats where run_id = $1 order by message_type desc`,
      [prepared.run_id],
    );
    expect(rows.rows).toEqual([
      { message_type: 'user', message: MESSAGE, response: null, goal_id: shape.user.goalId },
      {
        message_type: 'ai',
        message: OPENAI_ANSWER.response,
        response: OPENAI_ANSWER.response,
        goal_id: shape.user.goalId,
      },
    ]);
    const threads = await db.pool.query(
      `select thread_id from public.user_assistant_threads where user_id = $1 and assistant_type = 'general_coach'`,
      [shape.user.id],
    );
    expect(threads.rows).toEqual([{ thread_id: 'conv_shape_test' }]);
    const usage = await db.pool.query(`select total_tokens from public.openai_usage_logs where run_id = $1`, [
      prepared.run_id,
    ]);
    expect(usage.rows).toEqual([{ total_tokens: 1280 }]);

    const context = await store.getContextData({ user_id: shape.user.id, goal_id: null, recent_limit: 5 });
    expect(context.recent_messages[0]).toMatchObject({ message: MESSAGE, chat_type: 'general' });
    expect(Date.parse(context.recent_messages[0]?.created_at ?? '')).toBeGreaterThan(
      Date.parse(shape.user.latestMessage.created_at),
    );
  });

  test('local mode on this database (npm start with DATABASE_URL) seeds the demo user, once', async () => {
    for (let run = 0; run < 2; run += 1) {
      const local = await openLocalDatabase({ databaseUrl: db.url });
      try {
        const context = await local.store.getContextData({
          user_id: DEMO_USER_ID,
          goal_id: null,
          recent_limit: 5,
        });

        expect(context.display_name).toBe('Sam');
        expect(context.ratings.map((r) => r.rating)).toEqual([63, 68, 72, 55]);
        expect(context.goals.map((g) => [g.id, g.pillar_display_name])).toEqual([
          [DEMO_GOAL_IDS.morningStretch, 'Health'],
          [DEMO_GOAL_IDS.screenFreeDinners, 'Connection'],
        ]);
      } finally {
        await local.close();
      }
    }
    const counts = await db.pool.query(
      `select (select count(*)::int from public.pillar_ratings where user_id = $1) as ratings,
              (select count(*)::int from public.user_goals where user_id = $1) as goals`,
      [DEMO_USER_ID],
    );
    expect(counts.rows).toEqual([{ ratings: 8, goals: 2 }]);
  });

  test('a user with no name anywhere gets null, never an invented one', async () => {
    const context = await store.getContextData({
      user_id: shape.namelessUserId,
      goal_id: null,
      recent_limit: 5,
    });

    expect(context.display_name).toBeNull();
  });
});

describe('the extended shape keeps its own columns and triggers working', () => {
  let db: TestDatabase;
  let store: CoachStore;

  beforeAll(async () => {
    db = await createShapeDatabase(EXTENDED);
    expect((await migrateCli(db.url)).code).toBe(0);
    store = sqlStore(db.pool);
  });
  afterAll(async () => {
    await db?.drop();
  });

  test('new chat rows take the defaults of the extra NOT NULL columns', async () => {
    const prepared = await store.prepareTurn(
      turnInput(EXTENDED.user.id, 'extended-defaults-1', {
        assistant_type: 'pillar_coach',
        profile_ref: 'pillar_coach@1',
        chat_type: 'pillar_health',
        message: MESSAGE,
      }),
    );
    if (prepared.kind !== 'claimed') throw new Error(prepared.kind);

    await store.recordExchange({
      run_id: prepared.run_id,
      user_id: EXTENDED.user.id,
      thread_id: 'conv_extended',
      answer: OPENAI_ANSWER,
    });

    const rows = await db.pool.query(
      `select app_version, is_deleted, updated_at is not null as has_updated_at from public.journal_ai_chats where run_id = $1`,
      [prepared.run_id],
    );
    expect(rows.rows).toEqual([
      { app_version: 'ios-2.4.0', is_deleted: false, has_updated_at: true },
      { app_version: 'ios-2.4.0', is_deleted: false, has_updated_at: true },
    ]);
    const thread = await db.pool.query(
      `select platform from public.user_assistant_threads where user_id = $1 and assistant_type = 'pillar_coach'`,
      [EXTENDED.user.id],
    );
    expect(thread.rows).toEqual([{ platform: 'ios' }]);
  });

  test("touching a thread runs the table's updated_at trigger under the backend's empty search_path", async () => {
    await db.pool.query(
      `update public.user_assistant_threads set updated_at = '2026-01-01 00:00:00+00'
        where user_id = $1 and assistant_type = 'general_coach'`,
      [EXTENDED.user.id],
    );
    // Make the trigger's own effect visible: it stamps a marker the backend never writes.
    await db.pool.query(`
      create or replace function public.set_updated_at() returns trigger language plpgsql as $$
      begin
        new.updated_at := now();
        new.platform := 'touched-by-trigger';
        return new;
      end $$`);

    const thread = await store.touchThread({ user_id: EXTENDED.user.id, thread_id: 'thread_local_ext_kai' });

    expect(thread.thread_id).toBe('thread_local_ext_kai');
    const row = await db.pool.query(
      `select platform, updated_at > '2026-01-01 00:00:00+00' as updated from public.user_assistant_threads
        where user_id = $1 and assistant_type = 'general_coach'`,
      [EXTENDED.user.id],
    );
    expect(row.rows).toEqual([{ platform: 'touched-by-trigger', updated: true }]);
  });
});

import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyMigrations, FIXTURE_COUNTS, FIXTURE_USERS, MIGRATIONS_DIR, pgExecutor, readMigrations } from '../../../db/index';
import { createTestDatabase, type TestDatabase } from '../../support/database';

const carol = FIXTURE_USERS.carol;
/** The last migration before the merge: the thread and chat columns exist, duplicates too. */
const BEFORE_MERGE = '20261124100100';

async function migrate(db: TestDatabase, dir: string): Promise<string[]> {
  const client = await db.pool.connect();
  try {
    return await applyMigrations(pgExecutor(client), dir);
  } finally {
    client.release();
  }
}

/** A directory holding only the migrations up to and including `version`. */
async function migrationsUpTo(version: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mivia-partial-'));
  for (const file of await readMigrations(MIGRATIONS_DIR)) {
    if (file.version <= version) await copyFile(file.path, path.join(dir, file.fileName));
  }
  return dir;
}

describe('merging duplicate threads', () => {
  let db: TestDatabase;
  let partial: string;

  beforeEach(async () => {
    db = await createTestDatabase({ template: 'baseline' });
    partial = await migrationsUpTo(BEFORE_MERGE);
    await migrate(db, partial);
  });
  afterEach(async () => {
    await db.drop();
    await rm(partial, { recursive: true, force: true });
  });

  test("the existing duplicate keeps the latest thread and the older one's id as a legacy id", async () => {
    await migrate(db, MIGRATIONS_DIR);

    const { rows } = await db.pool.query(
      `select id, thread_id, legacy_thread_ids, created_at, last_interaction_at
         from public.user_assistant_threads where user_id = $1 and assistant_type = 'general_coach'`,
      [carol.id],
    );
    expect(rows).toEqual([
      {
        id: carol.threads.generalNewer.id,
        thread_id: carol.threads.generalNewer.threadId,
        legacy_thread_ids: [carol.threads.generalOlder.threadId],
        // The merged thread spans both: the older one's start, the newer one's last interaction.
        created_at: new Date('2026-09-10T08:00:00'),
        last_interaction_at: new Date('2026-11-18T18:00:02'),
      },
    ]);
  });

  test('leaves exactly one thread per user and assistant type, and every message in place', async () => {
    await migrate(db, MIGRATIONS_DIR);

    const duplicates = await db.pool.query(
      'select user_id, assistant_type from public.user_assistant_threads group by 1, 2 having count(*) > 1',
    );
    expect(duplicates.rows).toEqual([]);
    const chats = await db.pool.query<{ n: number }>('select count(*)::int as n from public.journal_ai_chats');
    expect(chats.rows[0]?.n).toBe(FIXTURE_COUNTS.journalAiChats);
    const carolsOther = await db.pool.query(
      "select id from public.user_assistant_threads where user_id = $1 and assistant_type = 'pillar_coach'",
      [carol.id],
    );
    expect(carolsOther.rows).toEqual([{ id: carol.threads.pillar.id }]);
  });

  test('sums token totals, prefers a conv_ thread, keeps every other id and repoints their chats', async () => {
    // Tokens recorded on both duplicates, a third duplicate already on an OpenAI
    // conversation but interacted with earliest, and chats naming the threads to be merged.
    await db.pool.query('update public.user_assistant_threads set total_tokens_used = 120, last_cost_estimate = 0.0012 where id = $1', [
      carol.threads.generalOlder.id,
    ]);
    await db.pool.query('update public.user_assistant_threads set total_tokens_used = 80, last_cost_estimate = 0.0008 where id = $1', [
      carol.threads.generalNewer.id,
    ]);
    const conv = await db.pool.query<{ id: string }>(
      `insert into public.user_assistant_threads
         (user_id, assistant_type, thread_id, created_at, last_interaction_at, total_tokens_used, openai_assistant_id, legacy_thread_ids)
       values ($1, 'general_coach', 'conv_68f1a2b3c4d5', '2026-09-01 00:00:00', '2026-09-01 00:00:05', 40, 'general_coach@3', '{thread_local_ancient}')
       returning id`,
      [carol.id],
    );
    await db.pool.query("update public.journal_ai_chats set openai_thread_id = $1 where id = '40000000-0000-4000-8000-000000000011'", [
      carol.threads.generalOlder.threadId,
    ]);
    await db.pool.query(
      "update public.journal_ai_chats set openai_thread_id = $1 where id in ('40000000-0000-4000-8000-000000000013', '40000000-0000-4000-8000-000000000014')",
      [carol.threads.generalNewer.threadId],
    );

    await migrate(db, MIGRATIONS_DIR);

    const { rows } = await db.pool.query(
      `select id, thread_id, legacy_thread_ids, total_tokens_used, last_cost_estimate::text as last_cost, openai_assistant_id
         from public.user_assistant_threads where user_id = $1 and assistant_type = 'general_coach'`,
      [carol.id],
    );
    expect(rows).toEqual([
      {
        id: conv.rows[0]?.id,
        thread_id: 'conv_68f1a2b3c4d5',
        legacy_thread_ids: ['thread_local_ancient', carol.threads.generalNewer.threadId, carol.threads.generalOlder.threadId],
        total_tokens_used: 240,
        // The cost of the most recent exchange, which happened on the newer local thread.
        last_cost: '0.000800',
        openai_assistant_id: 'general_coach@3',
      },
    ]);
    const repointed = await db.pool.query<{ openai_thread_id: string | null; n: number }>(
      `select openai_thread_id, count(*)::int as n from public.journal_ai_chats
        where user_id = $1 and openai_thread_id is not null group by 1`,
      [carol.id],
    );
    expect(repointed.rows).toEqual([{ openai_thread_id: 'conv_68f1a2b3c4d5', n: 3 }]);
  });

  test("does not touch another user's chats that happen to use the same local thread id", async () => {
    await db.pool.query("update public.journal_ai_chats set openai_thread_id = $1 where id = '40000000-0000-4000-8000-000000000009'", [
      carol.threads.generalOlder.threadId,
    ]);

    await migrate(db, MIGRATIONS_DIR);

    const bobs = await db.pool.query("select openai_thread_id from public.journal_ai_chats where id = '40000000-0000-4000-8000-000000000009'");
    expect(bobs.rows).toEqual([{ openai_thread_id: carol.threads.generalOlder.threadId }]);
  });

  test('a new duplicate cannot be inserted afterwards', async () => {
    await migrate(db, MIGRATIONS_DIR);

    await expect(
      db.pool.query("insert into public.user_assistant_threads (user_id, assistant_type, thread_id) values ($1, 'general_coach', 'x')", [
        carol.id,
      ]),
    ).rejects.toMatchObject({ code: '23505' });
  });
});

/**
 * The row fingerprint the property suites rely on for "a 4xx wrote nothing": it must see an
 * insert, an update and a delete in any table, and not a read.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { changedTables, rowFingerprinter, type RowFingerprinter } from '../../support/row-fingerprint';
import { insertUser } from '../../support/users';

let db: TestDatabase;
let prints: RowFingerprinter;
let userId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  userId = (await insertUser(db.pool)).id;
  prints = await rowFingerprinter(db.pool);
});

afterAll(async () => {
  await db?.drop();
});

async function changedBy(sql: string, params: readonly unknown[] = []): Promise<string[]> {
  const before = await prints.take();
  await db.pool.query(sql, [...params]);
  return changedTables(before, await prints.take()).map((line) => line.split(' ')[0] ?? line);
}

describe('the row fingerprint', () => {
  it("covers the app's tables, the backend's and auth.users", () => {
    expect(prints.tables).toEqual(
      expect.arrayContaining([
        'auth.users',
        'public.journal_ai_chats',
        'public.user_assistant_threads',
        'public.chat_runs',
        'public.openai_usage_logs',
        'public.chat_feedback',
      ]),
    );
  });

  it('sees an insert, an update and a delete', async () => {
    const insert = `insert into public.journal_ai_chats (user_id, message, message_type) values ($1, 'hi', 'user') returning id`;
    expect(await changedBy(insert, [userId])).toEqual(['public.journal_ai_chats']);
    expect(
      await changedBy(`update public.journal_ai_chats set message = 'hello' where user_id = $1`, [userId]),
    ).toEqual(['public.journal_ai_chats']);
    expect(await changedBy(`delete from public.journal_ai_chats where user_id = $1`, [userId])).toEqual([
      'public.journal_ai_chats',
    ]);
  });

  it('does not see a read', async () => {
    expect(await changedBy(`select * from public.journal_ai_chats where user_id = $1`, [userId])).toEqual([]);
  });
});

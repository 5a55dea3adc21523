import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { splitStatements } from '../../../db/index';
import { createTestDatabase, type TestDatabase } from '../../support/database';

describe('splitting a migration into statements as the Supabase CLI does', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ template: 'baseline' });
  });
  afterAll(async () => {
    await db.drop();
  });

  test('semicolons inside quotes, dollar quotes, comments and parentheses do not split', () => {
    const sql = [
      "-- header; still the first statement's comment",
      "select 'a;b', 'it''s; fine', \"odd;name\" from (select 1 as \"odd;name\") t;",
      '/* block; /* nested; */ still; */ select 2;',
      'do $body$ begin perform 1; perform 2; end $body$;',
      'create function f() returns int language sql as $$ select 1; $$;;',
      '  ',
    ].join('\n');

    expect(splitStatements(sql)).toEqual([
      "-- header; still the first statement's comment\nselect 'a;b', 'it''s; fine', \"odd;name\" from (select 1 as \"odd;name\") t",
      '/* block; /* nested; */ still; */ select 2',
      'do $body$ begin perform 1; perform 2; end $body$',
      'create function f() returns int language sql as $$ select 1; $$',
    ]);
  });

  test('a BEGIN ATOMIC function body stays one statement and runs as one', async () => {
    const sql = `create function public.split_probe() returns int language sql
begin atomic
  select 1;
  select 2;
end;
select public.split_probe() as value;`;

    const statements = splitStatements(sql);
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      const results = [];
      for (const statement of statements) results.push(await client.query(statement));
      await client.query('rollback');
      expect(statements).toHaveLength(2);
      expect(results[1]?.rows).toEqual([{ value: 2 }]);
    } finally {
      client.release();
    }
  });
});

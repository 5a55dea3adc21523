import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MIGRATIONS_DIR, readMigrations } from '../../../db/index';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { migrateCli } from '../../support/migrate-cli';

describe('npm run migrate', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ template: 'baseline' });
  });
  afterAll(async () => {
    await db.drop();
  });

  test('refuses to run without DATABASE_URL and says so', async () => {
    const result = await migrateCli(undefined);

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('DATABASE_URL is not set');
  });

  test('applies every pending file and names each one', async () => {
    const result = await migrateCli(db.url);

    expect(result).toMatchObject({ code: 0 });
    const files = await readMigrations(MIGRATIONS_DIR);
    expect(result.stdout.split('\n').filter((l) => l.startsWith('applied '))).toEqual(files.map((f) => `applied ${f.fileName}`));
  });

  test('says "up to date" when nothing is pending, after the preflight passed', async () => {
    const result = await migrateCli(db.url);

    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      'preflight: ok (0 pending; `npm run migrate -- --check` shows the details)',
      'up to date',
    ]);
  });

  test('exits 1 with the error when the database cannot be reached', async () => {
    const result = await migrateCli('postgres://nobody:nothing@127.0.0.1:1/none');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ECONNREFUSED');
  });
});

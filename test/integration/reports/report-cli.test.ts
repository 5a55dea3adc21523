/**
 * `npm run report` (scripts/report.ts) as a developer runs it: against DATABASE_URL and against
 * the local API's PGlite folder, as tables and as JSON, and its refusals of a bad command line.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openLocalDatabase } from '../../../local/database';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { insertUser } from '../../support/users';
import { insertReply, insertSafetyEvent } from './fixtures';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function report(args: readonly string[], env: Record<string, string>): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.NODE_OPTIONS;
  if (!env.DATABASE_URL) delete childEnv.DATABASE_URL;
  if (!env.LOCAL_PGLITE_DIR) delete childEnv.LOCAL_PGLITE_DIR;
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/report.ts', ...args],
      { cwd: ROOT, env: childEnv },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** An hour ago, as journal_ai_chats (timestamp, UTC) and a timestamptz take it: within the last 7 days. */
function anHourAgo(): { naive: string; utc: string } {
  const iso = new Date(Date.now() - 3_600_000).toISOString();
  return { naive: iso.slice(0, 19).replace('T', ' '), utc: iso };
}

describe('npm run report', () => {
  let db: TestDatabase;
  let userId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    userId = (await insertUser(db.pool, 'Rita')).id;
    const at = anHourAgo();
    await insertReply(db.pool, {
      user: userId,
      at: at.naive,
      variant: 'openai',
      ms: 1200,
      cohort: '12',
      rating: 'up',
      usage: { tokens: 500, cost: '0.0123', at: at.utc },
    });
    await insertReply(db.pool, { user: userId, at: at.naive, variant: 'simulated', ms: 80, cohort: '88' });
    await insertSafetyEvent(db.pool, {
      source: 'user_message',
      category: 'self-harm',
      action: 'crisis_reply',
      at: at.utc,
      run: null,
    });
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('prints the last 7 days of DATABASE_URL as four tables', async () => {
    const run = await report(['--days', '7'], { DATABASE_URL: db.url });

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^MiVia coach report, \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} \(UTC days\)/);
    for (const title of [
      'Replies per day and variant',
      'per day, variant and cohort',
      'OpenAI usage',
      'Safety events',
    ])
      expect(run.stdout).toContain(title);
    const lines = run.stdout.split('\n');
    const openai = lines.find((l) => / openai +1 +1200 +1200 +0\.0% +1 +100\.0% +500 +0\.012300$/.test(l));
    const simulated = lines.find((l) => / simulated +1 +80 +80 +0\.0% +0 +- +0 +0\.000000$/.test(l));
    const cohort = lines.find((l) => / openai +12 +1 +1200 /.test(l));
    const user = lines.find((l) => l.includes(userId));
    const safety = lines.find((l) => / user_message +self-harm +crisis_reply +1$/.test(l));

    expect([openai, simulated, cohort, safety]).toEqual([
      expect.any(String),
      expect.any(String),
      expect.any(String),
      expect.any(String),
    ]);
    expect(user).toMatch(/ 1 +500 +0\.012300$/);
  });

  it('prints --json that parses to the reports of the range asked for', async () => {
    const run = await report(['--from', '2020-01-01', '--to', '2020-01-31', '--json'], {
      DATABASE_URL: db.url,
    });

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      from: '2020-01-01',
      to: '2020-01-31',
      variants: [],
      cohorts: [],
      users: [],
      safety: [],
    });
  });

  it('gives --json rows as the functions return them', async () => {
    const run = await report(['--days', '7', '--json'], { DATABASE_URL: db.url });
    const parsed = JSON.parse(run.stdout) as { variants: unknown[]; users: unknown[] };

    expect(parsed.variants).toEqual([
      expect.objectContaining({
        variant: 'openai',
        messages: 1,
        p90_response_ms: 1200,
        tokens: 500,
        cost_usd: 0.0123,
      }),
      expect.objectContaining({ variant: 'simulated', messages: 1, thumbs_up_rate: null }),
    ]);
    expect(parsed.users).toEqual([expect.objectContaining({ user_id: userId, responses: 1, tokens: 500 })]);
  });

  it.each([
    [['--days', '0'], '--days takes a whole number of days from 1 to 366'],
    [['--days', 'seven'], '--days takes a whole number of days from 1 to 366'],
    [['--from', '2025-06-11'], '--from and --to take days as YYYY-MM-DD (UTC), both'],
    [['--from', '2025-06-11', '--to', '2025-06-10'], 'to is before from.'],
    [['--weeks', '1'], "Unknown option '--weeks'"],
  ])('refuses %j with exit code 2 and says why', async (args, message) => {
    const run = await report(args, { DATABASE_URL: db.url });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('usage: npm run report');
    expect(run.stdout).toBe('');
  });

  it('says how to get a database when it has none', async () => {
    const run = await report(['--days', '7'], {});

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('LOCAL_PGLITE_DIR=.tmp/pglite npm start');
  });

  it("reports on the local API's PGlite folder (LOCAL_PGLITE_DIR) once the API has stopped", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mivia-report-pglite-'));
    try {
      const local = await openLocalDatabase({ pgliteDir: dir });
      const at = anHourAgo();
      await local.query(
        `insert into public.chat_runs (id, user_id, client_message_id, status, assistant_type, cohort)
         values ('5e000000-0000-4000-8000-000000000001', $1, 'c1', 'completed', 'general_coach', '3')`,
        [local.demoUserId],
      );
      await local.query(
        `insert into public.journal_ai_chats (id, user_id, message, response, message_type, created_at, variant, response_time_ms, run_id)
         values ('5e000000-0000-4000-8000-000000000002', $1, 'hi', 'hello', 'ai', $2, 'simulated', 77, '5e000000-0000-4000-8000-000000000001')`,
        [local.demoUserId, at.naive],
      );
      await local.query(
        `update public.chat_runs set ai_message_id = '5e000000-0000-4000-8000-000000000002'
         where id = '5e000000-0000-4000-8000-000000000001'`,
      );
      await local.close();

      const run = await report(['--days', '7', '--json'], { LOCAL_PGLITE_DIR: dir });

      expect(run.code).toBe(0);
      expect((JSON.parse(run.stdout) as { cohorts: unknown[] }).cohorts).toEqual([
        expect.objectContaining({ variant: 'simulated', cohort: '3', messages: 1, avg_response_ms: 77 }),
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

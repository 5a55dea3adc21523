/**
 * `npm run migrate`: checks `DATABASE_URL` first (the preflight, db/preflight.ts, in a
 * read-only transaction) and refuses, changing nothing, when the database cannot take the
 * migrations; then applies the pending files of `migrations/`, each in its own transaction
 * with its Supabase CLI history row (`supabase_migrations.schema_migrations`), so this and
 * `supabase db push` can be used on the same database. On a failing file, that file is
 * rolled back, the error is printed and the exit code is 1.
 *
 * `npm run migrate -- --check`: the preflight only, on a session that cannot write
 * (`default_transaction_read_only`, besides the preflight's own read-only transaction): what it found, the discovered mapping, what each pending
 * file will do, and exit code 1 when the database cannot take them.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import {
  applyMigrations,
  formatPreflight,
  MigrationError,
  MIGRATIONS_DIR,
  pgExecutor,
  runPreflight,
} from '../db/index';

/** The database as the report names it: user, host, port and database, never the password. */
function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return '(DATABASE_URL)';
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error(
      'migrate: DATABASE_URL is not set (e.g. postgresql://postgres:…@db.<project>.supabase.co:5432/postgres)',
    );
    return 2;
  }
  const client = new pg.Client({
    connectionString: url,
    application_name: values.check ? 'mivia-migrate-check' : 'mivia-migrate',
  });
  try {
    await client.connect();
    // A plain SET rather than a startup option, which some poolers refuse.
    if (values.check) await client.query('set default_transaction_read_only = on');
    const executor = pgExecutor(client);
    const report = await runPreflight(executor, MIGRATIONS_DIR);
    if (values.check) {
      process.stdout.write(formatPreflight(report, describeTarget(url)));
      return report.ok ? 0 : 1;
    }
    if (!report.ok) {
      process.stderr.write(formatPreflight(report, describeTarget(url)));
      console.error('migrate: refused; nothing was applied.');
      return 1;
    }
    console.log(
      `preflight: ok (${report.pending.length} pending; \`npm run migrate -- --check\` shows the details)`,
    );
    const applied = await applyMigrations(executor, MIGRATIONS_DIR, {
      onApplied: (file) => console.log(`applied ${file.fileName}`),
    });
    console.log(applied.length === 0 ? 'up to date' : `${applied.length} migration(s) applied`);
    return 0;
  } catch (error) {
    if (error instanceof MigrationError) {
      console.error(`migrate: ${error.file} failed and was rolled back; nothing of it was applied.`);
      if (error.statementIndex !== null)
        console.error(`statement ${error.statementIndex + 1}:\n${error.statement ?? ''}`);
      console.error(`postgres: ${error.postgresMessage}`);
    } else {
      console.error(`migrate: ${error instanceof Error ? error.message : String(error)}`);
    }
    return 1;
  } finally {
    await client.end().catch(() => undefined);
  }
}

process.exitCode = await main();

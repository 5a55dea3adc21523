/**
 * `npm run migrate`: applies the pending files of `migrations/` to `DATABASE_URL`, each in
 * its own transaction with its Supabase CLI history row (`supabase_migrations.schema_migrations`),
 * so this and `supabase db push` can be used on the same database. On a failing file, that
 * file is rolled back, the error is printed and the exit code is 1.
 */
import pg from 'pg';
import { applyMigrations, MigrationError, MIGRATIONS_DIR, pgExecutor } from '../db/index';

async function main(): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error(
      'migrate: DATABASE_URL is not set (e.g. postgresql://postgres:…@db.<project>.supabase.co:5432/postgres)',
    );
    return 2;
  }
  const client = new pg.Client({ connectionString: url, application_name: 'mivia-migrate' });
  try {
    await client.connect();
    const applied = await applyMigrations(pgExecutor(client), MIGRATIONS_DIR, {
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

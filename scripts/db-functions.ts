/**
 * `npm run db:functions`: writes a new migration with the functions of `db/functions/` whose
 * text differs from their latest definition in `migrations/` (db/function-migration.ts).
 *   -- --check      change nothing; exit 1 and name the stale functions if a migration is due
 *   -- --name NAME  the migration's name (default coach_functions)
 *   -- --drop-all   one time only: drop every public coach function first, then create all
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  isEmptyPlan,
  latestDefinitions,
  MIGRATIONS_DIR,
  nextVersion,
  planFunctionMigration,
  readFunctionSources,
  readMigrations,
  renderFunctionMigration,
  signature,
} from '../db/index';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      'drop-all': { type: 'boolean', default: false },
      name: { type: 'string', default: 'coach_functions' },
    },
  });
  if (!/^[a-z0-9_]+$/.test(values.name)) {
    console.error('db:functions: --name takes lower-case letters, digits and underscores');
    return 2;
  }
  const migrations = await readMigrations(MIGRATIONS_DIR);
  const plan = planFunctionMigration(await readFunctionSources(), latestDefinitions(migrations), {
    dropAll: values['drop-all'],
  });
  if (isEmptyPlan(plan)) {
    console.log('db:functions: migrations/ is up to date with db/functions/');
    return 0;
  }
  const changes = [
    ...plan.changed.map((f) => `  ${f.fileName}: ${signature(f)}`),
    ...plan.dropped.map((d) => `  drop ${signature(d)}`),
  ];
  if (values.check) {
    console.error(
      `db:functions: migrations/ is stale; run \`npm run db:functions\` to generate a migration for:\n${changes.join('\n')}`,
    );
    return 1;
  }
  const version = nextVersion(migrations.at(-1)?.version, new Date());
  const file = path.join(MIGRATIONS_DIR, `${version}_${values.name}.sql`);
  await writeFile(file, renderFunctionMigration(plan), { flag: 'wx' });
  console.log(`db:functions: wrote ${path.relative(process.cwd(), file)}\n${changes.join('\n')}`);
  return 0;
}

process.exitCode = await main();

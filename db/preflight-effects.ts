/**
 * What a pending migration file will do to this database, told from its statements and the
 * database as it is now (read-only queries only): columns and indexes to add and on how many
 * rows, tables to create, duplicate threads to merge, functions and privileges to set, the
 * adapter views to build.
 */
import type { SqlExecutor } from './executor';
import { DROP_ALL_PUBLIC_COACH_FUNCTIONS, withoutLeadingComments } from './function-sources';
import type { MigrationFile } from './migrations';
import type { DatabaseShape } from './shape';

/** Read-only lookups on the database, cached per preflight. */
export class CatalogProbe {
  private readonly counts = new Map<string, Promise<number | null>>();

  constructor(private readonly executor: SqlExecutor) {}

  async one<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    const rows = await this.executor.query<{ v: T }>(sql, params);
    return rows[0]?.v;
  }

  /** Exact row count, or null when the relation does not exist. */
  rows(relation: string): Promise<number | null> {
    let count = this.counts.get(relation);
    if (!count) {
      count = this.one<string | null>('select pg_catalog.to_regclass($1)::text as v', [relation]).then(
        async (regclass) =>
          regclass
            ? Number(await this.one<string>(`select pg_catalog.count(*)::text as v from ${regclass}`))
            : null,
      );
      this.counts.set(relation, count);
    }
    return count;
  }

  async exists(relation: string): Promise<boolean> {
    return (
      (await this.one<boolean>('select pg_catalog.to_regclass($1) is not null as v', [relation])) ?? false
    );
  }

  async hasColumn(relation: string, column: string): Promise<boolean> {
    return (
      (await this.one<boolean>(
        `select exists (select 1 from pg_catalog.pg_attribute
           where attrelid = pg_catalog.to_regclass($1) and attname = $2 and attnum > 0 and not attisdropped) as v`,
        [relation, column],
      )) ?? false
    );
  }
}

const rowsText = (n: number | null): string => (n === null ? 'a new table' : `${n} row${n === 1 ? '' : 's'}`);
const schemaOf = (relation: string): string => (relation.includes('.') ? relation.split('.')[0]! : 'public');

const IDENT = '([a-z_][a-z0-9_.]*)';
const ALTER_TABLE = new RegExp(`^alter table (?:only )?(?:if exists )?${IDENT}`);
const CREATE_INDEX = new RegExp(
  `^create (unique )?index (?:concurrently )?(?:if not exists )?${IDENT} on (?:only )?${IDENT}`,
);
const CREATE_TABLE = new RegExp(`^create table (?:if not exists )?${IDENT}`);
const CREATE_SCHEMA = new RegExp(`^create schema (?:if not exists )?${IDENT}`);
const LOCK_TABLE = new RegExp(`^lock table ${IDENT}`);

async function describeStatement(
  statement: string,
  probe: CatalogProbe,
  shape: DatabaseShape,
): Promise<string[]> {
  const body = withoutLeadingComments(statement);
  const sql = body.replace(/\s+/g, ' ').toLowerCase();
  let m: RegExpExecArray | null;
  if ((m = ALTER_TABLE.exec(sql))) {
    const table = m[1]!;
    const lines: string[] = [];
    for (const [, column] of sql.matchAll(/add column (?:if not exists )?([a-z_][a-z0-9_]*)/g)) {
      lines.push(
        (await probe.hasColumn(table, column!))
          ? `column ${table}.${column} exists: kept as it is`
          : `add column ${table}.${column} (${rowsText(await probe.rows(table))})`,
      );
    }
    if (sql.includes('enable row level security')) lines.push(`enable row level security on ${table}`);
    return lines.length > 0 ? lines : [`alter table ${table}`];
  }
  if ((m = CREATE_INDEX.exec(sql))) {
    const [, unique, index, table] = m as unknown as [string, string | undefined, string, string];
    return (await probe.exists(`${schemaOf(table)}.${index}`))
      ? [`index ${index} exists: kept`]
      : [
          `create ${unique ?? ''}index ${index} on ${table} (${rowsText(await probe.rows(table))}; writes to it wait while it builds)`,
        ];
  }
  if ((m = CREATE_TABLE.exec(sql))) {
    return [(await probe.exists(m[1]!)) ? `table ${m[1]} exists: kept` : `create table ${m[1]}`];
  }
  if ((m = CREATE_SCHEMA.exec(sql))) {
    const present = await probe.one<boolean>(
      'select exists (select 1 from pg_catalog.pg_namespace where nspname = $1) as v',
      [m[1]],
    );
    return [present ? `schema ${m[1]} exists: kept` : `create schema ${m[1]}`];
  }
  if ((m = LOCK_TABLE.exec(sql))) {
    return [`lock ${m[1]} against writes until the file commits (${rowsText(await probe.rows(m[1]!))})`];
  }
  if (body === withoutLeadingComments(DROP_ALL_PUBLIC_COACH_FUNCTIONS)) {
    const n = await probe.one<number>(
      `select pg_catalog.count(*)::int as v from pg_catalog.pg_proc p
        where p.pronamespace = 'public'::regnamespace and (p.proname like 'coach\\_%' or p.proname like '\\_coach\\_%')`,
    );
    return [
      n
        ? `drop the ${n} existing public coach functions, to create the whole set again below`
        : 'no public coach functions exist yet: nothing to drop',
    ];
  }
  if (
    sql.startsWith('do ') &&
    sql.includes('user_assistant_threads') &&
    sql.includes('having count(*) > 1')
  ) {
    return [await describeThreadMerge(probe)];
  }
  if (sql.startsWith('do ') && sql.includes('supabase_realtime')) {
    const state = await probe.one<string>(
      `select case
         when not exists (select 1 from pg_catalog.pg_publication where pubname = 'supabase_realtime') then 'none'
         when exists (select 1 from pg_catalog.pg_publication_tables where pubname = 'supabase_realtime'
                        and schemaname = 'public' and tablename = 'journal_ai_chats') then 'member'
         else 'add' end as v`,
    );
    return [
      state === 'add'
        ? 'add public.journal_ai_chats to the supabase_realtime publication'
        : state === 'member'
          ? 'public.journal_ai_chats is in supabase_realtime already: nothing to do'
          : 'no supabase_realtime publication here: nothing to do',
    ];
  }
  if (sql.startsWith('select coach_internal.refresh_adapter()')) {
    const lines = [
      'build the adapter views coach_internal.profile_names, pillars, ratings and goals from the mapping above',
    ];
    for (const index of shape.indexes) {
      lines.push(
        index.exists
          ? `${index.table} (${index.column}) is indexed already (${index.purpose})`
          : `create index ${index.name} on ${index.table} (${index.column}) (${rowsText(await probe.rows(index.table))}; ${index.purpose})`,
      );
    }
    return lines;
  }
  if (sql === 'select 1') return ['nothing (kept as a no-op for the migration history)'];
  if (sql.startsWith('do ')) return ['run a DO block'];
  return [`run: ${sql.slice(0, 80)}${sql.length > 80 ? '…' : ''}`];
}

async function describeThreadMerge(probe: CatalogProbe): Promise<string> {
  const table = 'public.user_assistant_threads';
  if (!(await probe.hasColumn(table, 'user_id')) || !(await probe.hasColumn(table, 'assistant_type'))) {
    return `merge duplicate threads per (user, assistant type): ${table} lacks the columns (see the problems)`;
  }
  const found = await probe.one<{ groups: number; extra: number }>(
    `select pg_catalog.jsonb_build_object('groups', pg_catalog.count(*), 'extra', coalesce(pg_catalog.sum(d.n - 1), 0)) as v
       from (select pg_catalog.count(*) as n from public.user_assistant_threads
             group by user_id, assistant_type having pg_catalog.count(*) > 1) as d`,
  );
  const { groups = 0, extra = 0 } = found ?? {};
  return groups === 0
    ? 'merge duplicate threads per (user, assistant type): none found, nothing to merge'
    : `merge duplicate threads: ${groups} (user, assistant type) group${groups === 1 ? '' : 's'}, ` +
        `${extra} row${extra === 1 ? '' : 's'} folded into the survivor (its thread ids kept as legacy ids), then the unique index`;
}

/** One line per effect of `file`; functions, privileges and policies are counted, not listed. */
export async function describeMigration(
  file: MigrationFile,
  probe: CatalogProbe,
  shape: DatabaseShape,
): Promise<string[]> {
  const lines: string[] = [];
  let created = 0;
  let replaced = 0;
  let privileges = 0;
  let policies = 0;
  let droppedAll = false;
  for (const statement of file.statements) {
    if (withoutLeadingComments(statement) === withoutLeadingComments(DROP_ALL_PUBLIC_COACH_FUNCTIONS))
      droppedAll = true;
    const sql = withoutLeadingComments(statement).replace(/\s+/g, ' ').toLowerCase();
    const fn = /^create (?:or replace )?function ([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\s*\(/.exec(sql);
    if (fn) {
      const exists = await probe.one<boolean>(
        `select exists (select 1 from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
           where n.nspname = $1 and p.proname = $2) as v`,
        [fn[1], fn[2]],
      );
      if (exists && !(droppedAll && fn[1] === 'public')) replaced += 1;
      else created += 1;
    } else if (/^(revoke|grant) /.test(sql)) privileges += 1;
    else if (/^(create|drop) policy /.test(sql)) policies += 1;
    else if (/^drop function /.test(sql)) lines.push(`run: ${sql}`);
    else lines.push(...(await describeStatement(statement, probe, shape)));
  }
  if (created + replaced > 0)
    lines.push(`create ${created} function(s), replace ${replaced} (execute for service_role only)`);
  if (privileges > 0) lines.push(`${privileges} grant/revoke statement(s)`);
  if (policies > 0) lines.push(`${policies} row-level security policy statement(s)`);
  return lines;
}

/**
 * Catalog queries the migration tests compare and assert on: a fingerprint of the schema
 * (and optionally of every row), the tables the migrations create, and a way to run a
 * statement as Supabase's `anon` or `authenticated` role with a user's JWT claims.
 * Works on any `SqlExecutor`, so the same fingerprint is taken on PostgreSQL and on PGlite.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { SqlExecutor } from '../../../db/index';

/** The tables the migrations create (docs/data-model.md, "New tables"). */
export const NEW_TABLES = ['chat_runs', 'openai_usage_logs', 'user_context_cache', 'chat_feedback', 'user_ai_settings'] as const;

const SCHEMAS = "('public', 'auth', 'supabase_migrations', 'coach_internal')";

/** One line per schema object: columns, constraints, indexes, RLS, policies, grants, functions. */
export async function schemaLines(db: SqlExecutor): Promise<string[]> {
  const queries = [
    `select format('column %s.%s.%s %s null=%s default=%s', table_schema, table_name, column_name,
                   coalesce(udt_name, data_type), is_nullable, coalesce(column_default, '-')) as line
       from information_schema.columns where table_schema in ${SCHEMAS}`,
    `select format('constraint %s %s %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) as line
       from pg_constraint c join pg_namespace n on n.oid = c.connamespace
      -- PostgreSQL 18 (PGlite) also lists NOT NULL as constraints; the columns carry it already.
      where n.nspname in ${SCHEMAS} and c.contype <> 'n'`,
    `select format('index %s', indexdef) as line from pg_indexes where schemaname in ${SCHEMAS}`,
    `select format('table %s rls=%s force=%s acl=%s', c.oid::regclass, c.relrowsecurity, c.relforcerowsecurity,
                   coalesce((select string_agg(a::text, ',' order by a::text) from unnest(c.relacl) a), '-')) as line
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname in ${SCHEMAS} and c.relkind in ('r', 'p')`,
    `select format('view %s md5=%s acl=%s', c.oid::regclass, md5(pg_get_viewdef(c.oid)),
                   coalesce((select string_agg(a::text, ',' order by a::text) from unnest(c.relacl) a), '-')) as line
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname in ${SCHEMAS} and c.relkind = 'v'`,
    `select format('schema %s acl=%s', n.nspname,
                   coalesce((select string_agg(a::text, ',' order by a::text) from unnest(n.nspacl) a), '-')) as line
       from pg_namespace n where n.nspname in ${SCHEMAS}`,
    `select format('policy %s.%s %s %s to=%s using=%s check=%s', schemaname, tablename, policyname, cmd,
                   array_to_string(roles, ','), coalesce(qual, '-'), coalesce(with_check, '-')) as line
       from pg_policies where schemaname in ${SCHEMAS}`,
    `select format('function %s(%s) config=%s acl=%s secdef=%s md5=%s', p.oid::regproc, pg_get_function_identity_arguments(p.oid),
                   coalesce(array_to_string(p.proconfig, ','), '-'),
                   coalesce((select string_agg(a::text, ',' order by a::text) from unnest(p.proacl) a), '-'),
                   p.prosecdef, md5(p.prosrc)) as line
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname in ${SCHEMAS}`,
    `select format('publication %s %s.%s', pubname, schemaname, tablename) as line from pg_publication_tables`,
    `select format('default-acl %s %s %s', d.defaclnamespace::regnamespace, d.defaclobjtype,
                   (select string_agg(a::text, ',' order by a::text) from unnest(d.defaclacl) a)) as line
       from pg_default_acl d`,
  ];
  const lines: string[] = [];
  for (const sql of queries) {
    const rows = await db.query<{ line: string }>(sql);
    lines.push(...rows.map((r) => r.line));
  }
  return lines.sort();
}

/** Every table's rows, hashed (order-independent), keyed by table. */
export async function dataDigests(db: SqlExecutor): Promise<Record<string, string>> {
  const tables = await db.query<{ name: string }>(
    `select format('%I.%I', n.nspname, c.relname) as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname in ${SCHEMAS} and c.relkind = 'r' order by 1`,
  );
  const digests: Record<string, string> = {};
  for (const { name } of tables) {
    const rows = await db.query<{ row: string }>(`select t::text as row from ${name} t`);
    const hash = createHash('sha256');
    for (const r of rows.map((x) => x.row).sort()) hash.update(`${r}\n`);
    digests[name] = `${rows.length}:${hash.digest('hex').slice(0, 16)}`;
  }
  return digests;
}

/** Schema and data together: equal fingerprints mean nothing observable changed. */
export async function fingerprint(db: SqlExecutor): Promise<{ schema: string[]; data: Record<string, string> }> {
  return { schema: await schemaLines(db), data: await dataDigests(db) };
}

export type Outcome<Row> = { ok: true; rows: Row[]; rowCount: number } | { ok: false; code: string; message: string };

/**
 * Runs one statement as `role` with the JWT claims PostgREST would set for `sub`, inside a
 * transaction that is always rolled back. Returns the rows, or the SQLSTATE of the refusal.
 */
export async function runAs<Row extends Record<string, unknown> = Record<string, unknown>>(
  pool: pg.Pool,
  role: 'anon' | 'authenticated',
  sub: string | null,
  sql: string,
  params: readonly unknown[] = [],
): Promise<Outcome<Row>> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`set local role ${role}`);
    const claims = sub === null ? { role } : { sub, role, aud: 'authenticated' };
    await client.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
    try {
      const result = await client.query<Row>(sql, [...params]);
      return { ok: true, rows: result.rows, rowCount: result.rowCount ?? 0 };
    } catch (error) {
      const e = error as { code?: string; message: string };
      return { ok: false, code: e.code ?? 'unknown', message: e.message };
    }
  } finally {
    await client.query('rollback');
    client.release();
  }
}

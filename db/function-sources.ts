/**
 * The backend's SQL functions as reviewable files: `db/functions/<name>.sql` holds one
 * `create or replace function` (with its header comment) for each `public.coach_*`,
 * `public._coach_*` and `coach_internal.*` function. Migrations are produced from them
 * (`npm run db:functions`, scripts/db-functions.ts): a new migration holds only the functions
 * whose text differs from their latest definition in `migrations/`, a `drop function` for a
 * changed signature or a removed file, and each function's privileges (execute for
 * service_role only). So changing one function is a diff of that function.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MigrationFile } from './migrations';
import { splitStatements } from './split-statements';

/** `db/functions/`. */
export const FUNCTIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'functions');

/** A function the files own: every `coach_*` / `_coach_*` in `public`, everything in `coach_internal`. */
export function isManagedFunction(qualifiedName: string): boolean {
  const [schema, name = ''] = qualifiedName.split('.');
  return schema === 'coach_internal' || (schema === 'public' && /^_?coach_/.test(name));
}

export interface FunctionHead {
  /** `schema.name`, lower case. */
  readonly qualifiedName: string;
  /** The argument types that identify it (what `drop function` and `grant` name). */
  readonly identityArgs: readonly string[];
}

export interface FunctionSource extends FunctionHead {
  readonly fileName: string;
  /** The file's one statement, comments included, without the final `;`. */
  readonly statement: string;
}

export interface FunctionDefinition extends FunctionHead {
  /** The statement as the latest migration that defines it has it. */
  readonly statement: string;
  readonly version: string;
}

/** The statement without its leading comments and white space. */
export function withoutLeadingComments(statement: string): string {
  let rest = statement;
  for (;;) {
    const trimmed = rest.trimStart();
    if (trimmed.startsWith('--')) rest = trimmed.slice(trimmed.indexOf('\n') + 1 || trimmed.length);
    else if (trimmed.startsWith('/*')) rest = trimmed.slice(trimmed.indexOf('*/') + 2);
    else return trimmed;
  }
}

/** The text between the parentheses that open at `open`. */
function parenthesized(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    if (text[i] === '(') depth += 1;
    else if (text[i] === ')' && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error(`unbalanced parentheses in: ${text.slice(0, 120)}`);
}

/** Splits on commas outside parentheses (`numeric(10, 6)` stays whole). */
function topLevelParts(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i += 1) {
    if (list[i] === '(') depth += 1;
    else if (list[i] === ')') depth -= 1;
    else if (list[i] === ',' && depth === 0) {
      parts.push(list.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(list.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/** The identity type of one declared argument; null for an `out` argument. */
function identityType(declaration: string): string | null {
  let words = declaration
    .replace(/\s+(default\b|=)[\s\S]*$/i, '')
    .split(/\s+/)
    .filter(Boolean);
  const mode = words[0]?.toLowerCase();
  if (mode === 'out') return null;
  if (mode === 'in' || mode === 'inout' || mode === 'variadic') words = words.slice(1);
  // `name type…` or just `type…`: a declared name is one word followed by the type.
  const typeWords = words.length > 1 && !/[.(\[]/.test(words[0] ?? '') ? words.slice(1) : words;
  return typeWords.join(' ').toLowerCase();
}

const CREATE_FUNCTION =
  /^create\s+(?:or\s+replace\s+)?function\s+([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\s*\(/i;
const DROP_FUNCTION = /^drop\s+function\s+(?:if\s+exists\s+)?([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\s*\(/i;

/** Name and identity arguments of a `create function` statement, or null for any other statement. */
export function parseFunctionHead(statement: string): FunctionHead | null {
  const body = withoutLeadingComments(statement);
  const match = CREATE_FUNCTION.exec(body);
  if (!match) return null;
  const args = topLevelParts(parenthesized(body, match[0].length - 1));
  return {
    qualifiedName: `${match[1]}.${match[2]}`.toLowerCase(),
    identityArgs: args.map(identityType).filter((t): t is string => t !== null),
  };
}

/** `schema.name(type, …)`, as `drop function`, `grant` and `::regprocedure` take it. */
export function signature(head: FunctionHead): string {
  return `${head.qualifiedName}(${head.identityArgs.join(', ')})`;
}

/**
 * One time (the adapter wave): drops every `public.coach_*` / `public._coach_*` function,
 * whichever version of 20261124100900 created them, so the definitions after it are the
 * whole set and every database ends with the same catalog.
 */
export const DROP_ALL_PUBLIC_COACH_FUNCTIONS = `do $$
declare
  f regprocedure;
begin
  for f in
    select p.oid::regprocedure from pg_catalog.pg_proc p
    where p.pronamespace = 'public'::regnamespace and (p.proname like 'coach\\_%' or p.proname like '\\_coach\\_%')
  loop
    execute pg_catalog.format('drop function %s', f);
  end loop;
end
$$`;

/** Reads `db/functions/*.sql`: exactly one managed `create or replace function` per file, named after it. */
export async function readFunctionSources(dir: string = FUNCTIONS_DIR): Promise<FunctionSource[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const sources: FunctionSource[] = [];
  const seen = new Set<string>();
  for (const fileName of files) {
    const statements = splitStatements(await readFile(path.join(dir, fileName), 'utf8'));
    const [statement] = statements;
    const head = statement === undefined ? null : parseFunctionHead(statement);
    if (statements.length !== 1 || !statement || !head) {
      throw new Error(`db/functions/${fileName} must hold exactly one create or replace function statement`);
    }
    if (!statement.startsWith('-- '))
      throw new Error(`db/functions/${fileName} must start with a header comment`);
    if (!isManagedFunction(head.qualifiedName)) {
      throw new Error(`db/functions/${fileName} defines ${head.qualifiedName}, not a coach function`);
    }
    const expected = `${head.qualifiedName.replace(/^public\./, '')}.sql`;
    if (fileName !== expected)
      throw new Error(`db/functions/${fileName} defines ${head.qualifiedName}: name it ${expected}`);
    if (seen.has(head.qualifiedName))
      throw new Error(`${head.qualifiedName} is defined twice in db/functions`);
    seen.add(head.qualifiedName);
    sources.push({ ...head, fileName, statement });
  }
  return sources;
}

/** The first line of a generated migration's header (db/function-migration.ts). */
export const GENERATED_HEADER = '-- Generated by `npm run db:functions`';

/**
 * A statement of a generated migration without the migration's own header, which the SQL
 * splitter keeps with the first statement: the header ends at the first blank line.
 */
function withoutGeneratedHeader(statement: string): string {
  if (!statement.startsWith(GENERATED_HEADER)) return statement;
  const end = statement.indexOf('\n\n');
  return end === -1 ? statement : statement.slice(end + 2).trimStart();
}

/** The latest definition of every managed function the migrations leave in place. */
export function latestDefinitions(migrations: readonly MigrationFile[]): Map<string, FunctionDefinition> {
  const dropAll = withoutLeadingComments(DROP_ALL_PUBLIC_COACH_FUNCTIONS);
  const latest = new Map<string, FunctionDefinition>();
  for (const file of migrations) {
    for (const fileStatement of file.statements) {
      const statement = withoutGeneratedHeader(fileStatement);
      const body = withoutLeadingComments(statement);
      const head = parseFunctionHead(statement);
      const dropped = DROP_FUNCTION.exec(body);
      if (head && isManagedFunction(head.qualifiedName)) {
        latest.set(head.qualifiedName, { ...head, statement, version: file.version });
      } else if (dropped) {
        latest.delete(`${dropped[1]}.${dropped[2]}`.toLowerCase());
      } else if (body === dropAll) {
        for (const name of [...latest.keys()]) if (name.startsWith('public.')) latest.delete(name);
      }
    }
  }
  return latest;
}

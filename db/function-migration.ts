/**
 * Plans and writes the migration that brings `migrations/` level with `db/functions/`
 * (db/function-sources.ts): the changed functions in an order Postgres can create them in,
 * drops for changed signatures and removed files, and each function's privileges.
 */
import {
  DROP_ALL_PUBLIC_COACH_FUNCTIONS,
  GENERATED_HEADER,
  signature,
  type FunctionDefinition,
  type FunctionSource,
} from './function-sources';

export interface FunctionMigrationPlan {
  /** New or changed functions, in creation order. */
  readonly changed: readonly FunctionSource[];
  /** Definitions to drop first: removed files, and the old signature of a changed one. */
  readonly dropped: readonly FunctionDefinition[];
  /** The one-time drop of every `public` coach function (db/function-sources.ts). */
  readonly dropAll: boolean;
}

/** The refresh that rebuilds the adapter views after the discovery or the refresh changed. */
export const REFRESH_ADAPTER_SQL = 'select coach_internal.refresh_adapter()';

/**
 * Creation order: `coach_internal` first (the adapter views the others read are built right
 * after it), then each function after the ones its text calls, by name otherwise. A SQL
 * function's body is checked when it is created, so what it calls must exist.
 */
function creationOrder(functions: readonly FunctionSource[]): FunctionSource[] {
  const pending = new Map(functions.map((f) => [f.qualifiedName, f]));
  // Only code counts: a comment may mention a function without calling it.
  const code = new Map(functions.map((f) => [f.qualifiedName, f.statement.replace(/--[^\n]*/g, '')]));
  const calls = (f: FunctionSource, g: FunctionSource): boolean =>
    f !== g &&
    new RegExp(`\\b${g.qualifiedName.replace('.', '\\.')}\\s*\\(`, 'i').test(code.get(f.qualifiedName) ?? '');
  const ordered: FunctionSource[] = [];
  while (pending.size > 0) {
    const waiting = [...pending.values()];
    const ready = waiting.filter((f) => !waiting.some((g) => calls(f, g)));
    // A cycle (plpgsql may recurse) cannot be ordered: take them by name.
    const next = (ready.length > 0 ? ready : waiting).sort((a, b) => {
      const internal =
        Number(b.qualifiedName.startsWith('coach_internal.')) -
        Number(a.qualifiedName.startsWith('coach_internal.'));
      return internal || a.qualifiedName.localeCompare(b.qualifiedName);
    })[0] as FunctionSource;
    ordered.push(next);
    pending.delete(next.qualifiedName);
  }
  return ordered;
}

/**
 * What a new migration must hold so that `migrations/` defines exactly `sources`: each
 * function whose text differs from its `latest` definition (or that has none), and a drop
 * for each definition whose file is gone or whose signature changed. With `dropAll` (one
 * time), every `public` function counts as gone, so all of them are created again.
 */
export function planFunctionMigration(
  sources: readonly FunctionSource[],
  latest: ReadonlyMap<string, FunctionDefinition>,
  options: { readonly dropAll?: boolean } = {},
): FunctionMigrationPlan {
  const dropAll = options.dropAll ?? false;
  const current = new Map(latest);
  if (dropAll) for (const name of [...current.keys()]) if (name.startsWith('public.')) current.delete(name);
  const changed = sources.filter((s) => current.get(s.qualifiedName)?.statement !== s.statement);
  const names = new Set(sources.map((s) => s.qualifiedName));
  const dropped = [...current.values()].filter((d) => {
    const source = sources.find((s) => s.qualifiedName === d.qualifiedName);
    return !names.has(d.qualifiedName) || (source !== undefined && signature(source) !== signature(d));
  });
  return { changed: creationOrder(changed), dropped, dropAll };
}

/** True when `migrations/` is up to date with the files. */
export function isEmptyPlan(plan: FunctionMigrationPlan): boolean {
  return plan.changed.length === 0 && plan.dropped.length === 0 && !plan.dropAll;
}

function privileges(f: FunctionSource): string {
  return [
    `revoke execute on function ${signature(f)} from public, anon, authenticated;`,
    `grant execute on function ${signature(f)} to service_role;`,
  ].join('\n');
}

/** `-- label a, b, c.` wrapped at 95 characters. */
function commentLines(label: string, items: readonly string[]): string[] {
  const lines: string[] = [];
  let line = `-- ${label}`;
  for (const [i, item] of (items.length > 0 ? items : ['none']).entries()) {
    const word = `${item}${i === items.length - 1 || items.length === 0 ? '.' : ','}`;
    if (line.length + word.length + 1 > 95) {
      lines.push(line);
      line = `--   ${word}`;
    } else line = `${line} ${word}`;
  }
  return [...lines, line];
}

/** The migration's text; its statements split back into exactly the files' statements. */
export function renderFunctionMigration(plan: FunctionMigrationPlan): string {
  const names = plan.changed.map((f) => f.qualifiedName);
  const parts: string[] = [
    [
      `${GENERATED_HEADER} from db/functions/*.sql (one file per function); do`,
      '-- not edit: change the file and generate a new migration. Execute is revoked from public,',
      '-- anon and authenticated (PostgREST exposes `public` to every app user) and granted to',
      '-- service_role only.',
      ...commentLines('Created or replaced:', names),
      ...(plan.dropped.length > 0 ? commentLines('Dropped:', plan.dropped.map(signature)) : []),
    ].join('\n'),
  ];
  if (plan.dropAll) {
    parts.push(
      [
        '-- One time: drop every public.coach_* / public._coach_* function first, whichever version of',
        '-- 20261124100900 created them, so every database ends with exactly the functions below.',
        `${DROP_ALL_PUBLIC_COACH_FUNCTIONS};`,
      ].join('\n'),
    );
  }
  for (const dropped of plan.dropped) parts.push(`drop function if exists ${signature(dropped)};`);
  let refreshed = false;
  for (const f of plan.changed) {
    if (
      !refreshed &&
      !f.qualifiedName.startsWith('coach_internal.') &&
      plan.changed.some((g) => g.qualifiedName.startsWith('coach_internal.'))
    ) {
      parts.push(
        `-- The discovery or the refresh changed: rebuild the adapter views before the functions that read them.\n${REFRESH_ADAPTER_SQL};`,
      );
      refreshed = true;
    }
    parts.push(`${f.statement};\n${privileges(f)}`);
  }
  if (!refreshed && plan.changed.some((g) => g.qualifiedName.startsWith('coach_internal.'))) {
    parts.push(
      `-- The discovery or the refresh changed: rebuild the adapter views.\n${REFRESH_ADAPTER_SQL};`,
    );
  }
  return `${parts.join('\n\n')}\n`;
}

/** A migration version after `latest`: now in UTC (`YYYYMMDDHHMMSS`), or one more than `latest`. */
export function nextVersion(latest: string | undefined, now: Date): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  if (latest === undefined || stamp > latest) return stamp;
  return (BigInt(latest) + 1n).toString();
}

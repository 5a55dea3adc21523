/**
 * Splits a SQL script into statements the way the Supabase CLI does (`pkg/parser`,
 * `SplitAndTrim`), so the `statements` we record in `supabase_migrations.schema_migrations`
 * are the ones `supabase db push` would have recorded for the same file.
 *
 * A `;` ends a statement unless it is inside a quote ('…' or "…"), a dollar quote ($$…$$,
 * $tag$…$tag$), a line or (nested) block comment, parentheses, or a `BEGIN ATOMIC … END`
 * body; a backslash skips the next character. Each statement keeps its comments, loses its
 * trailing semicolons and surrounding white space; empty statements are dropped.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  let parenDepth = 0;
  let atomicDepth = 0;
  let previousWord = '';
  const n = sql.length;

  const emit = (end: number): void => {
    const trimmed = sql.slice(start, end).replace(/;+$/, '').trim();
    if (trimmed.length > 0) statements.push(trimmed);
    start = end;
  };

  while (i < n) {
    const c = sql[i] as string;
    const next = sql[i + 1];

    if (c === '-' && next === '-') {
      const newline = sql.indexOf('\n', i + 2);
      i = newline === -1 ? n : newline + 1;
      continue;
    }
    if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth += 1;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth -= 1;
          i += 2;
        } else {
          i += 1;
        }
      }
      continue;
    }
    if (c === "'" || c === '"') {
      // A doubled delimiter ('' or "") is an escaped quote and stays inside the literal.
      i += 1;
      while (i < n) {
        if (sql[i] === c) {
          if (sql[i + 1] === c) {
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        i += 1;
      }
      continue;
    }
    if (c === '$') {
      const tag = /^\$[\p{L}\p{N}_]*\$/u.exec(sql.slice(i, i + 64));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close === -1 ? n : close + tag[0].length;
        continue;
      }
      i += 1;
      continue;
    }
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '(') {
      parenDepth += 1;
      i += 1;
      continue;
    }
    if (c === ')') {
      parenDepth = Math.max(0, parenDepth - 1);
      i += 1;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i))?.[0] ?? c;
      const lower = word.toLowerCase();
      if (lower === 'atomic' && previousWord === 'begin') atomicDepth += 1;
      else if (lower === 'end' && atomicDepth > 0) atomicDepth -= 1;
      previousWord = lower;
      i += word.length;
      continue;
    }
    if (c === ';' && parenDepth === 0 && atomicDepth === 0) {
      emit(i + 1);
      previousWord = '';
    }
    i += 1;
  }
  emit(n);
  return statements;
}

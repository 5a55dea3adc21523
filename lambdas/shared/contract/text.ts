/**
 * Text the database can store. PostgreSQL's `text` and `jsonb` refuse the NUL character and
 * UTF-16 surrogates that are not paired (JSON can carry both, as `\u0000` and a lone
 * `\ud800`). Such input is refused at the edge with a 400 naming the field, before any claim
 * or paid call, never as a database fault after OpenAI has answered.
 */

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` cannot be stored, or null when it can. */
export function unstorableText(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain the NUL character (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'must not contain an unpaired UTF-16 surrogate';
  return null;
}

export interface TextIssue {
  /** `a.b[2]`, or `a.<key>` when an object key itself is the problem. */
  readonly path: string;
  readonly message: string;
}

/** A value still to look at, or an issue found with an object key, in document order. */
type Pending = { readonly value: unknown; readonly path: string } | { readonly issue: TextIssue };

/**
 * Every string in a JSON value (keys included) that cannot be stored, with where it is, in
 * document order. Walks with its own stack, not by recursion: a 32 KiB body can nest 16,000
 * levels deep, more than the call stack holds, and this runs before any schema has refused it.
 */
export function unstorableTextIn(value: unknown, path = ''): TextIssue[] {
  const issues: TextIssue[] = [];
  const pending: Pending[] = [{ value, path }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if ('issue' in next) {
      issues.push(next.issue);
      continue;
    }
    const { value: item, path: at } = next;
    if (typeof item === 'string') {
      const problem = unstorableText(item);
      if (problem) issues.push({ path: at, message: `${at || 'value'} ${problem}` });
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i -= 1) pending.push({ value: item[i], path: `${at}[${i}]` });
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item).reverse()) {
        const childPath = at ? `${at}.${key}` : key;
        pending.push({ value: child, path: childPath });
        const keyProblem = unstorableText(key);
        if (keyProblem) pending.push({ issue: { path: childPath, message: `a key ${keyProblem}` } });
      }
    }
  }
  return issues;
}

/**
 * `text` made storable: NUL and unpaired surrogates replaced by U+FFFD. For text we did not
 * write and must keep anyway (a model's paid-for reply), never for user input, which is refused.
 */
export function storableText(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD').replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');
}

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

/** Every string in a JSON value (keys included) that cannot be stored, with where it is. */
export function unstorableTextIn(value: unknown, path = ''): TextIssue[] {
  if (typeof value === 'string') {
    const problem = unstorableText(value);
    return problem ? [{ path, message: `${path || 'value'} ${problem}` }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => unstorableTextIn(item, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => {
      const at = path ? `${path}.${key}` : key;
      const keyProblem = unstorableText(key);
      return [
        ...(keyProblem ? [{ path: at, message: `a key ${keyProblem}` }] : []),
        ...unstorableTextIn(item, at),
      ];
    });
  }
  return [];
}

/**
 * `text` made storable: NUL and unpaired surrogates replaced by U+FFFD. For text we did not
 * write and must keep anyway (a model's paid-for reply), never for user input, which is refused.
 */
export function storableText(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD').replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');
}

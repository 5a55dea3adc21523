/** What the docs test reports: which doc, which line, which name, and what is wrong with it. */
export interface Problem {
  readonly doc: string;
  readonly line: number;
  readonly name: string;
  readonly problem: string;
}

/**
 * A name documented ahead of the code that adds it in the same wave. The check passes while
 * the name is missing and fails once it exists, so the entry is removed when the code lands.
 */
export interface Pending {
  /** `script-flag`: `npm run <script> -- --flag`; `error-code`: an error body's `code`. */
  readonly kind: 'script-flag' | 'error-code';
  readonly name: string;
  /** Who adds it, so the entry can be traced. */
  readonly landsWith: string;
}

/** One line per problem, in the order of the doc's lines. */
export function formatProblems(problems: readonly Problem[]): string {
  return [...problems]
    .sort((a, b) => a.doc.localeCompare(b.doc) || a.line - b.line)
    .map((p) => `${p.doc}:${p.line}: ${p.name} — ${p.problem}`)
    .join('\n');
}

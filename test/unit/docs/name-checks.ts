/**
 * Checks on the names a document mentions outside its shell: context keys, environment
 * variables, stack outputs, alarms, metrics, saved queries, resources, error codes and code
 * identifiers, each in the place the docs name them (a reference table, a `-c key=`, a code
 * span of a recognisable shape).
 */
import type { KnownNames } from './known-names';
import type { MarkdownDoc, Table } from './markdown';
import { inlineCodeSpans } from './markdown';
import type { Pending, Problem } from './problems';

/** Languages a fenced block may be labelled with; shell ones are `sh` (bash and zsh), `bash`, `zsh`. */
export const FENCE_LANGS = new Set(['sh', 'bash', 'zsh', 'swift', 'sql', 'yaml', 'json', 'text']);

const UPPER_SNAKE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
const OUTPUT_SHAPE = /^[A-Z][A-Za-z0-9]*(?:Arn|Url)$/;
/** camelCase or PascalCase with at least two humps, optionally called: `chooseVariant()`, `ChatStore`. */
const IDENTIFIER = /^(?:[a-z][a-z0-9]*|[A-Z][a-z0-9]+)(?:[A-Z][a-z0-9]*)+(?:\(\))?$/;
const SNAKE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/;
const CONTEXT_FLAG = /(?:^|\s)-c\s+['"]?([A-Za-z][A-Za-z0-9]*)=/g;
/** A path in the repository: `lambdas/chat/service.ts`, `db/functions/`, `.ci/run` (globs and placeholders aside). */
const REPO_PATH = /^(?:\.ci|bench|bin|db|docs|lambdas|lib|local|migrations|openapi|scripts|test)\/[\w./-]*$/;

/** The code spans of one table column, for rows of tables whose header matches. */
function column(doc: MarkdownDoc, header: (h: readonly string[]) => number) {
  const out: { line: number; name: string }[] = [];
  for (const table of doc.tables) {
    const index = header(table.header);
    if (index < 0) continue;
    for (const row of table.rows) {
      for (const span of inlineCodeSpans(row.cells[index] ?? '')) out.push({ line: row.line, name: span });
    }
  }
  return out;
}

const firstColumnNamed = (name: string) => (header: readonly string[]) => (header[0] === name ? 0 : -1);

/** The rows of `doc`'s tables whose first header cell is `name`: for completeness checks. */
export function tablesHeaded(doc: MarkdownDoc, name: string): Table[] {
  return doc.tables.filter((t) => t.header[0] === name);
}

export interface NameCheckOptions {
  /** Check code-like spans against the code (not for the Swift guide, whose names are the app's). */
  readonly identifiers: boolean;
}

export function nameProblems(
  doc: MarkdownDoc,
  known: KnownNames,
  pending: readonly Pending[],
  options: NameCheckOptions,
): Problem[] {
  // One report per name and line: the most specific check (a table, an "output" phrase) comes first.
  const problems = new Map<string, Problem>();
  const at = (line: number, name: string, problem: string) => {
    if (!problems.has(`${line}:${name}`))
      problems.set(`${line}:${name}`, { doc: doc.name, line, name, problem });
  };
  const inCorpus = (name: string) => known.corpus.includes(name);
  const isKnownName = (name: string) =>
    [known.contextKeys, known.outputs, known.alarms, known.metrics, known.pollerStates].some((set) =>
      set.has(name),
    ) || inCorpus(name);

  for (const block of doc.code) {
    if (!FENCE_LANGS.has(block.lang)) {
      at(
        block.line,
        block.lang ? `\`\`\`${block.lang}` : '```',
        `label each code block with one of ${[...FENCE_LANGS].join(', ')}`,
      );
    }
  }

  // -c key=value, in commands and in code spans (quoted program output, `text`, is not a command).
  const commandLines = [
    ...doc.code.filter((b) => b.lang !== 'text').flatMap((b) => b.lines),
    ...doc.inlineCode.map((c) => ({ line: c.line, text: c.text })),
  ];
  for (const { line, text } of commandLines) {
    for (const m of text.matchAll(CONTEXT_FLAG)) {
      if (!known.contextKeys.has(m[1] as string))
        at(line, `-c ${m[1]}=`, 'not a context key (CONTEXT_KEYS in lib/config.ts)');
    }
  }

  const strict: ReadonlyArray<readonly [string, ReadonlySet<string>, string]> = [
    ['key', known.contextKeys, 'not a context key (CONTEXT_KEYS in lib/config.ts)'],
    ['output', known.outputs, 'not an output of the synthesized stack'],
    ['metric', known.metrics, 'not a metric (MetricName in lambdas/shared/metric-names.ts)'],
    ['query', known.queries, 'not a saved query of the stack'],
    ['variable', known.envVars, 'no code, stack or script reads this environment variable'],
  ];
  for (const [header, names, problem] of strict) {
    for (const { line, name } of column(doc, firstColumnNamed(header))) {
      if (!names.has(name)) at(line, name, problem);
    }
  }
  for (const { line, name } of column(doc, firstColumnNamed('logical id prefix'))) {
    const prefix = name.replace(/…$/, '');
    if (!known.resources.some((r) => r.logicalId.startsWith(prefix)))
      at(line, name, 'no resource of the stack has this logical id prefix');
  }
  for (const { line, name } of column(doc, (h) => h.indexOf('code'))) {
    if (!SNAKE.test(name) && !/^[a-z]+$/.test(name)) continue;
    const exists = inCorpus(`'${name}'`) || inCorpus(`"${name}"`);
    const isPending = pending.some((p) => p.kind === 'error-code' && p.name === name);
    if (isPending && exists)
      at(line, name, 'now exists: remove it from PENDING in test/unit/docs/docs.test.ts');
    else if (!isPending && !exists) at(line, name, 'no such error code in the code');
  }

  for (const { line, text } of doc.prose) {
    for (const m of text.matchAll(/\b([A-Z][A-Za-z0-9]*Alarm)\b/g)) {
      if (!known.alarms.has(m[1] as string)) at(line, m[1] as string, 'no alarm of the stack has this id');
    }
    for (const m of text.matchAll(/`([A-Z][A-Za-z0-9]+)` output\b|\boutputs? `([A-Z][A-Za-z0-9]+)`/g)) {
      const name = (m[1] ?? m[2]) as string;
      if (!known.outputs.has(name)) at(line, name, 'not an output of the synthesized stack');
    }
  }

  for (const { line, text } of doc.inlineCode) {
    if (REPO_PATH.test(text) && !known.fileExists(text.replace(/\/$/, '')))
      at(line, text, 'no such file or folder in the repository');
    if (OUTPUT_SHAPE.test(text) && !known.outputs.has(text))
      at(line, text, 'not an output of the synthesized stack');
    if (
      UPPER_SNAKE.test(text) &&
      !known.envVars.has(text) &&
      !new RegExp(`\\b${text}\\b`).test(known.corpus)
    ) {
      at(line, text, 'neither an environment variable nor a name in the code');
    }
    if (options.identifiers && IDENTIFIER.test(text)) {
      const name = text.replace(/\(\)$/, '');
      if (!isKnownName(name)) at(line, text, 'no such name in the code or the stack');
    }
  }
  return [...problems.values()];
}

/**
 * Just enough Markdown for the docs test: fenced code blocks (with their language), tables
 * (header and rows), and the inline code spans of everything else, each with its line number
 * so a failure can say where a name is.
 */

/** One line of a document, 1-based. */
export interface DocLine {
  readonly line: number;
  readonly text: string;
}

export interface CodeBlock {
  /** The line of the opening fence. */
  readonly line: number;
  /** The info string's first word (`sh`, `swift`, …); empty when the fence has none. */
  readonly lang: string;
  readonly lines: readonly DocLine[];
}

export interface TableRow {
  readonly line: number;
  readonly cells: readonly string[];
}

export interface Table {
  readonly line: number;
  /** Header cells, lower-cased and without Markdown. */
  readonly header: readonly string[];
  readonly rows: readonly TableRow[];
}

/** An inline code span outside code blocks. */
export interface InlineCode {
  readonly line: number;
  readonly text: string;
}

export interface MarkdownDoc {
  /** The path shown in failures, e.g. `docs/deploy.md`. */
  readonly name: string;
  /** Every line outside code blocks. */
  readonly prose: readonly DocLine[];
  readonly code: readonly CodeBlock[];
  readonly tables: readonly Table[];
  readonly inlineCode: readonly InlineCode[];
}

const FENCE = /^\s*(`{3,}|~{3,})\s*([^\s`]*)/;

/** The code spans of one line: `a`, ``b `c` d``. */
export function inlineCodeSpans(text: string): string[] {
  const spans: string[] = [];
  const pattern = /(`+)([\s\S]*?[^`])\1(?!`)/g;
  for (const match of text.matchAll(pattern)) spans.push((match[2] ?? '').trim());
  return spans;
}

/** The cells of a table row, split on unescaped pipes (a pipe inside a code span is content). */
export function tableCells(text: string): string[] {
  const cells: string[] = [];
  let current = '';
  let inCode = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '`') inCode = !inCode;
    if (ch === '\\' && text[i + 1] === '|') {
      current += '|';
      i++;
    } else if (ch === '|' && !inCode) {
      cells.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  cells.push(current.trim());
  // A row written `| a | b |` has an empty cell before the first and after the last pipe.
  if (cells[0] === '') cells.shift();
  if (cells.at(-1) === '') cells.pop();
  return cells;
}

const isTableLine = (text: string) => /^\s*\|.*\|\s*$/.test(text);
const isDelimiterRow = (text: string) => /^\s*\|(\s*:?-+:?\s*\|)+\s*$/.test(text);

export function parseMarkdown(name: string, source: string): MarkdownDoc {
  const lines = source.split('\n');
  const prose: DocLine[] = [];
  const code: CodeBlock[] = [];
  let open: { line: number; fence: string; lang: string; lines: DocLine[] } | null = null;

  lines.forEach((text, index) => {
    const line = index + 1;
    const fence = FENCE.exec(text);
    if (open) {
      if (fence && fence[1]?.startsWith(open.fence) && fence[2] === '') {
        code.push({ line: open.line, lang: open.lang, lines: open.lines });
        open = null;
      } else {
        open.lines.push({ line, text });
      }
    } else if (fence) {
      open = { line, fence: fence[1] ?? '```', lang: (fence[2] ?? '').toLowerCase(), lines: [] };
    } else {
      prose.push({ line, text });
    }
  });
  if (open)
    throw new Error(`${name}: the code block opened at line ${(open as { line: number }).line} never closes`);

  const tables: Table[] = [];
  for (let i = 0; i < prose.length; i++) {
    const head = prose[i];
    const delimiter = prose[i + 1];
    if (!head || !delimiter || !isTableLine(head.text) || !isDelimiterRow(delimiter.text)) continue;
    if (delimiter.line !== head.line + 1) continue;
    const rows: TableRow[] = [];
    let j = i + 2;
    for (; j < prose.length && isTableLine(prose[j]?.text ?? ''); j++) {
      const row = prose[j] as DocLine;
      rows.push({ line: row.line, cells: tableCells(row.text) });
    }
    tables.push({
      line: head.line,
      header: tableCells(head.text).map((cell) => cell.replace(/[`*_]/g, '').trim().toLowerCase()),
      rows,
    });
    i = j - 1;
  }

  const inlineCode = prose.flatMap((p) => inlineCodeSpans(p.text).map((text) => ({ line: p.line, text })));
  return { name, prose, code, tables, inlineCode };
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, each space a dash. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a document's headings. */
export function anchorsOf(doc: MarkdownDoc): Set<string> {
  return new Set(
    doc.prose.flatMap((p) => {
      const heading = /^#{1,6}\s+(.*)$/.exec(p.text);
      return heading?.[1] ? [headingSlug(heading[1])] : [];
    }),
  );
}

/** Relative links of the prose (`[text](target)`), web links left out. */
export function relativeLinks(doc: MarkdownDoc): { line: number; target: string }[] {
  return doc.prose.flatMap((p) =>
    [...p.text.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1] as string)
      .filter((target) => !/^[a-z]+:/.test(target))
      .map((target) => ({ line: p.line, target })),
  );
}

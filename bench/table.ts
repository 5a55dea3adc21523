/**
 * The bench's one table: every figure of a run by its JSON key, its value, the goal it is
 * held to (if any) and whether it meets it; and the JSON file of the same figures, nested by
 * the dots of their keys (`overhead.c50.p99` is `{"overhead": {"c50": {"p99": …}}}`).
 */
import { writeFileSync } from 'node:fs';

export interface Goal {
  readonly text: string;
  readonly met: boolean;
}

export interface Figure {
  readonly key: string;
  readonly value: number;
  /** Decimals shown in the table (the JSON keeps `value` as measured). */
  readonly digits: number;
  readonly unit?: string;
  readonly goal?: Goal;
  readonly note?: string;
}

export const figure = (
  key: string,
  value: number,
  digits: number,
  extra: { unit?: string; goal?: Goal; note?: string } = {},
): Figure => ({ key, value, digits, ...extra });

export const atMost = (value: number, limit: number, text: string): Goal => ({ text, met: value <= limit });

export function formatTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.key,
    Number.isFinite(f.value) ? f.value.toFixed(f.digits) : 'n/a',
    f.unit ?? '',
    f.goal ? `${f.goal.text} ${f.goal.met ? 'met' : 'NOT MET'}` : '',
    f.note ?? '',
  ]);
  const header = ['figure', 'value', 'unit', 'goal', 'how'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 1 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** The figures as nested JSON objects, by the dots of their keys. */
export function nestedFigures(figures: readonly Figure[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of figures) {
    const path = f.key.split('.');
    let node = out;
    for (const part of path.slice(0, -1)) {
      const next = node[part];
      node = (typeof next === 'object' && next !== null ? next : (node[part] = {})) as Record<
        string,
        unknown
      >;
    }
    node[path.at(-1) as string] = Number.isFinite(f.value) ? f.value : null;
  }
  return out;
}

export function writeFigures(file: string, figures: readonly Figure[], meta: Record<string, unknown>): void {
  writeFileSync(file, `${JSON.stringify({ ...nestedFigures(figures), meta }, null, 2)}\n`);
}

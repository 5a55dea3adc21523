/**
 * A small reader of the shell snippets in the docs: which commands they run (with the
 * variables put in each command's environment), which variables and functions they define,
 * and which variables they read. Enough for the snippets we write (POSIX words, quotes,
 * `$(…)`, `;` `&&` `||` `|`, `name() { …; }`, `for … in`), not a full shell grammar.
 */

export interface ShellCommand {
  readonly line: number;
  /** The command and its arguments, quotes removed; a command substitution reads `$(…)`. */
  readonly words: readonly string[];
  /** `NAME=value` words before the command: variables put in that command's environment. */
  readonly envPrefixes: readonly string[];
}

export interface ShellFunction {
  readonly line: number;
  /** The definition's text, for telling what the function wraps. */
  readonly body: string;
}

export interface NamedAt {
  readonly name: string;
  readonly line: number;
}

export interface ShellScript {
  readonly commands: ShellCommand[];
  /** Variables set for the shell itself: `NAME=value` alone, `read NAME`, `for NAME in`, `export NAME`. */
  readonly assigned: NamedAt[];
  readonly exported: NamedAt[];
  readonly functions: Map<string, ShellFunction>;
  /** `$NAME` and `${NAME…}` outside single quotes (positional and special parameters left out). */
  readonly references: NamedAt[];
}

/** Words that start a compound command or a list, never a command of their own. */
const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '{', '}', '!']);
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=/;
const FUNCTION_DEF = /^([A-Za-z_][A-Za-z0-9_-]*)\(\)$/;
const BUILTINS_TAKING_NAMES = new Set(['unset', 'local', 'typeset', 'declare']);

export function emptyScript(): ShellScript {
  return { commands: [], assigned: [], exported: [], functions: new Map(), references: [] };
}

/** Removes a `#` comment outside quotes from one physical line. */
export function stripComment(text: string): string {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '\\') {
      i++;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      return text.slice(0, i).trimEnd();
    }
  }
  return text;
}

/** Physical lines joined where a line ends with `\`, comments removed; each with its first line. */
export function logicalLines(
  lines: readonly { line: number; text: string }[],
): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let pending: { line: number; text: string } | null = null;
  for (const { line, text } of lines) {
    const stripped = stripComment(text);
    const continued = /\\$/.test(stripped);
    const piece = continued ? stripped.slice(0, -1) : stripped;
    pending = pending
      ? { line: pending.line, text: `${pending.text} ${piece.trim()}` }
      : { line, text: piece };
    if (!continued) {
      out.push(pending);
      pending = null;
    }
  }
  if (pending) out.push(pending);
  return out;
}

/** The index of the `)` that closes the `(` at `open`, quotes and nesting considered. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return text.length;
}

/** Splits one logical line into lists of words, recording references and substitutions on the way. */
function segmentsOf(text: string, line: number, script: ShellScript): string[][] {
  const segments: string[][] = [[]];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  const flush = () => {
    if (inWord) segments[segments.length - 1]?.push(word);
    word = '';
    inWord = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else word += ch;
      continue;
    }
    if (ch === '\\') {
      word += text[i + 1] ?? '';
      inWord = true;
      i++;
      continue;
    }
    if (ch === '"' && quote === '"') {
      quote = null;
      continue;
    }
    if (!quote && (ch === "'" || ch === '"')) {
      quote = ch;
      inWord = true;
      continue;
    }
    if (ch === '$') {
      if (text[i + 1] === '(') {
        const end = closingParen(text, i + 1);
        readInto(script, [{ line, text: text.slice(i + 2, end) }]);
        word += '$(…)';
        inWord = true;
        i = end;
        continue;
      }
      const name = /^\{?([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i + 1));
      if (name?.[1]) script.references.push({ name: name[1], line });
      word += ch;
      inWord = true;
      continue;
    }
    if (quote === '"' || !/[\s;|&]/.test(ch)) {
      word += ch;
      inWord = true;
      continue;
    }
    flush();
    if (/[;|&]/.test(ch)) {
      if (text[i + 1] === ch) i++;
      segments.push([]);
    }
  }
  flush();
  return segments.filter((s) => s.length > 0);
}

function classify(words: readonly string[], line: number, lineText: string, script: ShellScript): void {
  let i = 0;
  for (; i < words.length; i++) {
    const w = words[i] as string;
    const fn = FUNCTION_DEF.exec(w);
    if (fn?.[1]) {
      script.functions.set(fn[1], { line, body: lineText });
    } else if (w === 'for') {
      const name = words[i + 1];
      if (name) script.assigned.push({ name, line });
      return;
    } else if (!RESERVED.has(w)) {
      break;
    }
  }
  const prefixes: string[] = [];
  for (; i < words.length && ASSIGNMENT.test(words[i] as string); i++) {
    prefixes.push(ASSIGNMENT.exec(words[i] as string)?.[1] as string);
  }
  const command = words.slice(i);
  if (command.length === 0) {
    for (const name of prefixes) script.assigned.push({ name, line });
    return;
  }
  const [name, ...args] = command;
  if (name === 'export') {
    for (const arg of args) {
      const exported = arg.split('=')[0] as string;
      script.exported.push({ name: exported, line });
      script.assigned.push({ name: exported, line });
    }
  } else if (name === 'read' || (name !== undefined && BUILTINS_TAKING_NAMES.has(name))) {
    for (const arg of args) if (/^[A-Za-z_]\w*$/.test(arg)) script.assigned.push({ name: arg, line });
  }
  script.commands.push({ line, words: command, envPrefixes: prefixes });
}

/** Reads more lines into `script` (a doc's snippets accumulate into one script). */
export function readInto(script: ShellScript, lines: readonly { line: number; text: string }[]): ShellScript {
  // A function whose body spans lines (`name() {` … `}`) gets the whole body as its text.
  let open: { name: string; line: number; body: string[] } | null = null;
  for (const logical of logicalLines(lines)) {
    const before = new Set(script.functions.keys());
    for (const words of segmentsOf(logical.text, logical.line, script)) {
      classify(words, logical.line, logical.text, script);
    }
    if (open) {
      open.body.push(logical.text);
      if (/^\s*}\s*$/.test(logical.text)) {
        script.functions.set(open.name, { line: open.line, body: open.body.join('\n') });
        open = null;
      }
      continue;
    }
    const defined = [...script.functions.keys()].find((name) => !before.has(name));
    if (defined && /\{\s*$/.test(logical.text))
      open = { name: defined, line: logical.line, body: [logical.text] };
  }
  return script;
}

export function readShell(lines: readonly { line: number; text: string }[]): ShellScript {
  return readInto(emptyScript(), lines);
}

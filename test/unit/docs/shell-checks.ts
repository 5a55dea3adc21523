/**
 * Checks on the shell snippets of one document: portable (bash and zsh, Linux and macOS)
 * unless labelled for one shell, no secret on disk or on a command line, and every command,
 * npm script, flag, file, variable, stack output and resource they use exists.
 */
import type { KnownNames } from './known-names';
import type { CodeBlock, MarkdownDoc } from './markdown';
import { emptyScript, readInto, type ShellCommand, type ShellScript } from './shell';
import type { Pending, Problem } from './problems';

export const SHELL_LANGS = new Set(['sh', 'bash', 'zsh']);

/** Builtins whose `NAME=value` prefixes configure the shell, not a program's environment. */
const SHELL_BUILTINS = new Set(['read', 'printf', 'echo', 'export', 'unset', 'cd', 'test', '[', 'umask']);

/** GNU-only flags that fail on macOS's BSD tools: [command, flag]. */
const GNU_ONLY: ReadonlyArray<readonly [string, string]> = [
  ['date', '-d'],
  ['readlink', '-f'],
  ['stat', '-c'],
  ['base64', '-w'],
  ['grep', '-P'],
  ['xargs', '-r'],
];

/** Shell text that works in one of bash and zsh only: [pattern, what to say]. */
const ONE_SHELL_ONLY: ReadonlyArray<readonly [RegExp, string]> = [
  [/\$\{!/, '${!name} indirection is bash-only'],
  [/\b(mapfile|readarray|shopt)\b/, 'bash-only builtin'],
  [/\bdeclare\s+-/, 'declare is bash-only (zsh: typeset)'],
  [/\bsetopt\b|\$\{\(/, 'zsh-only syntax'],
  [
    /\bfor\s+\w+\s+in\s+\$[A-Za-z_{]/,
    'an unquoted $VAR list is split by bash but not by zsh; list the words or use $(…)',
  ],
];

/** The doc's shell: every sh/bash/zsh block, plus inline `npm …`/`npx …` commands in prose. */
export function docShell(doc: MarkdownDoc): ShellScript {
  const script = emptyScript();
  for (const block of doc.code) if (SHELL_LANGS.has(block.lang)) readInto(script, block.lines);
  const inline = doc.inlineCode.filter((c) =>
    /^(npm|npx|bash|\.ci\/)\s|^[A-Z_]+=\S+ (npm|npx) /.test(c.text),
  );
  readInto(script, inline);
  return script;
}

function portability(doc: MarkdownDoc, block: CodeBlock): Problem[] {
  const problems: Problem[] = [];
  const at = (line: number, name: string, problem: string) =>
    problems.push({ doc: doc.name, line, name, problem });
  for (const { line, text } of block.lines) {
    if (/>\s*\/tmp\//.test(text))
      at(line, text.trim(), 'writes a file to /tmp: a secret left there outlives the session');
    if (block.lang === 'sh') {
      for (const [pattern, why] of ONE_SHELL_ONLY)
        if (pattern.test(text)) at(line, text.trim(), `${why}; label the block bash or zsh, or rewrite it`);
    }
  }
  for (const command of readInto(emptyScript(), block.lines).commands) {
    const [name, ...args] = command.words;
    const shown = command.words.join(' ');
    if (name === 'shred')
      at(command.line, shown, 'shred is not on macOS, so the file stays; pipe the value instead');
    if (name === 'read' && block.lang !== 'bash') {
      const options = args.filter((a) => a.startsWith('-')).join('');
      if (/[pa]/.test(options))
        at(
          command.line,
          shown,
          "read -p/-a are bash-only (zsh's -p reads a coprocess): print the prompt with printf",
        );
    }
    for (const [tool, flag] of GNU_ONLY) {
      if (name === tool && args.includes(flag))
        at(command.line, shown, `${tool} ${flag} is GNU-only (not on macOS)`);
    }
    if (name === 'sed' && args.includes('-i') && args[args.indexOf('-i') + 1] !== '') {
      at(command.line, shown, "sed -i without a suffix argument is GNU-only (macOS needs -i '')");
    }
    const secretAt = args.indexOf('--secret-string');
    if (secretAt >= 0 && !args[secretAt + 1]?.startsWith('file://')) {
      at(command.line, shown, 'a secret value on the command line lands in the history and the process list');
    }
  }
  return problems;
}

/** The script file an npm script runs (`tsx scripts/x.ts` → `scripts/x.ts`), if it runs one of ours. */
function scriptFileOf(command: string | undefined): string | undefined {
  return command?.split(/\s+/).find((word) => /^(scripts|bench)\/.+\.ts$/.test(word));
}

/** Whether `source` (a script) accepts `--flag`: a usage text, a literal or a parseArgs option. */
function acceptsFlag(source: string, flag: string): boolean {
  const name = flag.replace(/^--/, '');
  return source.includes(flag) || new RegExp(`['"]?${name}['"]?\\s*:\\s*\\{\\s*type`).test(source);
}

function commandProblems(
  doc: MarkdownDoc,
  command: ShellCommand,
  known: KnownNames,
  pending: readonly Pending[],
): Problem[] {
  const problems: Problem[] = [];
  const shown = command.words.join(' ');
  const at = (name: string, problem: string) =>
    problems.push({ doc: doc.name, line: command.line, name, problem });
  const [tool, ...args] = command.words;
  const flagsAfter = (list: readonly string[]) => list.filter((a) => /^--[a-z]/.test(a));

  const checkFlags = (file: string, flags: readonly string[], label: string) => {
    for (const flag of flags) {
      const isPending = pending.find((p) => p.kind === 'script-flag' && p.name === `${label} ${flag}`);
      const exists = acceptsFlag(known.source(file), flag);
      if (isPending && exists)
        at(`${label} ${flag}`, 'now exists: remove it from PENDING in test/unit/docs/docs.test.ts');
      else if (!isPending && !exists) at(`${label} ${flag}`, `${file} has no ${flag} option`);
    }
  };

  if (tool === 'npm') {
    const rest = args.filter((a) => !/^-/.test(a) || a === '--');
    const sub = rest[0];
    if (sub === 'run' || sub === 'run-script' || ['start', 'test', 'stop', 'restart'].includes(sub ?? '')) {
      const script = sub === 'run' || sub === 'run-script' ? rest[1] : sub;
      if (!script || !known.npmScripts.has(script)) {
        at(`npm run ${script ?? ''}`.trim(), 'no such script in package.json');
      } else {
        const dashes = args.indexOf('--');
        const file = scriptFileOf(known.npmScripts.get(script));
        if (dashes >= 0 && file) checkFlags(file, flagsAfter(args.slice(dashes + 1)), `npm run ${script} --`);
      }
    } else if (sub && !known.npmCommands.has(sub)) {
      at(`npm ${sub}`, 'neither an npm command nor a script');
    }
  } else if (tool === 'npx') {
    const bin = args.find((a) => !a.startsWith('-'));
    if (!bin || !known.bins.has(bin))
      at(`npx ${bin ?? ''}`, 'no such executable in node_modules/.bin (npx would download one)');
    if (bin === 'tsx') {
      const file = args[args.indexOf(bin) + 1];
      if (!file || !known.fileExists(file)) at(`npx tsx ${file ?? ''}`, 'no such file');
      else checkFlags(file, flagsAfter(args.slice(args.indexOf(file) + 1)), `npx tsx ${file}`);
    }
  } else if (tool && /^(\.{0,2}\/|\.ci\/)/.test(tool) && !known.fileExists(tool)) {
    at(shown, `${tool} does not exist`);
  } else if (
    (tool === 'bash' || tool === 'sh') &&
    args[0] &&
    !args[0].startsWith('-') &&
    !known.fileExists(args[0])
  ) {
    at(shown, `${args[0]} does not exist`);
  }
  return problems;
}

/** Functions of the doc that wrap `describe-stacks … OutputKey` (directly or by passing "$1" on). */
function helpersWrapping(script: ShellScript, marker: string): Set<string> {
  const helpers = new Set<string>();
  for (const [name, fn] of script.functions) if (fn.body.includes(marker)) helpers.add(name);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [name, fn] of script.functions) {
      if (helpers.has(name)) continue;
      if ([...helpers].some((h) => new RegExp(`\\b${h}\\s+"\\$1"`).test(fn.body))) {
        helpers.add(name);
        grew = true;
      }
    }
  }
  return helpers;
}

const POSITIONAL = /^[0-9]$/;

export function shellProblems(doc: MarkdownDoc, known: KnownNames, pending: readonly Pending[]): Problem[] {
  const problems: Problem[] = doc.code
    .filter((b) => SHELL_LANGS.has(b.lang))
    .flatMap((b) => portability(doc, b));
  const script = docShell(doc);
  const at = (line: number, name: string, problem: string) =>
    problems.push({ doc: doc.name, line, name, problem });

  for (const command of script.commands) problems.push(...commandProblems(doc, command, known, pending));

  const assigned = new Set(script.assigned.map((a) => a.name));
  const exported = new Set(script.exported.map((a) => a.name));
  const prefixed = new Set(script.commands.flatMap((c) => c.envPrefixes));
  for (const command of script.commands) {
    if (SHELL_BUILTINS.has(command.words[0] ?? '')) continue;
    for (const name of command.envPrefixes) {
      if (!known.envVars.has(name))
        at(command.line, name, 'set for a command, but nothing here reads that variable');
    }
  }
  for (const { name, line } of script.exported) {
    if (!known.envVars.has(name)) at(line, name, 'exported, but nothing here reads that variable');
  }
  for (const { name, line } of script.references) {
    if (!POSITIONAL.test(name) && !assigned.has(name) && !known.envVars.has(name)) {
      at(line, `$${name}`, 'read but never set in this doc, and not a variable the code reads');
    }
  }
  for (const { name, line } of script.assigned) {
    if (known.envVars.has(name) && !exported.has(name) && !prefixed.has(name)) {
      at(line, name, 'set but never exported: the program that reads it will not see it');
    }
  }

  const outputHelpers = helpersWrapping(script, 'OutputKey');
  const resourceHelpers = helpersWrapping(script, 'LogicalResourceId');
  for (const command of script.commands) {
    const [fn, first, second] = command.words;
    if (fn && outputHelpers.has(fn) && first && !first.startsWith('$') && !known.outputs.has(first)) {
      at(command.line, first, 'not an output of the stack');
    }
    if (fn && resourceHelpers.has(fn) && first && second && !`${first}${second}`.includes('$')) {
      const found = known.resources.some((r) => r.type === first && r.logicalId.startsWith(second));
      if (!found)
        at(command.line, `${first} ${second}`, 'no resource of that type and logical id prefix in the stack');
    }
  }
  return problems;
}

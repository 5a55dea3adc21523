/**
 * The docs are tested. Every command, npm script and flag, file, context key (`-c key=`),
 * environment variable, stack output, secret, alarm, metric, saved query and error code that
 * README.md and docs/*.md name must exist in the code or in the synthesized stack; shell
 * snippets must run in bash and zsh on Linux and macOS unless labelled for one shell; and the
 * reference tables must list everything there is. A failure names the doc, the line and the name.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { deriveKnownNames, REPO_ROOT, type KnownNames } from './known-names';
import { anchorsOf, inlineCodeSpans, parseMarkdown, relativeLinks, type MarkdownDoc } from './markdown';
import { nameProblems, tablesHeaded } from './name-checks';
import { formatProblems, type Pending } from './problems';
import { shellProblems } from './shell-checks';

/**
 * Names documented ahead of the code that lands them in this wave. Each passes while it is
 * missing and fails once it exists; the lead removes the entry when the code is merged.
 */
const PENDING: readonly Pending[] = [];

const DOC_FILES = ['README.md', ...readdirSync(path.join(REPO_ROOT, 'docs')).map((f) => `docs/${f}`)].filter(
  (f) => f.endsWith('.md'),
);
const docs: Record<string, MarkdownDoc> = Object.fromEntries(
  DOC_FILES.map((f) => [f, parseMarkdown(f, readFileSync(path.join(REPO_ROOT, f), 'utf8'))]),
);
const doc = (name: string): MarkdownDoc => {
  const found = docs[name];
  if (!found) throw new Error(`${name} is missing`);
  return found;
};

let known: KnownNames;
beforeAll(() => {
  known = deriveKnownNames();
});

/** Every code span in the rows of the doc's tables whose first header cell is `header`. */
function listed(d: MarkdownDoc, header: string): Set<string> {
  return new Set(
    tablesHeaded(d, header).flatMap((t) => t.rows.flatMap((r) => inlineCodeSpans(r.cells[0] ?? ''))),
  );
}

function missingFrom(d: MarkdownDoc, header: string, names: Iterable<string>): string[] {
  const have = listed(d, header);
  return [...names].filter((n) => !have.has(n)).map((n) => `${d.name}: no "${header}" table row for ${n}`);
}

describe('every name the docs mention exists', () => {
  it.each(DOC_FILES)('%s', (file) => {
    const d = doc(file);
    const problems = [
      ...shellProblems(d, known, PENDING),
      ...nameProblems(d, known, PENDING, { identifiers: file !== 'docs/swift-integration.md' }),
    ];
    expect(formatProblems(problems)).toBe('');
  });
});

describe('every link between the docs lands', () => {
  it.each(DOC_FILES)('%s', (file) => {
    const broken = relativeLinks(doc(file)).flatMap(({ line, target }) => {
      const [pathPart = '', anchor] = target.split('#');
      const resolved =
        pathPart === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), pathPart));
      if (!known.fileExists(resolved)) return [`${file}:${line}: ${target} — no such file`];
      const linked = docs[resolved];
      if (anchor && linked && !anchorsOf(linked).has(anchor))
        return [`${file}:${line}: ${target} — no such heading`];
      return [];
    });
    expect(broken).toEqual([]);
  });
});

describe('the reference tables list everything there is', () => {
  it('deploy.md lists every stack output', () => {
    expect(missingFrom(doc('docs/deploy.md'), 'output', known.outputs)).toEqual([]);
  });

  it('deploy.md and operations.md list every context key', () => {
    expect([
      ...missingFrom(doc('docs/deploy.md'), 'key', known.contextKeys),
      ...missingFrom(doc('docs/operations.md'), 'key', known.contextKeys),
    ]).toEqual([]);
  });

  it('operations.md lists every environment variable of the config schema and the stack', () => {
    const all = new Set([...known.configEnvVars, ...known.templateEnvVars]);
    expect(missingFrom(doc('docs/operations.md'), 'variable', all)).toEqual([]);
  });

  it('operations.md describes every metric, alarm and saved query', () => {
    const ops = doc('docs/operations.md');
    const text = ops.prose.map((p) => p.text).join('\n');
    expect([
      ...missingFrom(ops, 'metric', known.metrics),
      ...missingFrom(ops, 'query', known.queries),
      ...[...known.alarms]
        .filter((a) => !text.includes(`**${a}**`))
        .map((a) => `operations.md: no **${a}** entry`),
    ]).toEqual([]);
  });

  it('the README lists every npm script', () => {
    const readme = doc('README.md');
    const have = new Set(
      [...listed(readme, 'command')].flatMap((c) => c.match(/^npm (?:run )?(\S+)/)?.[1] ?? []),
    );
    expect([...known.npmScripts.keys()].filter((s) => !have.has(s))).toEqual([]);
  });
});

describe('the first contact', () => {
  it('the README opens with what it is, the two commands of a fresh clone, then the way to deploy', () => {
    const lines = doc('README.md').prose.map((p) => p.text);
    const firstScreen = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')
      .split('\n')
      .slice(0, 40)
      .join('\n');
    expect(lines[0]).toMatch(/^# /);
    expect(firstScreen.indexOf('npm start')).toBeGreaterThan(0);
    expect(firstScreen.indexOf('npm test')).toBeGreaterThan(firstScreen.indexOf('npm start'));
    expect(firstScreen.indexOf('docs/deploy.md')).toBeGreaterThan(firstScreen.indexOf('npm test'));
  });

  it('the first-deploy walk-through runs in order: bootstrap, preflight, migrate, deploy, auth mode, secrets, smoke test, app', () => {
    const text = readFileSync(path.join(REPO_ROOT, 'docs/deploy.md'), 'utf8');
    const steps = [
      'npx cdk bootstrap',
      'npm run migrate -- --check',
      'npm run migrate\n',
      'npx cdk deploy',
      '/auth/v1/.well-known/jwks.json',
      'put-secret-value',
      'npm run chat -- --url',
      'FunctionsBaseUrl',
    ];
    // Each step is looked for after the previous one: a missing or misplaced step is named.
    let at = text.indexOf('## First deploy');
    const outOfOrder: string[] = [];
    for (const step of steps) {
      const found = text.indexOf(step, Math.max(at, 0));
      if (found < 0) outOfOrder.push(step);
      else at = found;
    }
    expect(text.indexOf('## First deploy')).toBeGreaterThanOrEqual(0);
    expect(outOfOrder).toEqual([]);
  });
});

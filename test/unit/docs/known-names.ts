/**
 * What exists, derived from the code and the synthesized stack, never from a hand-kept list:
 * npm scripts and bins, context keys, environment variables, stack outputs, alarms, metrics,
 * saved queries, resources and the poller's states. The docs test checks every name the docs
 * mention against these.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import ts from 'typescript';
import { CONTEXT_KEYS, type RawDeployContext } from '../../../lib/config';
import { pollerStateMachineDefinition } from '../../../lib/poller';
import { MetricName } from '../../../lambdas/shared/metric-names';
import { synthesizeCoach } from '../infra/support';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Source folders whose text counts as "the code". */
const CODE_DIRS = ['bin', 'lib', 'lambdas', 'scripts', 'local', 'db', 'migrations', 'bench'];

export interface KnownNames {
  /** package.json scripts: name → command. */
  readonly npmScripts: ReadonlyMap<string, string>;
  /** npm's own commands (`ci`, `install`, …), from the npm that runs the tests. */
  readonly npmCommands: ReadonlySet<string>;
  /** Executables `npx` finds in node_modules/.bin. */
  readonly bins: ReadonlySet<string>;
  readonly contextKeys: ReadonlySet<string>;
  /** The keys of `EnvSchema` in lambdas/shared/config.ts. */
  readonly configEnvVars: ReadonlySet<string>;
  /** The variables the stack sets on its functions. */
  readonly templateEnvVars: ReadonlySet<string>;
  /** Every variable something here reads: EnvSchema, the stack, the scripts, CI, the pg driver. */
  readonly envVars: ReadonlySet<string>;
  readonly outputs: ReadonlySet<string>;
  readonly alarms: ReadonlySet<string>;
  readonly metrics: ReadonlySet<string>;
  /** Saved Logs Insights query names without the `<service>/` prefix. */
  readonly queries: ReadonlySet<string>;
  /** Template resources: logical id and type. */
  readonly resources: readonly { readonly logicalId: string; readonly type: string }[];
  /** States of the poller's state machine. */
  readonly pollerStates: ReadonlySet<string>;
  /** The text of the code and the template, for "does this name occur anywhere". */
  readonly corpus: string;
  /** Whether a path (relative to the repository root) exists. */
  fileExists(relative: string): boolean;
  /** The source text of a repository file. */
  source(relative: string): string;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return entry === 'node_modules' ? [] : filesUnder(full);
    return /\.(ts|sql|json)$/.test(entry) ? [full] : [];
  });
}

/** The property names of the object literal passed to `z.object` in `const EnvSchema = …`. */
export function envSchemaKeys(configSource: string): string[] {
  const file = ts.createSourceFile('config.ts', configSource, ts.ScriptTarget.ES2023, true);
  let keys: string[] | undefined;
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && node.name.getText(file) === 'EnvSchema') {
      const findObject = (n: ts.Node): void => {
        if (keys) return;
        if (
          ts.isCallExpression(n) &&
          n.expression.getText(file).replace(/\s+/g, '') === 'z.object' &&
          n.arguments[0] &&
          ts.isObjectLiteralExpression(n.arguments[0])
        ) {
          keys = n.arguments[0].properties.map((p) => (p.name ? p.name.getText(file) : ''));
          return;
        }
        ts.forEachChild(n, findObject);
      };
      findObject(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (!keys) throw new Error('lambdas/shared/config.ts: no `const EnvSchema = z.object({…})` found');
  return keys;
}

/** `process.env.NAME`, `env.NAME` and `process.env['NAME']` reads in TypeScript. */
function envReadsInCode(text: string): string[] {
  return [...text.matchAll(/\benv(?:\.|\[['"])([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] as string);
}

/** `$NAME` / `${NAME:-…}` reads and `NAME=` settings in shell text (CI, npm scripts). */
function envNamesInShell(text: string): string[] {
  return [
    ...[...text.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] as string),
    ...[...text.matchAll(/(?:^|[\s"'])([A-Z][A-Z0-9_]*)=/g)].map((m) => m[1] as string),
  ];
}

/**
 * The variables the `pg` driver reads (`npm run migrate` connects with it): `PG` + the key of
 * each `val('key', config)`, and the names it reads explicitly.
 */
function pgDriverEnvVars(): string[] {
  const file = path.join(REPO_ROOT, 'node_modules/pg/lib/connection-parameters.js');
  const text = readFileSync(file, 'utf8');
  const names = new Set<string>();
  for (const m of text.matchAll(/val\('([a-z_]+)', config\)/g))
    names.add(`PG${(m[1] as string).toUpperCase()}`);
  for (const m of text.matchAll(/['"](PG[A-Z_]+)['"]/g)) names.add(m[1] as string);
  for (const m of text.matchAll(/process\.env\.(PG[A-Z_]+)/g)) names.add(m[1] as string);
  return [...names];
}

/** npm's command list, from the npm running this test (npm_execpath), else the npm on PATH. */
function npmCommands(): string[] {
  const cli =
    process.env.npm_execpath ||
    realpathSync(
      execFileSync(process.platform === 'win32' ? 'where' : 'which', ['npm'], { encoding: 'utf8' }).trim(),
    );
  const list = path.join(path.dirname(cli), '..', 'lib', 'utils', 'cmd-list.js');
  const { commands, aliases } = createRequire(list)(list) as {
    commands: string[];
    aliases: Record<string, string>;
  };
  return [...commands, ...Object.keys(aliases)];
}

/** The stack with every optional part on (JWT secret, feature flags), bundling skipped: names only. */
function synthesizedTemplate() {
  const everything = {
    authMode: 'both',
    // CDK's own context key: no stack needs its assets bundled to list its names.
    'aws:cdk:bundling-stacks': [],
  } as RawDeployContext;
  const { stack, template } = synthesizeCoach(everything);
  return { stack, json: template.toJSON() as TemplateJson };
}

interface TemplateJson {
  Outputs: Record<string, unknown>;
  Resources: Record<
    string,
    { Type: string; Properties?: { Name?: string; Environment?: { Variables?: Record<string, unknown> } } }
  >;
}

export function deriveKnownNames(): KnownNames {
  const read = (relative: string) => readFileSync(path.join(REPO_ROOT, relative), 'utf8');
  const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
  const { stack, json } = synthesizedTemplate();

  const resources = Object.entries(json.Resources).map(([logicalId, r]) => ({ logicalId, type: r.Type }));
  const templateEnv = Object.values(json.Resources).flatMap((r) =>
    r.Type === 'AWS::Lambda::Function' ? Object.keys(r.Properties?.Environment?.Variables ?? {}) : [],
  );
  const queries = Object.values(json.Resources)
    .filter((r) => r.Type === 'AWS::Logs::QueryDefinition')
    .map((r) => String(r.Properties?.Name ?? '').replace(/^[^/]+\//, ''));
  const pollerStates = Object.keys(
    (pollerStateMachineDefinition() as { States: Record<string, unknown> }).States,
  );

  const codeFiles = CODE_DIRS.flatMap((dir) => filesUnder(path.join(REPO_ROOT, dir)));
  const codeText = codeFiles.map((f) => readFileSync(f, 'utf8'));
  const configEnvVars = envSchemaKeys(read('lambdas/shared/config.ts'));
  const envVars = new Set([
    ...configEnvVars,
    ...templateEnv,
    ...codeText.flatMap(envReadsInCode),
    ...envNamesInShell(read('.ci/run')),
    ...Object.values(pkg.scripts).flatMap(envNamesInShell),
    ...pgDriverEnvVars(),
  ]);

  return {
    npmScripts: new Map(Object.entries(pkg.scripts)),
    npmCommands: new Set(npmCommands()),
    bins: new Set(readdirSync(path.join(REPO_ROOT, 'node_modules/.bin'))),
    contextKeys: new Set(CONTEXT_KEYS),
    configEnvVars: new Set(configEnvVars),
    templateEnvVars: new Set(templateEnv),
    envVars,
    outputs: new Set(Object.keys(json.Outputs)),
    // Every alarm of the stack: the monitoring's and those constructs keep for themselves (ErasureRunner).
    alarms: new Set(
      stack.node
        .findAll()
        .filter((c) => c instanceof cw.Alarm)
        .map((alarm) => alarm.node.id),
    ),
    metrics: new Set(Object.values(MetricName)),
    queries: new Set(queries),
    resources,
    pollerStates: new Set(pollerStates),
    corpus: [...codeText, read('package.json'), read('cdk.json'), JSON.stringify(json)].join('\n'),
    fileExists: (relative) => existsSync(path.join(REPO_ROOT, relative)),
    source: read,
  };
}

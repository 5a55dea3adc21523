/**
 * The docs test's checks, on small made-up documents against a small made-up project: each
 * kind of wrong name, and each non-portable snippet, is reported with its doc, line and name.
 * (docs.test.ts applies the same checks to the real docs and the real stack.)
 */
import { describe, expect, it } from '@jest/globals';
import type { KnownNames } from './known-names';
import { anchorsOf, parseMarkdown, relativeLinks } from './markdown';
import { nameProblems } from './name-checks';
import { formatProblems, type Pending } from './problems';
import { shellProblems } from './shell-checks';

const SOURCES: Record<string, string> = {
  'scripts/chat-cli.ts': "parseArgs({ options: { url: { type: 'string' }, json: { type: 'boolean' } } })",
  'scripts/migrate.ts': 'applyMigrations()',
  'scripts/fake.ts': "parseArgs({ options: { slow: { type: 'string' } } })",
};

const project: KnownNames = {
  npmScripts: new Map([
    ['start', 'tsx scripts/local-server.ts'],
    ['test', 'jest'],
    ['chat', 'tsx scripts/chat-cli.ts'],
    ['migrate', 'tsx scripts/migrate.ts'],
  ]),
  npmCommands: new Set(['ci', 'install', 'run', 'start', 'test']),
  bins: new Set(['cdk', 'tsx', 'jest']),
  contextKeys: new Set(['stage', 'supabaseUrl', 'openaiEnabled']),
  configEnvVars: new Set(['DATABASE_URL', 'OPENAI_API_KEY']),
  templateEnvVars: new Set(['STAGE']),
  envVars: new Set(['DATABASE_URL', 'OPENAI_API_KEY', 'STAGE', 'PGPASSWORD', 'MIVIA_TOKEN']),
  outputs: new Set(['FunctionsBaseUrl', 'ApiUrl', 'OpenAIApiKeySecretArn']),
  alarms: new Set(['ChatLatencyAlarm']),
  metrics: new Set(['ChatRequests']),
  queries: new Set(['errors-by-code']),
  resources: [{ logicalId: 'FunctionsChatFunction1234', type: 'AWS::Lambda::Function' }],
  pollerStates: new Set(['Poll']),
  corpus: "chooseVariant 'validation_failed' SECRET_TTL_MS",
  fileExists: (relative) => relative in SOURCES || relative === '.ci/run',
  source: (relative) => SOURCES[relative] ?? '',
};

const PENDING: readonly Pending[] = [
  { kind: 'script-flag', name: 'npm run migrate -- --check', landsWith: 'a test' },
  { kind: 'error-code', name: 'not_configured', landsWith: 'a test' },
];

/** The problems of a made-up doc, one formatted line each. */
function problemsOf(markdown: string, pending: readonly Pending[] = PENDING): string[] {
  const doc = parseMarkdown('docs/x.md', markdown);
  const problems = [
    ...shellProblems(doc, project, pending),
    ...nameProblems(doc, project, pending, { identifiers: true }),
  ];
  return formatProblems(problems).split('\n').filter(Boolean);
}

const sh = (...lines: string[]) => ['```sh', ...lines, '```'].join('\n');

describe('the docs checks', () => {
  it('pass a doc whose every name exists', () => {
    const markdown = [
      'Run `npm start`, then `npm run chat -- --url <url> --json`; the `FunctionsBaseUrl` output.',
      sh(
        'STACK=MiviaCoach-prod',
        'out() { aws cloudformation describe-stacks --stack-name "$STACK" \\',
        '  --query "Stacks[0].Outputs[?OutputKey==\'$1\'].OutputValue" --output text; }',
        "printf 'token: ' >&2; IFS= read -rs MIVIA_TOKEN; export MIVIA_TOKEN",
        'npm run chat -- --url "$(out FunctionsBaseUrl)" --json',
        'PGPASSWORD=x npm run migrate -- --check   # the preflight',
        'npx cdk deploy -c stage=prod -c supabaseUrl=https://abcd.supabase.co',
      ),
      '',
      '| status | code |',
      '|---|---|',
      '| 400 | `validation_failed` |',
      '| 503 | `not_configured` |',
    ].join('\n');

    expect(problemsOf(markdown)).toEqual([]);
  });

  it('name an npm script, an npx executable, a script flag and a file that do not exist', () => {
    const problems = problemsOf(
      sh(
        'npm run deploy',
        'npm frobnicate',
        'npx cowsay hi',
        'npm run chat -- --verbose',
        'npx tsx scripts/nope.ts',
        '.ci/nope',
      ),
    );

    expect(problems).toEqual([
      'docs/x.md:2: npm run deploy — no such script in package.json',
      'docs/x.md:3: npm frobnicate — neither an npm command nor a script',
      'docs/x.md:4: npx cowsay — no such executable in node_modules/.bin (npx would download one)',
      'docs/x.md:5: npm run chat -- --verbose — scripts/chat-cli.ts has no --verbose option',
      'docs/x.md:6: npx tsx scripts/nope.ts — no such file',
      'docs/x.md:7: .ci/nope — .ci/nope does not exist',
    ]);
  });

  it('name a repository path in a code span that does not exist', () => {
    const problems = problemsOf('See `scripts/migrate.ts` and `lambdas/shared/runtime.ts`, and `.ci/run`.');

    expect(problems).toEqual([
      'docs/x.md:1: lambdas/shared/runtime.ts — no such file or folder in the repository',
    ]);
  });

  it('name a pending flag once it exists, so the pending entry is removed', () => {
    const withCheck = { ...project, source: () => "if (args.includes('--check'))" };
    const doc = parseMarkdown('docs/x.md', sh('npm run migrate -- --check'));

    expect(formatProblems(shellProblems(doc, withCheck, PENDING))).toBe(
      'docs/x.md:2: npm run migrate -- --check — now exists: remove it from PENDING in test/unit/docs/docs.test.ts',
    );
    expect(problemsOf(sh('npm run migrate -- --check'), [])).toEqual([
      'docs/x.md:2: npm run migrate -- --check — scripts/migrate.ts has no --check option',
    ]);
  });

  it('name context keys, environment variables and outputs that do not exist', () => {
    const problems = problemsOf(
      [
        sh(
          'npx cdk deploy -c stage=prod -c killSwitch=true',
          'NOPE_VAR=1 npm start',
          'export OTHER_VAR=2',
          'echo "$UNSET_VAR"',
          'DATABASE_URL=postgres://x',
        ),
        'The `ChatUrl` output, `SOME_SETTING`, and the `GhostArn`.',
      ].join('\n'),
    );

    expect(problems).toEqual([
      'docs/x.md:2: -c killSwitch= — not a context key (CONTEXT_KEYS in lib/config.ts)',
      'docs/x.md:3: NOPE_VAR — set for a command, but nothing here reads that variable',
      'docs/x.md:4: OTHER_VAR — exported, but nothing here reads that variable',
      'docs/x.md:5: $UNSET_VAR — read but never set in this doc, and not a variable the code reads',
      'docs/x.md:6: DATABASE_URL — set but never exported: the program that reads it will not see it',
      'docs/x.md:8: ChatUrl — not an output of the synthesized stack',
      'docs/x.md:8: SOME_SETTING — neither an environment variable nor a name in the code',
      'docs/x.md:8: GhostArn — not an output of the synthesized stack',
    ]);
  });

  it('name table rows, alarms, error codes and identifiers that do not exist', () => {
    const problems = problemsOf(
      [
        '| key | default |',
        '|---|---|',
        '| `stage` | `dev` |',
        '| `region2` | unset |',
        '',
        '| metric | counted when |',
        '|---|---|',
        '| `ChatRequests` / `ChatTimeouts` | … |',
        '',
        '| variable | effect |',
        '|---|---|',
        '| `PORT_NUMBER` | … |',
        '',
        '| status | code |',
        '|---|---|',
        '| 418 | `teapot_error` |',
        '',
        '**ChatLatencyAlarm** and **ChatMoodAlarm**; see `chooseVariant` and `pickVariant()`.',
      ].join('\n'),
    );

    expect(problems).toEqual([
      'docs/x.md:4: region2 — not a context key (CONTEXT_KEYS in lib/config.ts)',
      'docs/x.md:8: ChatTimeouts — not a metric (MetricName in lambdas/shared/metric-names.ts)',
      'docs/x.md:12: PORT_NUMBER — no code, stack or script reads this environment variable',
      'docs/x.md:16: teapot_error — no such error code in the code',
      'docs/x.md:18: ChatMoodAlarm — no alarm of the stack has this id',
      'docs/x.md:18: pickVariant() — no such name in the code or the stack',
    ]);
  });

  it('refuse snippets that fail in zsh or on macOS, or leave a secret behind', () => {
    const problems = problemsOf(
      [
        sh(
          "IFS= read -rs -p 'key: ' KEY",
          'umask 077; cat > /tmp/key',
          'shred -u /tmp/key',
          'date -d yesterday',
          'aws secretsmanager put-secret-value --secret-id x --secret-string "$KEY"',
          'for f in $FILES; do echo "$f"; done',
        ),
        '```',
        'unlabelled',
        '```',
        '```bash',
        "read -rs -p 'fine in bash: ' KEY",
        '```',
      ].join('\n'),
    );

    expect(problems).toEqual([
      "docs/x.md:2: read -rs -p key:  KEY — read -p/-a are bash-only (zsh's -p reads a coprocess): print the prompt with printf",
      'docs/x.md:3: umask 077; cat > /tmp/key — writes a file to /tmp: a secret left there outlives the session',
      'docs/x.md:4: shred -u /tmp/key — shred is not on macOS, so the file stays; pipe the value instead',
      'docs/x.md:5: date -d yesterday — date -d is GNU-only (not on macOS)',
      'docs/x.md:6: aws secretsmanager put-secret-value --secret-id x --secret-string $KEY — a secret value on the command line lands in the history and the process list',
      'docs/x.md:7: for f in $FILES; do echo "$f"; done — an unquoted $VAR list is split by bash but not by zsh; list the words or use $(…); label the block bash or zsh, or rewrite it',
      'docs/x.md:7: $FILES — read but never set in this doc, and not a variable the code reads',
      'docs/x.md:9: ``` — label each code block with one of sh, bash, zsh, swift, sql, yaml, json, text',
    ]);
  });

  it('read heading anchors and relative links the way GitHub renders them', () => {
    const doc = parseMarkdown(
      'docs/x.md',
      [
        '### 4.3 Per-user overrides (`public.user_ai_settings`)',
        '### 8.1 "The coach doesn\'t answer"',
        "## 7. Capacity at 10× and 100× today's users",
        'See [a](operations.md#61-before), [b](#81-the-coach-doesnt-answer) and [c](https://example.com).',
      ].join('\n'),
    );

    expect([...anchorsOf(doc)]).toEqual([
      '43-per-user-overrides-publicuser_ai_settings',
      '81-the-coach-doesnt-answer',
      '7-capacity-at-10-and-100-todays-users',
    ]);
    expect(relativeLinks(doc)).toEqual([
      { line: 4, target: 'operations.md#61-before' },
      { line: 4, target: '#81-the-coach-doesnt-answer' },
    ]);
  });
});

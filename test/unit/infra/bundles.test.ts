/**
 * What each synthesized Lambda bundle carries: only what its function runs. Read from the
 * source map each asset ships (its `sources` name every module esbuild put in the bundle),
 * so the tests see what `cdk deploy` uploads. Sizes and start times: `npm run bench:bundles`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { logicalId, synthesizeCoach } from './support';

interface Bundle {
  readonly code: string;
  readonly bytes: number;
  /** The packages (`zod`, `@supabase/postgrest-js`) and project files the bundle holds. */
  readonly packages: ReadonlySet<string>;
  readonly sources: readonly string[];
  readonly hasMap: boolean;
}

/** The functions whose job calls OpenAI (the coach, or deleting a user's data there); the others must not carry its SDK. */
const CALLS_OPENAI = ['aidata', 'chat', 'chatstream', 'erasure', 'poller', 'threads'];

/**
 * Guards, not goals: the goals are 250 kB and 600 kB. Every function that never calls
 * OpenAI meets its goal. The three that do carry the official SDK, 394 kB of which nothing can
 * be shaken off (its client constructs every resource), plus zod's classic API (about 100 kB),
 * and come to about 620-635 kB: the guard for them sits about 6 % above that, so a new
 * dependency fails here rather than in a cold start.
 */
const BUDGET_KB = { withOpenAI: 675, withoutOpenAI: 250 };

let bundles: Record<string, Bundle>;

function packageOf(source: string): string {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  return inModules ? inModules[1]! : source.replace(/^(\.\.\/)+/, '');
}

beforeAll(() => {
  // Bundling happens as the functions are built: each asset is staged in the app's output
  // folder as `asset.<hash>`, the hash being the S3 key its template resource deploys.
  const { app, stack, template } = synthesizeCoach();
  const resources = template.toJSON().Resources as Record<
    string,
    { Properties: { Code: { S3Key: string } } }
  >;
  bundles = {};
  for (const fn of stack.functions.all) {
    const name = fn.node.id.toLowerCase();
    const { S3Key } = resources[logicalId(fn.function)]!.Properties.Code;
    const dir = path.join(app.outdir, `asset.${S3Key.replace(/\.zip$/, '')}`);
    const code = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
    const mapFile = path.join(dir, 'index.mjs.map');
    const sources = existsSync(mapFile)
      ? (JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[] }).sources
      : [];
    bundles[name] = {
      code,
      bytes: statSync(path.join(dir, 'index.mjs')).size,
      packages: new Set(sources.map(packageOf)),
      sources,
      hasMap: existsSync(mapFile),
    };
  }
});

describe('the Lambda bundles', () => {
  it('are one per function, each with its source map next to it', () => {
    expect(Object.keys(bundles).sort()).toEqual([
      'aidata',
      'authorizer',
      'chat',
      'chatstream',
      'context',
      'erasure',
      'feedback',
      'openapi',
      'poller',
      'runs',
      'threads',
    ]);
    for (const bundle of Object.values(bundles)) {
      expect(bundle.hasMap).toBe(true);
      expect(bundle.code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    }
  });

  it('carry the OpenAI SDK only in the functions that call OpenAI', () => {
    const withOpenAI = Object.entries(bundles)
      .filter(([, b]) => b.packages.has('openai'))
      .map(([name]) => name);

    expect(withOpenAI.sort()).toEqual(CALLS_OPENAI);
  });

  it('carry no Postgres driver, no supabase-js client but PostgREST, no X-Ray SDK and no AWS SDK', () => {
    const unwanted = [
      'pg',
      'pg-protocol',
      '@electric-sql/pglite',
      '@supabase/supabase-js',
      '@supabase/auth-js',
      '@supabase/realtime-js',
      '@supabase/storage-js',
      '@supabase/functions-js',
      '@aws-lambda-powertools/tracer',
      'aws-xray-sdk-core',
    ];
    for (const [name, bundle] of Object.entries(bundles)) {
      const found = [...bundle.packages].filter(
        (p) => unwanted.includes(p) || /^@(aws-sdk|smithy)\//.test(p),
      );
      expect({ name, found }).toEqual({ name, found: [] });
    }
    // The runtime's SDK clients, imported by name; Step Functions' only at a chat's first long run.
    expect(bundles.feedback!.code).toMatch(/from\s*"@aws-sdk\/client-secrets-manager"/);
    expect(bundles.chat!.code).toContain('import("@aws-sdk/client-sfn")');
    expect(bundles.chat!.code).not.toMatch(/from\s*"@aws-sdk\/client-sfn"/);
  });

  it("carry zod's schemas but not its locales: zod is imported as a namespace", () => {
    for (const [name, bundle] of Object.entries(bundles)) {
      const locales = bundle.sources.filter((s) => /node_modules\/zod\/v4\/locales\/(?!en\.js)/.test(s));
      expect({ name, locales }).toEqual({ name, locales: [] });
    }
  });

  it('stay within their size guards', () => {
    const over = Object.entries(bundles)
      .map(([name, bundle]) => ({
        name,
        kb: bundle.bytes / 1000,
        budget: CALLS_OPENAI.includes(name) ? BUDGET_KB.withOpenAI : BUDGET_KB.withoutOpenAI,
      }))
      .filter(({ kb, budget }) => kb > budget);

    expect(over).toEqual([]);
  });
});

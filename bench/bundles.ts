/**
 * `npm run bench:bundles`: what each Lambda of the synthesized template ships and how fast it
 * starts. For every `AWS::Lambda::Function` of `cdk.out` (synthesized first, unless
 * `--no-synth`): the minified bundle and its source map, then, in a fresh `node` process per
 * run, the import of the handler module and the first thrown error (`cold-import-probe.mjs`),
 * with and without `--enable-source-maps`. Figures are medians over the runs, interleaved
 * across functions so that a noisy neighbour hits them all alike.
 *
 *   npm run bench:bundles [-- --no-synth] [--cdk-out DIR] [--runs N] [--json FILE]
 *
 * `--cdk-out DIR` measures another cloud assembly as it is (say, one synthesized from an
 * earlier commit, to compare); it implies `--no-synth`.
 *
 * `--json FILE` writes `bundles.<function>.kb`, `bundles.<function>.map_kb`,
 * `cold_init_ms.<function>` (the import, under the NODE_OPTIONS the template deploys) and
 * `first_error_ms.<function>` (the same options) and `deferred_sdk_ms.<function>` (loading the
 * AWS SDK clients the bundle imports at first use) as nested objects.
 * 1 kB is 1,000 bytes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROBE = fileURLToPath(new URL('./cold-import-probe.mjs', import.meta.url));
const SOURCE_MAPS_FLAG = '--enable-source-maps';

/** One function of the template and the asset it deploys. */
export interface FunctionAsset {
  /** The construct id under `Functions/`, lower-cased: `chat`, `openapi`, … */
  readonly name: string;
  readonly bundle: string;
  /** The source map next to the bundle, if the asset ships one. */
  readonly sourceMap: string | undefined;
  readonly memoryMb: number;
  /** The AWS SDK clients the bundle imports at first use (`import("@aws-sdk/…")`), not at start. */
  readonly deferredImports: readonly string[];
  /** The function's environment, with every value CloudFormation resolves at deploy time replaced by a placeholder. */
  readonly environment: Readonly<Record<string, string>>;
}

interface TemplateFunction {
  readonly Type: string;
  readonly Metadata?: Record<string, unknown>;
  readonly Properties: {
    readonly Handler?: string;
    readonly MemorySize?: number;
    readonly Environment?: { readonly Variables?: Record<string, unknown> };
  };
}

/** The functions of every stack in `cdkOut`, read from the cloud assembly's manifest. */
export function synthesizedAssets(cdkOut = path.join(ROOT, 'cdk.out')): FunctionAsset[] {
  const manifest = JSON.parse(readFileSync(path.join(cdkOut, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const assets: FunctionAsset[] = [];
  for (const artifact of Object.values(manifest.artifacts)) {
    const templateFile = artifact.properties?.templateFile;
    if (artifact.type !== 'aws:cloudformation:stack' || !templateFile) continue;
    const template = JSON.parse(readFileSync(path.join(cdkOut, templateFile), 'utf8')) as {
      Resources: Record<string, TemplateFunction>;
    };
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const assetPath = resource.Metadata?.['aws:asset:path'];
      const cdkPath = String(resource.Metadata?.['aws:cdk:path'] ?? '');
      const name = /\/Functions\/([^/]+)\//.exec(cdkPath)?.[1]?.toLowerCase();
      if (typeof assetPath !== 'string' || !name) continue; // not one of ours (a CDK-provided function)
      const file = `${(resource.Properties.Handler ?? 'index.handler').split('.')[0]}.mjs`;
      const bundle = path.join(cdkOut, assetPath, file);
      const environment: Record<string, string> = {};
      for (const [key, value] of Object.entries(resource.Properties.Environment?.Variables ?? {})) {
        environment[key] = typeof value === 'string' ? value : `bench-unresolved-${key.toLowerCase()}`;
      }
      assets.push({
        name,
        bundle,
        sourceMap: existsSync(`${bundle}.map`) ? `${bundle}.map` : undefined,
        memoryMb: resource.Properties.MemorySize ?? 128,
        deferredImports: deferredImportsOf(readFileSync(bundle, 'utf8')),
        environment,
      });
    }
  }
  if (assets.length === 0) throw new Error(`No Lambda function assets in ${cdkOut}: run \`npx cdk synth\``);
  return assets;
}

/** The external `@aws-sdk/*` modules a bundle loads with a dynamic `import()`. */
function deferredImportsOf(code: string): string[] {
  return [...new Set([...code.matchAll(/\bimport\(\s*["'](@aws-sdk\/[^"']+)["']\s*\)/g)].map((m) => m[1]!))];
}

/** One probe run: milliseconds to import the handler, to its first error, and to load the deferred SDK clients. */
interface ProbeResult {
  readonly importMs: number;
  readonly firstErrorMs: number;
  readonly deferredMs: number;
}

/** The variables Lambda sets for a function, as far as an import can see them. */
function lambdaEnvironment(asset: FunctionAsset, sourceMaps: boolean): NodeJS.ProcessEnv {
  const options = (asset.environment.NODE_OPTIONS ?? '')
    .split(/\s+/)
    .filter((o) => o !== '' && o !== SOURCE_MAPS_FLAG);
  if (sourceMaps) options.push(SOURCE_MAPS_FLAG);
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...asset.environment,
    NODE_OPTIONS: options.join(' '),
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: `probe-${asset.name}`,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(asset.memoryMb),
    LAMBDA_TASK_ROOT: path.dirname(asset.bundle),
    TZ: ':UTC',
  };
}

/** Imports the bundle in a fresh `node` (external `@aws-sdk/*` resolve from the project's node_modules, as Lambda's are preinstalled). */
function probe(asset: FunctionAsset, sourceMaps: boolean): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PROBE, asset.bundle, ...asset.deferredImports], {
      cwd: path.dirname(asset.bundle),
      env: lambdaEnvironment(asset, sourceMaps),
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let result = '';
    let stderr = '';
    child.stdio[3]?.on('data', (chunk: Buffer) => (result += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0 || result === '') {
        reject(new Error(`probe of ${asset.name} exited ${code}: ${stderr.slice(-2000)}`));
      } else {
        resolve(JSON.parse(result) as ProbeResult);
      }
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** What one function weighs and how fast it starts; times are medians. */
export interface BundleMeasurement {
  readonly name: string;
  readonly kb: number;
  readonly mapKb: number;
  /** Whether the template's NODE_OPTIONS turn source maps on. */
  readonly deployedSourceMaps: boolean;
  readonly importMs: { readonly plain: number; readonly sourceMaps: number };
  readonly firstErrorMs: { readonly plain: number; readonly sourceMaps: number };
  /** The AWS SDK clients loaded at first use, and how long that load takes (without source maps). */
  readonly deferred: { readonly imports: readonly string[]; readonly ms: number };
  readonly runs: number;
}

const kb = (file: string | undefined) => (file ? statSync(file).size / 1000 : 0);

/** Measures every asset, `runs` fresh processes per function and mode. */
export async function measureBundles(
  assets: readonly FunctionAsset[],
  runs: number,
): Promise<BundleMeasurement[]> {
  const samples = new Map(
    assets.map((a) => [a.name, { plain: [] as ProbeResult[], sourceMaps: [] as ProbeResult[] }]),
  );
  // One at a time: the figures are cold starts, not a contest for two shared cores.
  for (let run = 0; run < runs; run += 1) {
    for (const asset of assets) {
      for (const sourceMaps of [false, true]) {
        samples.get(asset.name)![sourceMaps ? 'sourceMaps' : 'plain'].push(await probe(asset, sourceMaps));
      }
    }
  }
  return assets.map((asset) => {
    const s = samples.get(asset.name)!;
    return {
      name: asset.name,
      kb: kb(asset.bundle),
      mapKb: kb(asset.sourceMap),
      deployedSourceMaps: (asset.environment.NODE_OPTIONS ?? '').split(/\s+/).includes(SOURCE_MAPS_FLAG),
      importMs: {
        plain: median(s.plain.map((r) => r.importMs)),
        sourceMaps: median(s.sourceMaps.map((r) => r.importMs)),
      },
      firstErrorMs: {
        plain: median(s.plain.map((r) => r.firstErrorMs)),
        sourceMaps: median(s.sourceMaps.map((r) => r.firstErrorMs)),
      },
      deferred: { imports: asset.deferredImports, ms: median(s.plain.map((r) => r.deferredMs)) },
      runs,
    };
  });
}

/** The figures by the keys `npm run bench -- --json` writes (nested: `bundles.chat.kb` is `bundles → chat → kb`). */
export function bundleFigures(measurements: readonly BundleMeasurement[]) {
  const round = (n: number) => Math.round(n * 10) / 10;
  const deployed = (m: BundleMeasurement, t: BundleMeasurement['importMs']) =>
    round(m.deployedSourceMaps ? t.sourceMaps : t.plain);
  return {
    bundles: Object.fromEntries(
      measurements.map((m) => [m.name, { kb: round(m.kb), map_kb: round(m.mapKb) }]),
    ),
    cold_init_ms: Object.fromEntries(measurements.map((m) => [m.name, deployed(m, m.importMs)])),
    first_error_ms: Object.fromEntries(measurements.map((m) => [m.name, deployed(m, m.firstErrorMs)])),
    deferred_sdk_ms: Object.fromEntries(measurements.map((m) => [m.name, round(m.deferred.ms)])),
  };
}

/** The table `npm run bench:bundles` prints. */
export function formatBundleTable(measurements: readonly BundleMeasurement[]): string {
  const columns: ReadonlyArray<readonly [string, (m: BundleMeasurement) => string]> = [
    ['function', (m) => m.name],
    ['bundle kB', (m) => m.kb.toFixed(1)],
    ['map kB', (m) => m.mapKb.toFixed(1)],
    ['import ms', (m) => m.importMs.plain.toFixed(1)],
    ['import ms +maps', (m) => m.importMs.sourceMaps.toFixed(1)],
    ['first error ms', (m) => m.firstErrorMs.plain.toFixed(1)],
    ['first error ms +maps', (m) => m.firstErrorMs.sourceMaps.toFixed(1)],
    ['SDK at first use ms', (m) => (m.deferred.imports.length ? m.deferred.ms.toFixed(1) : '-')],
    ['deployed', (m) => (m.deployedSourceMaps ? SOURCE_MAPS_FLAG : 'no source maps')],
  ];
  const textColumns = new Set([0, columns.length - 1]);
  const rows = measurements.map((m) => columns.map(([, cell]) => cell(m)));
  const header = columns.map(([title]) => title);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (textColumns.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const deferred = [...new Set(measurements.flatMap((m) => m.deferred.imports))];
  return [
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    ...(deferred.length
      ? [`SDK at first use: loading ${deferred.join(', ')} when a request first needs it.`]
      : []),
  ].join('\n');
}

interface BenchArgs {
  readonly synth: boolean;
  readonly cdkOut: string;
  readonly runs: number;
  readonly json: string | undefined;
}

function parseArgs(argv: readonly string[]): BenchArgs {
  let synth = true;
  let cdkOut = path.join(ROOT, 'cdk.out');
  let runs = 7;
  let json: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--no-synth') synth = false;
    else if (arg === '--cdk-out') {
      cdkOut = path.resolve(argv[++i] ?? '');
      synth = false;
    } else if (arg === '--runs') runs = Number(argv[++i]);
    else if (arg === '--json') json = argv[++i];
    else
      throw new Error(
        `Unknown argument ${arg}. Usage: npm run bench:bundles [-- --no-synth] [--cdk-out DIR] [--runs N] [--json FILE]`,
      );
  }
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a whole number ≥ 1');
  if (argv.includes('--json') && !json) throw new Error('--json takes a file name');
  return { synth, cdkOut, runs, json };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.synth) {
    console.log('synthesizing the stack (npx cdk synth --quiet) …');
    const synth = spawnSync('npx', ['cdk', 'synth', '--quiet'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (synth.status !== 0) throw new Error(`cdk synth failed (exit ${synth.status})`);
  }
  const assets = synthesizedAssets(args.cdkOut);
  const measurements = await measureBundles(assets, args.runs);
  console.log(
    `Lambda bundles of ${path.relative(ROOT, args.cdkOut) || '.'}: size, and in a fresh node ${process.version} process per run the handler's import and its first error (median of ${args.runs} runs each).`,
  );
  console.log(formatBundleTable(measurements));
  if (args.json) {
    writeFileSync(args.json, `${JSON.stringify(bundleFigures(measurements), null, 2)}\n`);
    console.log(`figures written to ${args.json}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}

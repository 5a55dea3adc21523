/**
 * The hook for the bundle figures (`bundles.<function>.kb`, `cold_init_ms.<function>`):
 * `bench/bundles.ts` measures them from the synthesized assets (`npm run bench:bundles`,
 * which synthesizes with bundling first). When that module is present, `npm run bench`
 * runs it on the current `cdk.out` (synthesizing when there is none, or when a file of
 * `lambdas/`, `lib/` or `bin/` is newer, so a stale synth is never measured) and adds its figures
 * to the table and the JSON; when it is not, the table says so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BUNDLES_MODULE = fileURLToPath(new URL('./bundles.ts', import.meta.url));
const CDK_OUT = fileURLToPath(new URL('../cdk.out/manifest.json', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** What `bench/bundles.ts` exports (as far as this hook uses it). */
interface BundlesModule {
  synthesizedAssets(): unknown[];
  measureBundles(assets: unknown[], runs: number): Promise<unknown[]>;
  bundleFigures(measurements: unknown[]): {
    readonly bundles: Readonly<Record<string, { readonly kb: number }>>;
    readonly cold_init_ms: Readonly<Record<string, number>>;
  };
}

export type BundleFigures =
  | { readonly measured: true; readonly figures: ReturnType<BundlesModule['bundleFigures']> }
  | { readonly measured: false; readonly reason: string };

function isBundlesModule(value: unknown): value is BundlesModule {
  const m = value as Partial<BundlesModule> | null;
  return (
    typeof m?.synthesizedAssets === 'function' &&
    typeof m.measureBundles === 'function' &&
    typeof m.bundleFigures === 'function'
  );
}

export async function measureBundleFigures(runs: number): Promise<BundleFigures> {
  if (!existsSync(BUNDLES_MODULE))
    return { measured: false, reason: 'bench/bundles.ts (the lean-bundles work) is not on this branch' };
  const loaded: unknown = await import(pathToFileURL(BUNDLES_MODULE).href);
  if (!isBundlesModule(loaded))
    return {
      measured: false,
      reason: 'bench/bundles.ts does not export synthesizedAssets, measureBundles, bundleFigures',
    };
  if (!existsSync(CDK_OUT) || statSync(CDK_OUT).mtimeMs < newestSourceMs()) {
    const synth = spawnSync('npx', ['cdk', 'synth', '--quiet'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (synth.status !== 0) return { measured: false, reason: `cdk synth failed (exit ${synth.status})` };
  }
  const measurements = await loaded.measureBundles(loaded.synthesizedAssets(), runs);
  return { measured: true, figures: loaded.bundleFigures(measurements) };
}

/** The newest modification time of the sources a synth bundles. */
function newestSourceMs(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  for (const dir of ['lambdas', 'lib', 'bin']) walk(path.join(ROOT, dir));
  return newest;
}

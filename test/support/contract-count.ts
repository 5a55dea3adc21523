/** Where the contract validator's counts go: one file per test process, summed at the end of the run. */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

export const CONTRACT_COUNT_DIR_ENV = 'MIVIA_CONTRACT_COUNT_DIR';

export function addCheckedCount(count: number): void {
  const dir = process.env[CONTRACT_COUNT_DIR_ENV];
  if (!dir || count === 0) return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(path.join(dir, `${process.pid}.log`), `${count}\n`);
}

/** The sum of the counts, read once; the folder is removed. */
export function takeCheckedTotal(): number | null {
  const dir = process.env[CONTRACT_COUNT_DIR_ENV];
  if (!dir) return null;
  let total = 0;
  try {
    for (const file of readdirSync(dir)) {
      for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n')) total += Number(line) || 0;
    }
  } catch {
    return null;
  }
  rmSync(dir, { recursive: true, force: true });
  return total;
}

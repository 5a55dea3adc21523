import { describe, expect, it } from '@jest/globals';
import { cohortBucket, safetyIdentifier } from '../../../lambdas/shared/user-hash';

const USER = '3f1c2b7a-9d4e-4c21-8a6f-1b2c3d4e5f60';

function userId(i: number): string {
  return `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

describe('safetyIdentifier', () => {
  it('is a sha256 hex digest that does not contain the user id', () => {
    const id = safetyIdentifier(USER);

    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(id).not.toContain(USER.replaceAll('-', ''));
    expect(id).not.toContain(USER);
  });

  it('is stable for a user and differs between users', () => {
    expect(safetyIdentifier(USER)).toBe(safetyIdentifier(USER));
    expect(safetyIdentifier(USER)).toBe(safetyIdentifier(USER.toUpperCase()));
    expect(safetyIdentifier(USER)).not.toBe(safetyIdentifier(userId(1)));
  });
});

describe('cohortBucket', () => {
  it('is stable for a user', () => {
    expect(cohortBucket(USER)).toBe(cohortBucket(USER));
  });

  it('spreads users over the buckets 0 to 99', () => {
    // Act
    const buckets = Array.from({ length: 2000 }, (_, i) => cohortBucket(userId(i)));

    // Assess
    expect(Math.min(...buckets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...buckets)).toBeLessThanOrEqual(99);
    expect(buckets.every(Number.isInteger)).toBe(true);
    expect(new Set(buckets).size).toBe(100);
    const inLowerHalf = buckets.filter((b) => b < 50).length;
    expect(inLowerHalf).toBeGreaterThan(800);
    expect(inLowerHalf).toBeLessThan(1200);
  });
});

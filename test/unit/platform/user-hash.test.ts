import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { cohortBucket, DEFAULT_COHORT_SALT, safetyIdentifier } from '../../../lambdas/shared/user-hash';

const USER = '3f1c2b7a-9d4e-4c21-8a6f-1b2c3d4e5f60';

function userId(i: number): string {
  return `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

const TEN_THOUSAND = Array.from({ length: 10_000 }, (_, i) => userId(i));
const inOpenAI = (id: string, percent: number, salt?: string) => cohortBucket(id, salt) < percent;

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
  it('is stable for a user across calls and letter case, and always a whole number from 0 to 99', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.string(), (id, salt) => {
        const bucket = cohortBucket(id, salt);
        expect(cohortBucket(id, salt)).toBe(bucket);
        expect(cohortBucket(id.toUpperCase(), salt)).toBe(bucket);
        expect(Number.isInteger(bucket) && bucket >= 0 && bucket <= 99).toBe(true);
      }),
    );
  });

  it('keeps every existing user in their bucket under the default salt', () => {
    // The buckets before salting: sha256("mivia-coach:cohort:v1:" + id), first 32 bits mod 100.
    const unsalted = (id: string) =>
      createHash('sha256').update(`mivia-coach:cohort:v1:${id.toLowerCase()}`).digest().readUInt32BE(0) % 100;

    expect(TEN_THOUSAND.every((id) => cohortBucket(id) === unsalted(id))).toBe(true);
    expect(TEN_THOUSAND.every((id) => cohortBucket(id, DEFAULT_COHORT_SALT) === cohortBucket(id))).toBe(true);
  });

  it.each([0, 10, 50, 100])('puts %i %% of 10,000 users in the OpenAI group, within 2 points', (percent) => {
    const share = (TEN_THOUSAND.filter((id) => inOpenAI(id, percent)).length / TEN_THOUSAND.length) * 100;

    expect(Math.abs(share - percent)).toBeLessThanOrEqual(2);
  });

  it.each([0, 10, 50, 100])(
    'puts %i %% of 10,000 users in the OpenAI group under another salt too',
    (percent) => {
      const share =
        (TEN_THOUSAND.filter((id) => inOpenAI(id, percent, 'experiment-2')).length / 10_000) * 100;

      expect(Math.abs(share - percent)).toBeLessThanOrEqual(2);
    },
  );

  it('only moves users into the OpenAI group as the percentage grows (property-based)', () => {
    fc.assert(
      fc.property(
        fc.uuid(),
        fc.string(),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (id, salt, a, b) => {
          const [lower, higher] = a <= b ? [a, b] : [b, a];
          if (inOpenAI(id, lower, salt)) expect(inOpenAI(id, higher, salt)).toBe(true);
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('keeps the whole OpenAI group of a lower percentage inside the group of a higher one, over 10,000 users', () => {
    const buckets = new Map(TEN_THOUSAND.map((id) => [id, cohortBucket(id)]));
    const group = (percent: number) => new Set(TEN_THOUSAND.filter((id) => buckets.get(id)! < percent));
    const steps = [0, 1, 5, 10, 25, 50, 75, 99, 100];

    for (let i = 1; i < steps.length; i++) {
      const before = group(steps[i - 1]!);
      const after = group(steps[i]!);
      expect([...before].filter((id) => !after.has(id))).toEqual([]);
    }
  });

  it('draws new cohorts under a new salt', () => {
    const moved = TEN_THOUSAND.filter((id) => inOpenAI(id, 50) !== inOpenAI(id, 50, 'experiment-2')).length;

    // Independent halves disagree for about half of the users.
    expect(moved).toBeGreaterThan(4_000);
    expect(moved).toBeLessThan(6_000);
  });
});

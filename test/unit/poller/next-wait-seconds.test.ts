/**
 * The poller's backoff: how long the state machine's Wait state pauses between two polls
 * of a long run: the poller polls with backoff (lib/poller.ts).
 */
import { describe, expect, it } from '@jest/globals';
import {
  POLL_BASE_SECONDS,
  POLL_GROWTH_FACTOR,
  POLL_MAX_SECONDS,
  nextWaitSeconds,
} from '../../../lambdas/poller/service';

/** The delay before jitter: 2 s growing ×1.5 per attempt, capped at 20 s. */
const cappedDelay = (attempt: number) =>
  Math.min(POLL_MAX_SECONDS, POLL_BASE_SECONDS * POLL_GROWTH_FACTOR ** attempt);

const LOWEST = () => 0;
const MIDDLE = () => 0.5;
const HIGHEST = () => 0.999_999;

describe('nextWaitSeconds', () => {
  it('waits one or two seconds before the second poll', () => {
    expect(nextWaitSeconds(0, LOWEST)).toBe(1);
    expect(nextWaitSeconds(0, HIGHEST)).toBe(2);
  });

  it('grows with each attempt while below the cap', () => {
    const waits = Array.from({ length: 7 }, (_, attempt) => nextWaitSeconds(attempt, MIDDLE));

    for (let i = 1; i < waits.length; i += 1) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1] ?? 0);
    expect(waits[6]).toBeGreaterThan(3 * (waits[0] ?? 0));
  });

  it('never waits longer than the cap, however many attempts', () => {
    for (const attempt of [6, 7, 10, 50, 1000, 5000]) {
      expect(nextWaitSeconds(attempt, HIGHEST)).toBe(POLL_MAX_SECONDS);
      expect(nextWaitSeconds(attempt, LOWEST)).toBe(POLL_MAX_SECONDS / 2);
    }
  });

  it('draws each wait from between half the capped delay and the capped delay', () => {
    for (let attempt = 0; attempt <= 12; attempt += 1) {
      const cap = cappedDelay(attempt);
      for (const r of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999_999]) {
        const wait = nextWaitSeconds(attempt, () => r);
        expect(wait).toBeGreaterThanOrEqual(Math.max(1, Math.floor(cap / 2)));
        expect(wait).toBeLessThanOrEqual(Math.ceil(cap));
      }
    }
  });

  it('is a whole number of seconds and at least one (the Wait state needs a whole number)', () => {
    for (let attempt = 0; attempt <= 20; attempt += 1) {
      for (let i = 0; i < 20; i += 1) {
        const wait = nextWaitSeconds(attempt);
        expect(Number.isInteger(wait)).toBe(true);
        expect(wait).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('spreads out the polls of runs that started together', () => {
    const waits = Array.from({ length: 200 }, () => nextWaitSeconds(8));

    expect(new Set(waits).size).toBeGreaterThan(3);
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(POLL_MAX_SECONDS / 2);
    expect(Math.max(...waits)).toBeLessThanOrEqual(POLL_MAX_SECONDS);
  });
});

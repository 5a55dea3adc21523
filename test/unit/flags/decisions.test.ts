/**
 * The precedence the flags are applied with: kill switch > per-user override > cohort; and
 * which limits apply to signed-in and anonymous users.
 */
import { describe, expect, it } from '@jest/globals';
import { decideRollout, FLAG_DEFAULTS, limitsFor, type Flags } from '../../../lambdas/shared/flags';
import { cohortBucket } from '../../../lambdas/shared/user-hash';

const flags = (overrides: Partial<Flags>): Flags => ({ ...FLAG_DEFAULTS, ...overrides });
const USER = '3f1c2b7a-9d4e-4c21-8a6f-1b2c3d4e5f60';

describe('decideRollout', () => {
  it('gives everyone the simulated coach under the kill switch, a per-user "on" included', () => {
    const decision = decideRollout(flags({ openai_enabled: false, rollout_percent: 100 }), {
      userId: USER,
      openaiOverride: true,
    });

    expect(decision).toEqual({ openai: false, reason: 'kill_switch', cohort: cohortBucket(USER) });
  });

  it('lets a per-user setting beat the cohort, both ways', () => {
    const on = decideRollout(flags({ rollout_percent: 0 }), { userId: USER, openaiOverride: true });
    const off = decideRollout(flags({ rollout_percent: 100 }), { userId: USER, openaiOverride: false });

    expect([on.openai, on.reason, off.openai, off.reason]).toEqual([
      true,
      'user_override',
      false,
      'user_override',
    ]);
  });

  it('otherwise follows the cohort: bucket below the rollout percentage', () => {
    const bucket = cohortBucket(USER);

    const justIn = decideRollout(flags({ rollout_percent: bucket + 1 }), {
      userId: USER,
      openaiOverride: null,
    });
    const justOut = decideRollout(flags({ rollout_percent: bucket }), { userId: USER });

    expect([justIn.openai, justIn.reason, justOut.openai]).toEqual([true, 'cohort', false]);
  });

  it('uses the configured cohort salt', () => {
    const salt = 'experiment-2027-01';

    expect(decideRollout(FLAG_DEFAULTS, { userId: USER }, salt).cohort).toBe(cohortBucket(USER, salt));
  });
});

describe('limitsFor', () => {
  it('gives signed-in users the per-user limits', () => {
    expect(
      limitsFor(flags({ rate_limit_per_minute: 7, daily_cost_limit_usd_per_user: 2 }), { anonymous: false }),
    ).toEqual({
      allowed: true,
      ratePerMinute: 7,
      dailyMessages: FLAG_DEFAULTS.daily_message_limit_per_user,
      dailyTokens: FLAG_DEFAULTS.daily_token_limit_per_user,
      dailyCostUsd: 2,
    });
  });

  it('refuses anonymous users by default and gives them their own limits when allowed', () => {
    const refused = limitsFor(FLAG_DEFAULTS, { anonymous: true });
    const allowed = limitsFor(flags({ anonymous_enabled: true, anonymous_rate_limit_per_minute: 2 }), {
      anonymous: true,
    });

    expect(refused.allowed).toBe(false);
    expect(allowed).toEqual({
      allowed: true,
      ratePerMinute: 2,
      dailyMessages: FLAG_DEFAULTS.anonymous_daily_message_limit_per_user,
      dailyTokens: FLAG_DEFAULTS.anonymous_daily_token_limit_per_user,
      dailyCostUsd: FLAG_DEFAULTS.anonymous_daily_cost_limit_usd_per_user,
    });
  });
});

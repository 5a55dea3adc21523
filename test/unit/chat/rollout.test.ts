/**
 * What the chat hands the claim to choose a turn's variant and limits: the rollout for each
 * value the user's own setting may have (so precedence is decided once, by `decideRollout`),
 * the cohort stored with the reply, and the signed-in or anonymous limits.
 */
import { describe, expect, it } from '@jest/globals';
import { rolloutChoices, turnLimits } from '../../../lambdas/chat/variant';
import { FLAG_DEFAULTS, type Flags } from '../../../lambdas/shared/flags';
import { cohortBucket } from '../../../lambdas/shared/user-hash';

const flags = (overrides: Partial<Flags>): Flags => ({ ...FLAG_DEFAULTS, ...overrides });
const USER = '3f1c2b7a-9d4e-4c21-8a6f-1b2c3d4e5f60';
const SALT = 'test-salt';

describe('rolloutChoices', () => {
  it('follows the cohort when the user has no setting, and the setting when they have one', () => {
    const bucket = cohortBucket(USER, SALT);

    const choices = rolloutChoices(true, flags({ rollout_percent: bucket }), {
      userId: USER,
      cohortSalt: SALT,
    });

    expect(choices).toEqual({
      unset: { variant: 'simulated', reason: 'cohort', cohort: String(bucket) },
      enabled: { variant: 'openai', reason: 'user_override', cohort: 'override' },
      disabled: { variant: 'simulated', reason: 'user_override', cohort: 'override' },
    });
  });

  it('gives every choice the simulated coach under the kill switch, keeping the bucket as the cohort', () => {
    const choices = rolloutChoices(true, flags({ openai_enabled: false }), {
      userId: USER,
      cohortSalt: SALT,
    });

    for (const choice of Object.values(choices)) {
      expect(choice).toEqual({
        variant: 'simulated',
        reason: 'kill_switch',
        cohort: String(cohortBucket(USER, SALT)),
      });
    }
  });

  it('gives every choice the simulated coach when no OpenAI key is configured', () => {
    const choices = rolloutChoices(false, flags({ rollout_percent: 100 }), {
      userId: USER,
      cohortSalt: SALT,
    });

    expect(Object.values(choices).map((c) => [c.variant, c.reason])).toEqual([
      ['simulated', 'not_configured'],
      ['simulated', 'not_configured'],
      ['simulated', 'not_configured'],
    ]);
  });
});

describe('turnLimits', () => {
  it('holds a signed-in user to the signed-in limits and the global budget', () => {
    expect(turnLimits(flags({ global_daily_cost_budget_usd: 7 }), { anonymous: false })).toEqual({
      allowed: true,
      limits: {
        per_minute: FLAG_DEFAULTS.rate_limit_per_minute,
        daily_messages: FLAG_DEFAULTS.daily_message_limit_per_user,
        daily_tokens: FLAG_DEFAULTS.daily_token_limit_per_user,
        daily_cost_usd: FLAG_DEFAULTS.daily_cost_limit_usd_per_user,
        global_daily_cost_usd: 7,
      },
    });
  });

  it('refuses anonymous users by default, and holds them to their own limits when they are let in', () => {
    const refused = turnLimits(FLAG_DEFAULTS, { anonymous: true });
    const allowed = turnLimits(flags({ anonymous_enabled: true, anonymous_rate_limit_per_minute: 1 }), {
      anonymous: true,
    });

    expect(refused.allowed).toBe(false);
    expect(allowed).toMatchObject({
      allowed: true,
      limits: {
        per_minute: 1,
        daily_messages: FLAG_DEFAULTS.anonymous_daily_message_limit_per_user,
        daily_tokens: FLAG_DEFAULTS.anonymous_daily_token_limit_per_user,
        daily_cost_usd: FLAG_DEFAULTS.anonymous_daily_cost_limit_usd_per_user,
      },
    });
  });
});

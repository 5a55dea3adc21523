/**
 * Decisions taken from the flags, in one place so every handler applies the same
 * precedence: the kill switch beats a per-user override, which beats the cohort.
 */
import { cohortBucket } from '../user-hash';
import type { Flags } from './schema';

/** Which rule decided a user's variant. */
export type RolloutReason = 'kill_switch' | 'user_override' | 'cohort';

export interface RolloutDecision {
  /** Whether the user gets OpenAI replies (budgets and the global cost budget still apply). */
  readonly openai: boolean;
  readonly reason: RolloutReason;
  /** The user's bucket, 0–99, recorded with the reply so the A/B report can group by it. */
  readonly cohort: number;
}

/**
 * Whether a user gets the OpenAI coach: `openai_enabled: false` (the kill switch) decides
 * for everyone, per-user overrides included, because it is the rollback; otherwise the
 * user's own setting (`user_ai_settings.openai_enabled`) when there is one; otherwise the
 * cohort, `cohortBucket(user) < rollout_percent`.
 */
export function decideRollout(
  flags: Pick<Flags, 'openai_enabled' | 'rollout_percent'>,
  user: { readonly userId: string; readonly openaiOverride?: boolean | null },
  cohortSalt?: string,
): RolloutDecision {
  const cohort = cohortBucket(user.userId, cohortSalt);
  if (!flags.openai_enabled) return { openai: false, reason: 'kill_switch', cohort };
  if (typeof user.openaiOverride === 'boolean') {
    return { openai: user.openaiOverride, reason: 'user_override', cohort };
  }
  return { openai: cohort < flags.rollout_percent, reason: 'cohort', cohort };
}

/** The limits that apply to one user, before their own `user_ai_settings` overrides. */
export interface UserLimits {
  /** False: the user may not chat at all (anonymous users while `anonymous_enabled` is off). */
  readonly allowed: boolean;
  readonly ratePerMinute: number;
  readonly dailyMessages: number;
  readonly dailyTokens: number;
  readonly dailyCostUsd: number;
}

/** The signed-in or the anonymous set of limits, by the token's `is_anonymous`. */
export function limitsFor(flags: Flags, user: { readonly anonymous: boolean }): UserLimits {
  if (user.anonymous) {
    return {
      allowed: flags.anonymous_enabled,
      ratePerMinute: flags.anonymous_rate_limit_per_minute,
      dailyMessages: flags.anonymous_daily_message_limit_per_user,
      dailyTokens: flags.anonymous_daily_token_limit_per_user,
      dailyCostUsd: flags.anonymous_daily_cost_limit_usd_per_user,
    };
  }
  return {
    allowed: true,
    ratePerMinute: flags.rate_limit_per_minute,
    dailyMessages: flags.daily_message_limit_per_user,
    dailyTokens: flags.daily_token_limit_per_user,
    dailyCostUsd: flags.daily_cost_limit_usd_per_user,
  };
}

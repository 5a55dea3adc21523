/** Which coach answers a turn, and the limits it is held to, as the claim takes them. */
import { decideRollout, limitsFor, type Flags, type RolloutDecision } from '../shared/flags';
import type { RolloutChoices, TurnLimits, TurnRollout } from './ports';

/**
 * The rollout for each value the user's own setting may have (unset, enabled, disabled), by
 * `decideRollout` (kill switch > per-user override > cohort). The claim, which reads the
 * setting, picks one: no precedence is decided in SQL. Without a model everyone is simulated.
 */
export function rolloutChoices(
  hasModel: boolean,
  flags: Flags,
  user: { readonly userId: string; readonly cohortSalt: string },
): RolloutChoices {
  const choice = (openaiOverride: boolean | null): TurnRollout => {
    const decision = decideRollout(flags, { userId: user.userId, openaiOverride }, user.cohortSalt);
    if (!hasModel) return { variant: 'simulated', reason: 'not_configured', cohort: cohortOf(decision) };
    return {
      variant: decision.openai ? 'openai' : 'simulated',
      reason: decision.reason,
      cohort: cohortOf(decision),
    };
  };
  return { unset: choice(null), enabled: choice(true), disabled: choice(false) };
}

/** What the A/B report groups by: the salted bucket, or `override` when the user's own setting decided. */
function cohortOf(decision: RolloutDecision): string {
  return decision.reason === 'user_override' ? 'override' : String(decision.cohort);
}

/**
 * The limits of a signed-in or an anonymous user (`limitsFor`), with the global daily budget,
 * and whether the user may chat at all.
 */
export function turnLimits(
  flags: Flags,
  user: { readonly anonymous: boolean },
): { readonly allowed: boolean; readonly limits: TurnLimits } {
  const limits = limitsFor(flags, user);
  return {
    allowed: limits.allowed,
    limits: {
      per_minute: limits.ratePerMinute,
      daily_messages: limits.dailyMessages,
      daily_tokens: limits.dailyTokens,
      daily_cost_usd: limits.dailyCostUsd,
      global_daily_cost_usd: flags.global_daily_cost_budget_usd,
    },
  };
}

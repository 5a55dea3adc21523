/** Which coach answers a turn: OpenAI, the simulated coach, or nobody (budget spent). */
import type { ChatPolicy } from '../shared/policy';
import type { UserAiSettings } from '../shared/ports';
import { cohortBucket } from '../shared/user-hash';
import type { UsageToday } from './ports';

export type VariantDecision = 'openai' | 'simulated' | 'budget_exceeded';

/** Kill switch, per-user override, A/B cohort, then the user's daily budget. */
export function chooseVariant(
  hasModel: boolean,
  policy: ChatPolicy,
  userId: string,
  settings: UserAiSettings,
  usageToday: Pick<UsageToday, 'tokens' | 'cost_usd'>,
): VariantDecision {
  // The kill switch wins over everything, per-user overrides included: it is the rollback.
  if (!hasModel || !policy.openaiEnabled) return 'simulated';
  const enabled = settings.openai_enabled ?? cohortBucket(userId) < policy.rolloutPercent;
  if (!enabled) return 'simulated';
  const tokenLimit = settings.daily_token_limit ?? policy.dailyTokenLimitPerUser;
  const costLimit = settings.daily_cost_limit_usd ?? policy.dailyCostLimitUsdPerUser;
  if (usageToday.tokens >= tokenLimit || usageToday.cost_usd >= costLimit) return 'budget_exceeded';
  return 'openai';
}

export function secondsUntilUtcMidnight(nowMs: number): number {
  const d = new Date(nowMs);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
  return Math.max(1, Math.ceil((midnight - nowMs) / 1000));
}

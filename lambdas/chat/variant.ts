/** Which coach answers a turn: OpenAI, the simulated coach, or nobody (budget spent). */
import { decideRollout, limitsFor, type Flags } from '../shared/flags';
import type { UserAiSettings } from '../shared/ports';
import type { UsageToday } from './ports';

export type VariantDecision = 'openai' | 'simulated' | 'budget_exceeded';

/** Kill switch, per-user override, A/B cohort (`decideRollout`), then the user's daily budget. */
export function chooseVariant(
  hasModel: boolean,
  flags: Flags,
  user: { readonly userId: string; readonly anonymous: boolean; readonly cohortSalt: string },
  settings: UserAiSettings,
  usageToday: Pick<UsageToday, 'tokens' | 'cost_usd'>,
): VariantDecision {
  if (!hasModel) return 'simulated';
  const rollout = decideRollout(
    flags,
    { userId: user.userId, openaiOverride: settings.openai_enabled },
    user.cohortSalt,
  );
  if (!rollout.openai) return 'simulated';
  const limits = limitsFor(flags, user);
  const tokenLimit = settings.daily_token_limit ?? limits.dailyTokens;
  const costLimit = settings.daily_cost_limit_usd ?? limits.dailyCostUsd;
  if (usageToday.tokens >= tokenLimit || usageToday.cost_usd >= costLimit) return 'budget_exceeded';
  return 'openai';
}

export function secondsUntilUtcMidnight(nowMs: number): number {
  const d = new Date(nowMs);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
  return Math.max(1, Math.ceil((midnight - nowMs) / 1000));
}

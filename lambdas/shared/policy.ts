/**
 * The switches and budgets a turn is decided by, from the configuration (per-user settings
 * override some of them). Precedence: the kill switch (`openaiEnabled: false`) beats a
 * per-user "on", which beats the rollout cohort.
 */
import type { AppConfig } from './config';

export interface ChatPolicy {
  readonly openaiEnabled: boolean;
  readonly fallbackEnabled: boolean;
  /** Share of users (0–100, by a stable hash) who get OpenAI; the rest the simulated coach. */
  readonly rolloutPercent: number;
  readonly dailyTokenLimitPerUser: number;
  readonly dailyCostLimitUsdPerUser: number;
  /** How long the request waits for the model before handing the run to the poller. */
  readonly syncBudgetMs: number;
  readonly modelOverrides: Readonly<Record<string, string>>;
}

export function policyFromConfig(cfg: AppConfig): ChatPolicy {
  return {
    openaiEnabled: cfg.openaiEnabled,
    fallbackEnabled: cfg.fallbackEnabled,
    rolloutPercent: cfg.openaiRolloutPercent,
    dailyTokenLimitPerUser: cfg.dailyTokenLimitPerUser,
    dailyCostLimitUsdPerUser: cfg.dailyCostLimitUsdPerUser,
    syncBudgetMs: cfg.chatSyncBudgetMs,
    modelOverrides: cfg.coachModelOverrides,
  };
}

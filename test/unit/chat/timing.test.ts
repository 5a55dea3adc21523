/**
 * The chat's time budget adds up: the longest sync budget, recording twice at the store's
 * timeout, the slack and the early 503 fit in the chat function's timeout, and the transport's
 * own timeout is no longer than the one counted on.
 */
import { describe, expect, it } from '@jest/globals';
import { FUNCTION_TIMEOUT_SECONDS } from '../../../lambdas/shared/contract/routes';
import {
  CHAT_FUNCTION_TIMEOUT_SECONDS,
  CHAT_TIMEOUT_EARLY_MS,
  MAX_CHAT_SYNC_BUDGET_MS,
  MODEL_OVERRUN_MS,
  POLLER_START_TIMEOUT_MS,
  RECORD_ATTEMPTS,
  RECORD_SLACK_MS,
  STORE_CALL_TIMEOUT_MS,
} from '../../../lambdas/shared/contract/timing';
import { FLAG_DEFINITIONS } from '../../../lambdas/shared/flags';
import { DEFAULT_STORE_TIMEOUT_MS } from '../../../lambdas/shared/store/supabase-transport';

describe('the chat time budget', () => {
  it('fits the longest sync budget and two record attempts in the chat function timeout', () => {
    expect(
      MAX_CHAT_SYNC_BUDGET_MS +
        RECORD_ATTEMPTS * STORE_CALL_TIMEOUT_MS +
        RECORD_SLACK_MS +
        CHAT_TIMEOUT_EARLY_MS,
    ).toBeLessThanOrEqual(CHAT_FUNCTION_TIMEOUT_SECONDS * 1000);
    expect(MAX_CHAT_SYNC_BUDGET_MS).toBe(15_000);
    expect(FUNCTION_TIMEOUT_SECONDS.chat).toBe(CHAT_FUNCTION_TIMEOUT_SECONDS);
  });

  it('counts on the timeout the Lambdas’ store transport really has', () => {
    expect(DEFAULT_STORE_TIMEOUT_MS).toBeLessThanOrEqual(STORE_CALL_TIMEOUT_MS);
  });

  it('fits what follows the budget in what the cap leaves: the model overrun and recording twice, or the 202 path', () => {
    const afterBudget = RECORD_ATTEMPTS * STORE_CALL_TIMEOUT_MS + RECORD_SLACK_MS;

    expect(MODEL_OVERRUN_MS + RECORD_ATTEMPTS * STORE_CALL_TIMEOUT_MS).toBeLessThanOrEqual(afterBudget);
    // The pending run, the poller's start, and the fallback stored when it does not start.
    expect(
      MODEL_OVERRUN_MS + STORE_CALL_TIMEOUT_MS + POLLER_START_TIMEOUT_MS + STORE_CALL_TIMEOUT_MS,
    ).toBeLessThanOrEqual(afterBudget);
  });

  it('defaults the sync budget to the cap, which the flags document refuses to exceed', () => {
    const budget = FLAG_DEFINITIONS.sync_budget_ms;

    expect(budget.default).toBe(MAX_CHAT_SYNC_BUDGET_MS);
    expect(budget.schema.safeParse(MAX_CHAT_SYNC_BUDGET_MS + 1).success).toBe(false);
  });
});

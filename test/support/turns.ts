/**
 * What the store tests send and record: a turn's prepare input with limits nobody reaches by
 * accident, and the answers recorded for it. Shared by the store contract and the other store
 * and shape tests.
 */
import type {
  PrepareTurnInput,
  RolloutChoices,
  TurnLimits,
  TurnReservationBasis,
} from '../../lambdas/chat/ports';
import type { AiAnswer } from '../../lambdas/shared/ports';

export const OPENAI_ANSWER: AiAnswer = {
  response: 'Try a ten-minute walk right after dinner, before the sofa wins.',
  variant: 'openai',
  fallback: false,
  model_used: 'gpt-6-astra',
  openai_response_id: 'resp_contract_1',
  usage: {
    input_tokens: 1200,
    cached_tokens: 1024,
    cache_write_tokens: 0,
    output_tokens: 80,
    reasoning_tokens: 16,
    total_tokens: 1280,
  },
  cost_estimate: 0.001234,
  response_time_ms: 1500,
};

export const SIMULATED_FALLBACK: AiAnswer = {
  response: 'Small, steady steps make a big difference. What is one thing you could try today?',
  variant: 'simulated',
  fallback: true,
  model_used: 'simulated',
  openai_response_id: null,
  usage: {
    input_tokens: 0,
    cached_tokens: 0,
    cache_write_tokens: 0,
    output_tokens: 0,
    reasoning_tokens: 0,
    total_tokens: 0,
  },
  cost_estimate: 0,
  response_time_ms: 40,
};

/** The message the contract's turns send. */
export const TURN_MESSAGE = 'I keep skipping my evening walk. Any ideas?';

/** Limits nobody reaches by accident. */
export const GENEROUS_LIMITS: TurnLimits = {
  per_minute: 1_000,
  daily_messages: 10_000,
  daily_tokens: 1_000_000_000,
  daily_cost_usd: 1_000,
  global_daily_cost_usd: 1_000_000,
};

/** OpenAI for everyone, as the cohort decided, whatever the user's own setting. */
export const OPENAI_ROLLOUT: RolloutChoices = {
  unset: { variant: 'openai', reason: 'cohort', cohort: '7' },
  enabled: { variant: 'openai', reason: 'user_override', cohort: 'override' },
  disabled: { variant: 'simulated', reason: 'user_override', cohort: 'override' },
};

/** 1,000 input and 100 output tokens at 1 and 5 USD per 1M: a worst case of 0.0015 USD. */
export const SMALL_RESERVE: TurnReservationBasis = {
  input_tokens: 1_000,
  output_tokens: 100,
  input_usd_per_mtok: 1,
  output_usd_per_mtok: 5,
  long_context: { above_input_tokens: 272_000, input_multiplier: 2, output_multiplier: 1.5 },
};

/** A prepare input for a general-coach turn of `userId` with key `clientMessageId`. */
export function turnInput(
  userId: string,
  clientMessageId: string,
  extra: Partial<PrepareTurnInput> = {},
): PrepareTurnInput {
  return {
    user_id: userId,
    assistant_type: 'general_coach',
    profile_ref: 'general_coach@1',
    chat_type: 'general',
    goal_id: null,
    journal_entry_id: null,
    thread_id: null,
    client_message_id: clientMessageId,
    message: TURN_MESSAGE,
    recent_limit: 5,
    rollout: OPENAI_ROLLOUT,
    limits: GENEROUS_LIMITS,
    reserve: SMALL_RESERVE,
    ...extra,
  };
}

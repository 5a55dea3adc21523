/**
 * The answer a turn stores: OpenAI's completed response or the simulated coach's reply, in
 * the shape the record functions take (`AiAnswer`). Chat and the poller build them the same way.
 */
import type { CoachContextData } from '../contract/schemas';
import { storableText } from '../contract/text';
import type { AiAnswer, CoachCompleted } from '../ports';
import { estimateCostUsd, ZERO_USAGE } from './pricing';
import { SIMULATED_MODEL, simulatedReply } from './simulated';

/**
 * The stored answer of a completed OpenAI response, cost computed per token kind. Its text is
 * made storable: a reply that is paid for is kept even if the model emitted a NUL.
 */
export function openaiAnswer(completed: CoachCompleted, elapsedMs: number): AiAnswer {
  return {
    response: storableText(completed.text),
    variant: 'openai',
    fallback: false,
    model_used: completed.model,
    openai_response_id: completed.response_id,
    usage: completed.usage,
    cost_estimate: estimateCostUsd(completed.model, completed.usage),
    response_time_ms: Math.max(0, Math.round(elapsedMs)),
  };
}

/** The simulated coach's answer; `fallback` when it stands in for OpenAI. */
export function simulatedAnswer(input: {
  readonly message: string;
  readonly chatType: string;
  readonly context: CoachContextData;
  readonly seed: string;
  readonly fallback: boolean;
  readonly elapsedMs: number;
}): AiAnswer {
  return {
    response: simulatedReply({
      message: input.message,
      chatType: input.chatType,
      context: input.context,
      seed: input.seed,
    }),
    variant: 'simulated',
    fallback: input.fallback,
    model_used: SIMULATED_MODEL,
    openai_response_id: null,
    usage: ZERO_USAGE,
    cost_estimate: 0,
    response_time_ms: Math.max(0, Math.round(input.elapsedMs)),
  };
}

/** Shared set-up for the OpenAI adapter tests: a model pointed at the fake, and a realistic turn. */
import { randomUUID } from 'node:crypto';
import { buildCoachContext, buildInstructions } from '../../../lambdas/shared/coach/context';
import {
  createOpenAICoachModel,
  type OpenAICoachModelOptions,
  type OpenAIRetryKind,
} from '../../../lambdas/shared/openai/model';
import { profileRef, resolveProfile } from '../../../lambdas/shared/coach/profiles';
import type { CoachTurnRequest } from '../../../lambdas/shared/ports';
import type { OpenAIFake } from '../../support/openai-fake';
import { sampleContext } from '../../unit/coach/context-data';

export function modelFor(
  fake: OpenAIFake,
  overrides: Partial<OpenAICoachModelOptions> = {},
): { model: ReturnType<typeof createOpenAICoachModel>; retries: OpenAIRetryKind[] } {
  const retries: OpenAIRetryKind[] = [];
  const model = createOpenAICoachModel({
    apiKey: fake.apiKey,
    baseURL: fake.baseURL,
    timeoutMs: 2000,
    maxRetries: 2,
    retryDelayMs: 5,
    maxRetryDelayMs: 50,
    onRetry: (kind) => retries.push(kind),
    ...overrides,
  });
  return { model, retries };
}

export function coachTurn(
  conversationId: string,
  input = 'I keep skipping my evening walk. Any ideas?',
): CoachTurnRequest {
  const profile = resolveProfile('pillar_health');
  return {
    model: profile.model,
    instructions: buildInstructions(
      profile,
      buildCoachContext(sampleContext(), { chatType: 'pillar_health', profile }),
    ),
    input,
    conversation_id: conversationId,
    max_output_tokens: profile.max_output_tokens,
    reasoning_effort: profile.reasoning_effort,
    temperature: profile.temperature,
    compact_threshold: profile.compact_threshold,
    safety_identifier: 'a3f1c2d4e5b6a7980123456789abcdef',
    prompt_cache_key: profileRef(profile),
    metadata: { run_id: randomUUID(), assistant_type: profile.id, chat_type: 'pillar_health' },
  };
}

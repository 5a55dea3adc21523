/**
 * `Screener` over OpenAI's moderation endpoint (`POST /v1/moderations`, model
 * `omni-moderation-latest`, free of charge), with the `openai` SDK. One request, no retries:
 * the screening runs alongside the turn and must not hold it, so a failure or a slow answer is
 * reported at once (`ScreeningError`) and the caller fails open.
 */
import type OpenAI from 'openai';
import { ScreeningError, type CallOptions, type ModerationVerdict, type Screener } from '../ports';
import { openAIClient, type OpenAIClientOptions } from './client';
import { classify, timed } from './errors';

/** The moderation model: free, text and images, the categories the crisis path reads. */
export const MODERATION_MODEL = 'omni-moderation-latest';

/** The longest a screening may hold a turn: past it, the turn goes on unscreened. */
export const SCREENING_TIMEOUT_MS = 1500;

/** `timeoutMs` is the longest one moderation may take before the turn goes on without it. */
export type OpenAIScreenerOptions = OpenAIClientOptions;

export function createOpenAIScreener(options: OpenAIScreenerOptions): Screener {
  const client = openAIClient(options);
  return {
    async moderate(text: string, callOptions: CallOptions = {}): Promise<ModerationVerdict> {
      let answer: OpenAI.Moderations.ModerationCreateResponse;
      try {
        answer = await timed(options.timeoutMs, (timeout) =>
          client.moderations.create(
            { model: MODERATION_MODEL, input: text },
            { timeout, ...(callOptions.signal ? { signal: callOptions.signal } : {}) },
          ),
        );
      } catch (error) {
        throw new ScreeningError(classify(error).kind, { cause: error });
      }
      const result = answer.results[0];
      if (!result) throw new ScreeningError('bad_answer');
      return {
        flagged: result.flagged,
        // `illicit` may be null (not evaluated): only a category marked true counts.
        categories: Object.fromEntries(
          Object.entries(result.categories).map(([category, flagged]) => [category, flagged === true]),
        ),
        scores: { ...result.category_scores },
      };
    },
  };
}

/**
 * `Screener` over OpenAI's moderation endpoint (`POST /v1/moderations`, model
 * `omni-moderation-latest`, free of charge), with the `openai` SDK. One request, no retries:
 * the screening runs alongside the turn and must not hold it, so a failure or a slow answer is
 * reported at once (`ScreeningError`) and the caller fails open.
 */
import OpenAI from 'openai';
import { ScreeningError, type CallOptions, type ModerationVerdict, type Screener } from '../ports';
import { classify, timed } from './errors';

/** The moderation model: free, text and images, the categories the crisis path reads. */
export const MODERATION_MODEL = 'omni-moderation-latest';

/** The longest a screening may hold a turn: past it, the turn goes on unscreened. */
export const SCREENING_TIMEOUT_MS = 1500;

export interface OpenAIScreenerOptions {
  readonly apiKey: string;
  /** Defaults to OpenAI's; tests point it at the fake server. */
  readonly baseURL?: string | undefined;
  /** The longest one moderation may take before the turn goes on without it. */
  readonly timeoutMs: number;
  readonly fetch?: typeof globalThis.fetch;
}

export function createOpenAIScreener(options: OpenAIScreenerOptions): Screener {
  const client = new OpenAI({
    apiKey: options.apiKey,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    timeout: options.timeoutMs,
    maxRetries: 0,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
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

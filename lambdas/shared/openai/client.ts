/**
 * The `openai` SDK client every adapter uses (the coach, moderation, the eraser): our own
 * timeouts, and the SDK's retries always off, since each adapter decides what may be retried.
 */
import OpenAI from 'openai';

/** How to reach OpenAI. */
export interface OpenAIClientOptions {
  readonly apiKey: string;
  /** Defaults to OpenAI's; tests point it at the fake server. */
  readonly baseURL?: string | undefined;
  /** Per HTTP request, until the response headers arrive (the SDK's `timeout`). */
  readonly timeoutMs: number;
  /** An injected `fetch` (tests, instrumentation). */
  readonly fetch?: typeof globalThis.fetch;
}

export function openAIClient(options: OpenAIClientOptions): OpenAI {
  return new OpenAI({
    apiKey: options.apiKey,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    timeout: options.timeoutMs,
    maxRetries: 0,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** What the adapter's parts share: the SDK client, its budgets and the retry hook. */
import type OpenAI from 'openai';
import type { RetryPolicy } from './retries';

/** What was retried, for the `OpenAIRetries` metric. */
export type OpenAIRetryKind = 'rate_limited' | 'upstream_error' | 'timeout' | 'connection' | 'stream_resume';

export interface AdapterContext {
  readonly client: OpenAI;
  /** Per HTTP request, until the response headers arrive (the SDK's `timeout`). */
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  /** How many times a broken stream is resumed before handing over to the poller. */
  readonly streamResumes: number;
  readonly onRetry: ((kind: OpenAIRetryKind) => void) | undefined;
}

/**
 * The retry loop of OpenAI calls that are safe to repeat (retrieve, cancel, conversation
 * create, deletions, listings): a retryable failure (rate limit, 5xx, timeout, connection)
 * is retried with backoff, at most `retry.maxRetries` times; anything else, or the last
 * failure, is thrown as the `CoachModelError` it classifies as. The caller's abort signal
 * ends every wait.
 */
import type { AdapterContext, OpenAIRetryKind } from './context';
import { abortedError, classify, timed, toCoachModelError } from './errors';
import { backoffMs, sleep } from './retries';

/** The budgets and hook the retry loop uses (an `AdapterContext` has them). */
export type IdempotentContext = Pick<AdapterContext, 'timeoutMs' | 'retry' | 'onRetry'>;

/** Runs `operation` with a timeout, retrying retryable failures as described above. */
export async function callIdempotent<T>(
  ctx: IdempotentContext,
  operation: (signal: AbortSignal | undefined, timeout: number) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw abortedError(signal);
    try {
      return await timed(ctx.timeoutMs, (timeout) => operation(signal, timeout));
    } catch (error) {
      const failure = classify(error);
      if (!failure.retryable || attempt >= ctx.retry.maxRetries) throw toCoachModelError(failure);
      ctx.onRetry?.(failure.kind as OpenAIRetryKind);
      await sleep(backoffMs(ctx.retry, attempt, failure.retryAfterMs), signal, () => abortedError(signal));
    }
  }
}

/** Backoff and `retry-after`, for the retry loops (`idempotent.ts` for the calls safe to repeat, `model.ts` for creates). */
import { setTimeout as delay } from 'node:timers/promises';

export interface RetryPolicy {
  /** Retries of one retryable failure per call. */
  readonly maxRetries: number;
  /** First backoff (doubled per retry). */
  readonly retryDelayMs: number;
  /** Cap on any backoff, `retry-after` included. */
  readonly maxRetryDelayMs: number;
}

/** The wait before retry `attempt` (0-based): the server's `retry-after` if given, else exponential with jitter. */
export function backoffMs(policy: RetryPolicy, attempt: number, retryAfter: number | undefined): number {
  if (retryAfter !== undefined) return Math.min(policy.maxRetryDelayMs, Math.max(0, retryAfter));
  const exponential = policy.retryDelayMs * 2 ** attempt;
  return Math.min(policy.maxRetryDelayMs, Math.round(exponential * (0.8 + Math.random() * 0.4)));
}

/** `retry-after-ms` (OpenAI's), else `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** Waits `ms`; rejects with `onAbort()` as soon as `signal` aborts. */
export async function sleep(
  ms: number,
  signal: AbortSignal | undefined,
  onAbort: () => Error,
): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
  } catch (error) {
    if (signal?.aborted) throw onAbort();
    throw error;
  }
}

/**
 * What an OpenAI failure means for us: retryable or not, whether OpenAI may have accepted the
 * request although we saw no answer (ambiguous), whether the conversation is locked by
 * another response. And the one place a failure becomes a `CoachModelError`.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { CoachModelError, isCoachModelError, type CoachEnded, type CoachModelErrorKind } from '../ports';
import { retryAfterMs } from './retries';

export interface Failure {
  readonly kind: CoachModelErrorKind;
  readonly retryable: boolean;
  /** OpenAI may have accepted the request although we saw no answer. */
  readonly ambiguous: boolean;
  /** 400 `conversation_locked`: another response is running on the conversation. */
  readonly locked: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly message: string;
  readonly cause: unknown;
}

export function classify(error: unknown): Failure {
  const base = { ambiguous: false, locked: false, status: undefined, retryAfterMs: undefined, cause: error };
  if (isCoachModelError(error)) {
    return {
      ...base,
      kind: error.kind,
      retryable: false,
      message: error.message,
      status: error.options.status,
    };
  }
  if (error instanceof APIUserAbortError) {
    return {
      ...base,
      kind: 'timeout',
      retryable: false,
      ambiguous: true,
      message: 'The OpenAI request was aborted.',
    };
  }
  if (error instanceof APIConnectionTimeoutError) {
    return {
      ...base,
      kind: 'timeout',
      retryable: true,
      ambiguous: true,
      message: 'OpenAI did not answer in time.',
    };
  }
  if (error instanceof APIConnectionError) {
    return {
      ...base,
      kind: 'connection',
      retryable: true,
      ambiguous: true,
      message: 'The connection to OpenAI failed.',
    };
  }
  if (error instanceof APIError) return classifyStatus(error, base);
  // Anything else from fetch or the stream (e.g. `TypeError: terminated` when a socket breaks).
  return {
    ...base,
    kind: 'connection',
    retryable: true,
    ambiguous: true,
    message: `OpenAI call failed: ${String(error)}`,
  };
}

function classifyStatus(
  error: APIError,
  base: Pick<Failure, 'ambiguous' | 'locked' | 'retryAfterMs' | 'cause'>,
): Failure {
  const status = error.status as number | undefined;
  const code = error.code ?? undefined;
  const message = `OpenAI answered ${status ?? 'with an error'}${code ? ` (${code})` : ''}: ${error.message}`;
  const withStatus = { ...base, status, message };
  if (status === undefined) return { ...withStatus, kind: 'upstream_error', retryable: false };
  if (status === 429) {
    if (code === 'insufficient_quota' || error.type === 'insufficient_quota') {
      return { ...withStatus, kind: 'insufficient_quota', retryable: false };
    }
    return {
      ...withStatus,
      kind: 'rate_limited',
      retryable: true,
      retryAfterMs: retryAfterMs(error.headers),
    };
  }
  if (status === 401 || status === 403) return { ...withStatus, kind: 'auth', retryable: false };
  if (status === 400 && code === 'conversation_locked') {
    return {
      ...withStatus,
      kind: 'rate_limited',
      retryable: true,
      locked: true,
      retryAfterMs: retryAfterMs(error.headers),
    };
  }
  if (status === 408) return { ...withStatus, kind: 'timeout', retryable: true, ambiguous: true };
  if (status === 409) return { ...withStatus, kind: 'upstream_error', retryable: true };
  // A gateway's 502/504 may come after OpenAI accepted the request.
  if (status >= 500) {
    return {
      ...withStatus,
      kind: 'upstream_error',
      retryable: true,
      ambiguous: status === 502 || status === 504,
    };
  }
  return { ...withStatus, kind: 'bad_request', retryable: false };
}

export function toCoachModelError(failure: Failure): CoachModelError {
  if (isCoachModelError(failure.cause)) return failure.cause;
  return new CoachModelError(failure.kind, failure.message, {
    cause: failure.cause,
    ...(failure.status === undefined ? {} : { status: failure.status }),
    ...(failure.kind === 'rate_limited'
      ? { retryAfterSeconds: Math.max(1, Math.ceil((failure.retryAfterMs ?? 1000) / 1000)) }
      : {}),
  });
}

/** An `error` event in the stream: the SDK throws it as an `APIError` without an HTTP status. */
export function endedByStreamError(error: unknown, responseId: string): CoachEnded | null {
  if (error instanceof APIError && !(error instanceof APIConnectionError) && error.status === undefined) {
    return { status: 'failed', response_id: responseId, code: error.code ?? 'stream_error' };
  }
  return null;
}

/**
 * Runs one SDK request with a timeout, and reports a connection error that took the whole
 * timeout as the timeout it is: the SDK recognises its own timeout only by the abort error's
 * name, which not every fetch (nor every JavaScript realm, e.g. jest's) preserves.
 */
export async function timed<T>(timeoutMs: number, request: (timeoutMs: number) => Promise<T>): Promise<T> {
  const startedAt = Date.now();
  try {
    return await request(timeoutMs);
  } catch (error) {
    if (
      error instanceof APIConnectionError &&
      !(error instanceof APIConnectionTimeoutError) &&
      Date.now() - startedAt >= timeoutMs
    ) {
      throw Object.assign(new APIConnectionTimeoutError(), { cause: error });
    }
    throw error;
  }
}

/** The request was aborted (by the caller's signal) before OpenAI answered. */
export function abortedError(signal?: AbortSignal): CoachModelError {
  return new CoachModelError('timeout', 'The request was aborted before OpenAI answered.', {
    cause: signal?.reason,
  });
}

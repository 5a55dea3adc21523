/**
 * `OpenAIDataEraser` over the Conversations and Responses APIs with the `openai` SDK. Every
 * call is safe to repeat (a deletion that already happened answers 404), so each one is
 * retried on retryable failures within its own timeout (`callIdempotent`); the SDK's own
 * retries stay off, as in the coach model. A 404 means "already gone": it is the result, not
 * an error.
 */
import { openAIClient, type OpenAIClientOptions } from '../shared/openai/client';
import { callIdempotent, type IdempotentContext } from '../shared/openai/idempotent';
import { isCoachModelError } from '../shared/ports';
import type { OpenAIDataEraser } from './ports';

/** The eraser's client settings (`timeoutMs` per HTTP request). */
export interface OpenAIDataEraserOptions extends OpenAIClientOptions {
  /** Retries of one retryable failure per call. */
  readonly maxRetries: number;
  /** Called before each retry, e.g. to emit the `OpenAIRetries` metric. */
  readonly onRetry?: () => void;
  /** First backoff (doubled per retry). Default 250 ms. */
  readonly retryDelayMs?: number;
  /** Cap on any backoff, `retry-after` included. Default 2000 ms. */
  readonly maxRetryDelayMs?: number;
}

/** True for OpenAI's 404: the thing is not there (deleted already, or never stored). */
function isNotFound(error: unknown): boolean {
  return isCoachModelError(error) && error.options.status === 404;
}

/** `call`, with a 404 answered as `whenMissing`. */
async function unlessMissing<T>(call: () => Promise<T>, whenMissing: T): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) return whenMissing;
    throw error;
  }
}

/** An `OpenAIDataEraser` over the `openai` SDK. */
export function createOpenAIDataEraser(options: OpenAIDataEraserOptions): OpenAIDataEraser {
  const client = openAIClient(options);
  const ctx: IdempotentContext = {
    timeoutMs: options.timeoutMs,
    retry: {
      maxRetries: Math.max(0, Math.floor(options.maxRetries)),
      retryDelayMs: options.retryDelayMs ?? 250,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 2000,
    },
    onRetry: options.onRetry,
  };
  const call = <T>(
    operation: (signal: AbortSignal | undefined, timeout: number) => Promise<T>,
    signal: AbortSignal | undefined,
  ) => callIdempotent(ctx, operation, signal);

  return {
    async deleteResponse(id, { signal } = {}) {
      await unlessMissing(
        () => call((s, timeout) => client.responses.delete(id, { signal: s, timeout }), signal),
        undefined,
      );
    },
    async listItems(conversationId, page, { signal } = {}) {
      return unlessMissing(async () => {
        const result = await call(
          (s, timeout) =>
            client.conversations.items.list(
              conversationId,
              { order: 'asc', limit: page.limit, ...(page.after ? { after: page.after } : {}) },
              { signal: s, timeout },
            ),
          signal,
        );
        const ids = result.data.map((item) => item.id).filter((id): id is string => typeof id === 'string');
        return { ids, hasMore: result.has_more, lastId: ids.at(-1) ?? null };
      }, null);
    },
    async deleteItem(conversationId, itemId, { signal } = {}) {
      await unlessMissing(
        () =>
          call(
            (s, timeout) =>
              client.conversations.items.delete(
                itemId,
                { conversation_id: conversationId },
                { signal: s, timeout },
              ),
            signal,
          ),
        undefined,
      );
    },
    async deleteConversation(id, { signal } = {}) {
      await unlessMissing(
        () => call((s, timeout) => client.conversations.delete(id, { signal: s, timeout }), signal),
        undefined,
      );
    },
  };
}

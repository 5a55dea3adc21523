/**
 * `CoachModel` over OpenAI's Responses + Conversations API, with the `openai` SDK.
 *
 * The SDK's own retries are off (`maxRetries: 0`): its defaults retry every 429, including
 * `insufficient_quota`, and re-send a `responses.create` after a connection reset, which
 * creates (and bills) a second response when the first was already accepted. This adapter
 * owns the retry policy instead (docs/architecture.md, "OpenAI"):
 *
 * - 429 `rate_limit_exceeded`, 5xx, timeouts and connection errors are retried with a short
 *   backoff (honouring `retry-after-ms` / `retry-after`, capped), at most `maxRetries` times
 *   and only within the call's time budget; `insufficient_quota`, auth and other 4xx never
 *   (`errors.ts`, `retries.ts`).
 * - A create whose outcome is unknown is never blindly sent again: first the conversation is
 *   read (`recovery.ts`); if our input is there, its reply is awaited instead of creating a
 *   second response. A `conversation_locked` answer to a re-create means the same.
 * - A stream that breaks after `response.created` is resumed (`stream.ts`), else handed to
 *   the poller as still running; when the time budget ends, only the local stream is aborted.
 *
 * The caller's abort signal (the handler's, which fires before the Lambda timeout) is passed
 * to every request and every backoff.
 */
import OpenAI from 'openai';
import type { ResponseCreateParamsStreaming } from 'openai/resources/responses/responses';
import {
  CoachModelError,
  isCoachModelError,
  type CallOptions,
  type CoachModel,
  type CoachPoll,
  type CoachTurnRequest,
  type DeltaListener,
  type FollowOptions,
  type RespondOptions,
} from '../ports';
import type { AdapterContext, OpenAIRetryKind } from './context';
import { abortedError, classify, timed, toCoachModelError, endedByStreamError, type Failure } from './errors';
import { openAIClient, type OpenAIClientOptions } from './client';
import { callIdempotent } from './idempotent';
import { boundedMetadata, pollFrom } from './mapping';
import { awaitAcceptedTurn, findAcceptedTurn } from './recovery';
import { backoffMs, sleep } from './retries';
import { follow, followFrom, newProgress, resume } from './stream';

export type { OpenAIRetryKind } from './context';

export interface OpenAICoachModelOptions extends OpenAIClientOptions {
  /** Retries of one retryable failure per call; the SDK's own retries are always off. */
  readonly maxRetries: number;
  /** Called before each retry, e.g. to emit the `OpenAIRetries` metric. */
  readonly onRetry?: (kind: OpenAIRetryKind) => void;
  /** First backoff (doubled per retry). Default 250 ms. */
  readonly retryDelayMs?: number;
  /** Cap on any backoff, `retry-after` included. Default 2000 ms. */
  readonly maxRetryDelayMs?: number;
  /** How many times a broken stream is resumed before handing over to the poller. Default 2. */
  readonly streamResumes?: number;
}

export function createOpenAICoachModel(options: OpenAICoachModelOptions): OpenAICoachModel {
  const client = openAIClient(options);
  return new OpenAICoachModel(client, options);
}

export class OpenAICoachModel implements CoachModel {
  private readonly ctx: AdapterContext;

  constructor(client: OpenAI, options: Omit<OpenAICoachModelOptions, 'apiKey' | 'baseURL' | 'fetch'>) {
    this.ctx = {
      client,
      timeoutMs: options.timeoutMs,
      retry: {
        maxRetries: Math.max(0, Math.floor(options.maxRetries)),
        retryDelayMs: options.retryDelayMs ?? 250,
        maxRetryDelayMs: options.maxRetryDelayMs ?? 2000,
      },
      streamResumes: options.streamResumes ?? 2,
      onRetry: options.onRetry,
    };
  }

  /** Retried on any retryable failure: a duplicate empty conversation costs nothing. */
  async createConversation(
    input: { readonly metadata: Readonly<Record<string, string>> },
    options: CallOptions = {},
  ): Promise<{ readonly id: string }> {
    const conversation = await this.withRetries(
      (signal, timeout) =>
        this.ctx.client.conversations.create(
          { metadata: boundedMetadata(input.metadata) },
          { signal, timeout },
        ),
      options.signal,
    );
    return { id: conversation.id };
  }

  async respond(request: CoachTurnRequest, options: RespondOptions): Promise<CoachPoll> {
    const { signal } = options;
    const deadline = Date.now() + Math.max(0, options.wait_ms);
    // A claim answered again may have had its create accepted by the invocation that died.
    let uncertain = options.recover_first ?? false;
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw abortedError(signal);
      if (uncertain) {
        const accepted = await findAcceptedTurn(this.ctx, request, signal);
        if (accepted) return awaitAcceptedTurn(this.ctx, request, accepted, deadline, signal);
      }
      let failure: Failure;
      try {
        return await this.createAndFollow(request, deadline, signal, options.on_delta);
      } catch (error) {
        failure = classify(error);
      }
      if (failure.locked && uncertain) return awaitAcceptedTurn(this.ctx, request, null, deadline, signal);
      const delay = backoffMs(this.ctx.retry, attempt, failure.retryAfterMs);
      const retry = failure.retryable && attempt < this.ctx.retry.maxRetries && Date.now() + delay < deadline;
      if (failure.ambiguous) {
        uncertain = true;
        if (!retry && !signal?.aborted && Date.now() < deadline) {
          // No second create, but the failed one may still have been accepted: use it if so.
          const accepted = await findAcceptedTurn(this.ctx, request, signal).catch(() => null);
          if (accepted) return awaitAcceptedTurn(this.ctx, request, accepted, deadline, signal);
        }
      }
      if (!retry) throw toCoachModelError(failure);
      this.ctx.onRetry?.(failure.kind as OpenAIRetryKind);
      await sleep(delay, signal, () => abortedError(signal));
    }
  }

  async retrieve(responseId: string, options: CallOptions = {}): Promise<CoachPoll> {
    const response = await this.withRetries(
      (signal, timeout) => this.ctx.client.responses.retrieve(responseId, undefined, { signal, timeout }),
      options.signal,
    );
    return pollFrom(response);
  }

  async follow(responseId: string, options: FollowOptions): Promise<CoachPoll> {
    const progress = {
      ...newProgress(options.on_delta),
      responseId,
      status: 'in_progress' as const,
      lastSequence: options.after,
    };
    return followFrom(this.ctx, progress, Date.now() + Math.max(0, options.wait_ms), options.signal);
  }

  /** Cancels a background response; one that already ended (or is unknown) is left alone. */
  async cancel(responseId: string, options: CallOptions = {}): Promise<void> {
    try {
      await this.withRetries(
        (signal, timeout) => this.ctx.client.responses.cancel(responseId, { signal, timeout }),
        options.signal,
      );
    } catch (error) {
      if (isCoachModelError(error) && error.kind === 'bad_request') return;
      throw error;
    }
  }

  /** One `responses.create`, followed until it ends, the budget ends, or its stream breaks (then resumed). */
  private async createAndFollow(
    request: CoachTurnRequest,
    deadline: number,
    signal?: AbortSignal,
    onDelta?: DeltaListener,
  ): Promise<CoachPoll> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new CoachModelError('timeout', 'No time was left to call OpenAI.');
    const progress = newProgress(onDelta);
    const controller = new AbortController();
    const requestSignal = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
    try {
      const stream = await timed(Math.min(this.ctx.timeoutMs, remaining), (timeout) =>
        this.ctx.client.responses.create(this.createBody(request), { signal: requestSignal, timeout }),
      );
      const outcome = await follow(stream, progress, controller, deadline, signal);
      if (outcome) return outcome;
    } catch (error) {
      // Before `response.created` nothing proves the create was accepted: the caller decides.
      if (progress.responseId === null) throw error;
      const ended = endedByStreamError(error, progress.responseId);
      if (ended) return ended;
    }
    return resume(this.ctx, progress, deadline, signal);
  }

  private createBody(request: CoachTurnRequest): ResponseCreateParamsStreaming {
    return {
      model: request.model,
      instructions: request.instructions,
      input: request.input,
      conversation: request.conversation_id,
      background: true,
      stream: true,
      store: true,
      max_output_tokens: request.max_output_tokens,
      ...(request.reasoning_effort === null ? {} : { reasoning: { effort: request.reasoning_effort } }),
      ...(request.temperature === null ? {} : { temperature: request.temperature }),
      // The profile's threshold on every turn: a long thread's input stops growing once compacted.
      ...(request.compact_threshold === null
        ? {}
        : { context_management: [{ type: 'compaction', compact_threshold: request.compact_threshold }] }),
      safety_identifier: request.safety_identifier,
      prompt_cache_key: request.prompt_cache_key,
      metadata: boundedMetadata(request.metadata),
    };
  }

  /** Retries an idempotent call (retrieve, cancel, conversation create) on retryable failures. */
  private withRetries<T>(
    operation: (signal: AbortSignal | undefined, timeout: number) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    return callIdempotent(this.ctx, operation, signal);
  }
}

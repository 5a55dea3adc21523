/**
 * `CoachModel` over OpenAI's Responses + Conversations API, with the `openai` SDK.
 *
 * The SDK's own retries are off (`maxRetries: 0`): its defaults retry every 429, including
 * `insufficient_quota`, and re-send a `responses.create` after a connection reset, which
 * creates (and bills) a second response when the first was already accepted (DESIGN.md
 * section 3). This adapter owns the retry policy instead:
 *
 * - 429 `rate_limit_exceeded`, 5xx, timeouts and connection errors are retried with a short
 *   backoff (honouring `retry-after-ms` / `retry-after`, capped), at most `maxRetries` times
 *   and only within the call's time budget; `insufficient_quota`, auth and other 4xx never.
 * - A create whose outcome is unknown (connection error or timeout before `response.created`,
 *   gateway 502/504) is never blindly sent again: first the conversation's newest items are
 *   read; if our input is already there, OpenAI accepted it and its reply is awaited in the
 *   conversation instead of creating a second response. A `conversation_locked` answer to a
 *   re-create after such a failure means the same: our first response is still running.
 * - A stream that breaks after `response.created` is resumed with
 *   `responses.retrieve(id, { stream: true, starting_after })` (bounded), else handed to the
 *   poller as still running. When the time budget ends, only the local stream is aborted:
 *   the background response keeps running and its id goes to the poller.
 *
 * The caller's abort signal (the handler's, which fires before the Lambda timeout) is passed
 * to every request and every backoff.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ConversationItem } from 'openai/resources/conversations/items';
import type {
  Response as OpenAIResponse,
  ResponseCreateParamsStreaming,
  ResponseStreamEvent,
} from 'openai/resources/responses/responses';
import {
  CoachModelError,
  type CallOptions,
  type CoachEnded,
  type CoachModel,
  type CoachModelErrorKind,
  type CoachPoll,
  type CoachStillRunning,
  type CoachTurnRequest,
  type TokenUsage,
} from '../ports';
import { usageFromOpenAI } from './pricing';

/** What was retried, for the `OpenAIRetries` metric. */
export type OpenAIRetryKind = 'rate_limited' | 'upstream_error' | 'timeout' | 'connection' | 'stream_resume';

export interface OpenAICoachModelOptions {
  readonly apiKey: string;
  /** Defaults to OpenAI's; tests point it at the fake server. */
  readonly baseURL?: string | undefined;
  /** Per HTTP request, until the response headers arrive (the SDK's `timeout`). */
  readonly timeoutMs: number;
  /** Retries of one retryable failure per call; the SDK's own retries are always off. */
  readonly maxRetries: number;
  /** An injected `fetch` (tests, instrumentation). */
  readonly fetch?: typeof globalThis.fetch;
  /** Called before each retry, e.g. to emit the `OpenAIRetries` metric. */
  readonly onRetry?: (kind: OpenAIRetryKind) => void;
  /** First backoff (doubled per retry). Default 250 ms. */
  readonly retryDelayMs?: number;
  /** Cap on any backoff, `retry-after` included. Default 2000 ms. */
  readonly maxRetryDelayMs?: number;
  /** How many times a broken stream is resumed before handing over to the poller. Default 2. */
  readonly streamResumes?: number;
  /** Compact the conversation above this many input tokens (`context_management`); null: never. Default 32 000. */
  readonly compactThreshold?: number | null;
}

/** How many of the conversation's newest items are read to find an accepted create. */
const ACCEPTED_TURN_LOOKBACK = 10;
/** OpenAI's metadata limits: values of at most 512 characters. */
const METADATA_VALUE_MAX = 512;

export function createOpenAICoachModel(options: OpenAICoachModelOptions): OpenAICoachModel {
  const client = new OpenAI({
    apiKey: options.apiKey,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    timeout: options.timeoutMs,
    maxRetries: 0,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return new OpenAICoachModel(client, options);
}

interface Failure {
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

/** Where a stream got to: enough to resume it or to hand it to the poller. */
interface StreamProgress {
  responseId: string | null;
  status: CoachStillRunning['status'];
  lastSequence: number;
}

/** Our input found in the conversation, and the items after it (newest first). */
interface AcceptedTurn {
  readonly newer: readonly ConversationItem[];
  readonly history: readonly ConversationItem[];
}

export class OpenAICoachModel implements CoachModel {
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly streamResumes: number;
  private readonly compactThreshold: number | null;
  private readonly onRetry: ((kind: OpenAIRetryKind) => void) | undefined;

  constructor(
    private readonly client: OpenAI,
    options: Omit<OpenAICoachModelOptions, 'apiKey' | 'baseURL' | 'fetch'>,
  ) {
    this.timeoutMs = options.timeoutMs;
    this.maxRetries = Math.max(0, Math.floor(options.maxRetries));
    this.retryDelayMs = options.retryDelayMs ?? 250;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 2000;
    this.streamResumes = options.streamResumes ?? 2;
    this.compactThreshold = options.compactThreshold === undefined ? 32_000 : options.compactThreshold;
    this.onRetry = options.onRetry;
  }

  /** Retried on any retryable failure: a duplicate empty conversation costs nothing. */
  async createConversation(
    input: { readonly metadata: Readonly<Record<string, string>> },
    options: CallOptions = {},
  ): Promise<{ readonly id: string }> {
    const conversation = await this.withRetries(
      (signal, timeout) =>
        this.client.conversations.create({ metadata: boundedMetadata(input.metadata) }, { signal, timeout }),
      options.signal,
    );
    return { id: conversation.id };
  }

  async respond(
    request: CoachTurnRequest,
    options: CallOptions & { readonly wait_ms: number },
  ): Promise<CoachPoll> {
    const { signal } = options;
    const deadline = Date.now() + Math.max(0, options.wait_ms);
    let uncertain = false;
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(signal);
      if (uncertain) {
        const accepted = await this.findAcceptedTurn(request, signal);
        if (accepted) return this.awaitAcceptedTurn(request, accepted, deadline, signal);
      }
      let failure: Failure;
      try {
        return await this.createAndFollow(request, deadline, signal);
      } catch (error) {
        failure = classify(error);
      }
      if (failure.locked && uncertain) return this.awaitAcceptedTurn(request, null, deadline, signal);
      const delay = this.backoff(attempt, failure);
      const retry = failure.retryable && attempt < this.maxRetries && Date.now() + delay < deadline;
      if (failure.ambiguous) {
        uncertain = true;
        if (!retry && !signal?.aborted && Date.now() < deadline) {
          // No second create, but the failed one may still have been accepted: use it if so.
          const accepted = await this.findAcceptedTurn(request, signal).catch(() => null);
          if (accepted) return this.awaitAcceptedTurn(request, accepted, deadline, signal);
        }
      }
      if (!retry) throw toCoachModelError(failure);
      this.onRetry?.(failure.kind as OpenAIRetryKind);
      await sleep(delay, signal);
    }
  }

  async retrieve(responseId: string, options: CallOptions = {}): Promise<CoachPoll> {
    const response = await this.withRetries(
      (signal, timeout) => this.client.responses.retrieve(responseId, undefined, { signal, timeout }),
      options.signal,
    );
    return pollFrom(response);
  }

  /** Cancels a background response; one that already ended (or is unknown) is left alone. */
  async cancel(responseId: string, options: CallOptions = {}): Promise<void> {
    try {
      await this.withRetries(
        (signal, timeout) => this.client.responses.cancel(responseId, { signal, timeout }),
        options.signal,
      );
    } catch (error) {
      if (error instanceof CoachModelError && error.kind === 'bad_request') return;
      throw error;
    }
  }

  // -------------------------------------------------------------------------------------

  /** One `responses.create`, followed until it ends, the budget ends, or its stream breaks (then resumed). */
  private async createAndFollow(
    request: CoachTurnRequest,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<CoachPoll> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new CoachModelError('timeout', 'No time was left to call OpenAI.');
    const progress: StreamProgress = { responseId: null, status: 'queued', lastSequence: -1 };
    const link = linkedController(signal);
    try {
      const stream = await timed(Math.min(this.timeoutMs, remaining), (timeout) =>
        this.client.responses.create(this.createBody(request), { signal: link.controller.signal, timeout }),
      );
      const outcome = await this.follow(stream, progress, link.controller, deadline, signal);
      if (outcome) return outcome;
    } catch (error) {
      // Before `response.created` nothing proves the create was accepted: the caller decides.
      if (progress.responseId === null) throw error;
      const ended = endedByStreamError(error, progress.responseId);
      if (ended) return ended;
    } finally {
      link.dispose();
    }
    return this.resume(progress, deadline, signal);
  }

  /**
   * Reads a response's events. Returns its outcome at a terminal event, still-running when the
   * budget ends or the caller aborts, or null when the stream ended early (to be resumed).
   */
  private async follow(
    stream: AsyncIterable<ResponseStreamEvent>,
    progress: StreamProgress,
    controller: AbortController,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<CoachPoll | null> {
    let budgetSpent = false;
    const timer = setTimeout(
      () => {
        budgetSpent = true;
        controller.abort(); // the local stream only: the background response keeps running
      },
      Math.max(0, deadline - Date.now()),
    );
    try {
      for await (const event of stream) {
        progress.lastSequence = event.sequence_number ?? progress.lastSequence;
        switch (event.type) {
          case 'response.created':
          case 'response.queued':
          case 'response.in_progress':
            progress.responseId = event.response.id;
            progress.status = event.response.status === 'queued' ? 'queued' : 'in_progress';
            break;
          case 'response.completed':
          case 'response.failed':
          case 'response.incomplete':
            return pollFrom(event.response);
          case 'error':
            // Only reached in the SDK's `events` mode; its default mode throws (see endedByStreamError).
            if (progress.responseId === null)
              throw new CoachModelError('upstream_error', `OpenAI stream error: ${event.message}`);
            return { status: 'failed', response_id: progress.responseId, code: event.code ?? 'stream_error' };
          default:
            break;
        }
      }
    } finally {
      clearTimeout(timer);
    }
    if (budgetSpent || signal?.aborted) {
      if (progress.responseId === null) {
        throw new CoachModelError('timeout', 'OpenAI did not confirm the response within the time budget.');
      }
      return { status: progress.status, response_id: progress.responseId };
    }
    return null;
  }

  /** Resumes a broken stream from the last event seen; after `streamResumes` tries, hands over as still running. */
  private async resume(progress: StreamProgress, deadline: number, signal?: AbortSignal): Promise<CoachPoll> {
    const responseId = progress.responseId;
    if (responseId === null)
      throw new CoachModelError('connection', 'The OpenAI stream ended before the response was created.');
    for (let attempt = 0; attempt < this.streamResumes; attempt++) {
      const remaining = deadline - Date.now();
      if (signal?.aborted || remaining <= 0) break;
      this.onRetry?.('stream_resume');
      const link = linkedController(signal);
      try {
        const stream = await timed(Math.min(this.timeoutMs, remaining), (timeout) =>
          this.client.responses.retrieve(
            responseId,
            { stream: true, starting_after: progress.lastSequence },
            { signal: link.controller.signal, timeout },
          ),
        );
        const outcome = await this.follow(stream, progress, link.controller, deadline, signal);
        if (outcome) return outcome;
      } catch (error) {
        const ended = endedByStreamError(error, responseId);
        if (ended) return ended;
        if (!classify(error).retryable) break;
      } finally {
        link.dispose();
      }
    }
    return { status: progress.status, response_id: responseId };
  }

  /**
   * After a create whose outcome is unknown: is our input the newest user message of the
   * conversation? The Conversations API does not link items to responses, so the input text
   * is the evidence. Known limit: a user who repeats their previous message word for word
   * while a connection breaks gets that message's reply again (no second charge either way).
   * If the conversation cannot be read, nothing is created again.
   */
  private async findAcceptedTurn(
    request: CoachTurnRequest,
    signal?: AbortSignal,
  ): Promise<AcceptedTurn | null> {
    let items: ConversationItem[];
    try {
      const page = await timed(this.timeoutMs, (timeout) =>
        this.client.conversations.items.list(
          request.conversation_id,
          { order: 'desc', limit: ACCEPTED_TURN_LOOKBACK },
          { signal, timeout },
        ),
      );
      items = page.data;
    } catch (error) {
      const failure = classify(error);
      throw new CoachModelError(
        failure.kind === 'bad_request' ? 'connection' : failure.kind,
        'A create failed ambiguously and the conversation could not be checked; not creating a second response.',
        { cause: error, ...(failure.status === undefined ? {} : { status: failure.status }) },
      );
    }
    const userIndex = items.findIndex((item) => isMessage(item, 'user'));
    const userItem = items[userIndex];
    if (!userItem || textOfItem(userItem) !== request.input) return null;
    return { newer: items.slice(0, userIndex), history: items.slice(userIndex) };
  }

  /** Waits (within the budget) for the reply to an accepted create to appear in the conversation. */
  private async awaitAcceptedTurn(
    request: CoachTurnRequest,
    found: AcceptedTurn | null,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<CoachPoll> {
    let turn = found;
    for (let poll = 0; ; poll++) {
      // Newest first: the assistant message closest to our input is the last one of `newer`.
      const reply = turn?.newer.filter((item) => isMessage(item, 'assistant')).at(-1);
      if (turn && reply && reply.type === 'message') {
        if (reply.status === 'completed') {
          return {
            status: 'completed',
            // No response id is recoverable from the conversation; the reply item's id keeps it traceable.
            response_id: reply.id,
            text: textOfItem(reply),
            model: request.model,
            usage: estimatedUsage(request.instructions, turn.history, textOfItem(reply)),
          };
        }
        if (reply.status === 'incomplete')
          return { status: 'incomplete', response_id: reply.id, code: 'incomplete' };
      }
      const wait = Math.min(1000, this.retryDelayMs * 2 ** poll);
      if (Date.now() + wait >= deadline) {
        throw new CoachModelError(
          'timeout',
          'OpenAI accepted the response but the connection broke before its id arrived; it was not created twice, and its reply did not arrive in time.',
        );
      }
      await sleep(wait, signal);
      turn = (await this.findAcceptedTurn(request, signal)) ?? turn;
    }
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
      ...(this.compactThreshold === null
        ? {}
        : { context_management: [{ type: 'compaction', compact_threshold: this.compactThreshold }] }),
      safety_identifier: request.safety_identifier,
      prompt_cache_key: request.prompt_cache_key,
      metadata: boundedMetadata(request.metadata),
    };
  }

  /** Retries an idempotent call (retrieve, cancel, conversation create) on retryable failures. */
  private async withRetries<T>(
    operation: (signal: AbortSignal | undefined, timeout: number) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(signal);
      try {
        return await timed(this.timeoutMs, (timeout) => operation(signal, timeout));
      } catch (error) {
        const failure = classify(error);
        if (!failure.retryable || attempt >= this.maxRetries) throw toCoachModelError(failure);
        this.onRetry?.(failure.kind as OpenAIRetryKind);
        await sleep(this.backoff(attempt, failure), signal);
      }
    }
  }

  private backoff(attempt: number, failure: Failure): number {
    if (failure.retryAfterMs !== undefined)
      return Math.min(this.maxRetryDelayMs, Math.max(0, failure.retryAfterMs));
    const exponential = this.retryDelayMs * 2 ** attempt;
    return Math.min(this.maxRetryDelayMs, Math.round(exponential * (0.8 + Math.random() * 0.4)));
  }
}

// ---------------------------------------------------------------------------------------
// Mapping
// ---------------------------------------------------------------------------------------

/** A Response (streamed or retrieved) as the service sees it. */
export function pollFrom(response: OpenAIResponse): CoachPoll {
  const id = response.id;
  switch (response.status) {
    case 'completed': {
      const text = outputText(response);
      // A completed response with no text (all tokens spent reasoning) is no answer.
      if (text.trim() === '') return { status: 'failed', response_id: id, code: 'empty_output' };
      return {
        status: 'completed',
        response_id: id,
        text,
        model: response.model,
        usage: usageFromOpenAI(response.usage),
      };
    }
    case 'failed':
      return { status: 'failed', response_id: id, code: response.error?.code ?? 'failed' };
    case 'cancelled':
      return { status: 'cancelled', response_id: id, code: 'cancelled' };
    case 'incomplete':
      return {
        status: 'incomplete',
        response_id: id,
        code: response.incomplete_details?.reason ?? 'incomplete',
      };
    case 'queued':
      return { status: 'queued', response_id: id };
    default:
      // `in_progress`, or a status newer than this code: keep polling until the poller's timeout.
      return { status: 'in_progress', response_id: id };
  }
}

/** The assistant's text: every `output_text` (or refusal) part of every output message, in order. */
function outputText(response: OpenAIResponse): string {
  return response.output
    .map((item) =>
      item.type === 'message'
        ? item.content
            .map((part) =>
              part.type === 'output_text' ? part.text : part.type === 'refusal' ? part.refusal : '',
            )
            .join('')
        : '',
    )
    .join('');
}

/** An `error` event in the stream: the SDK throws it as an `APIError` without an HTTP status. */
function endedByStreamError(error: unknown, responseId: string): CoachEnded | null {
  if (error instanceof APIError && !(error instanceof APIConnectionError) && error.status === undefined) {
    return { status: 'failed', response_id: responseId, code: error.code ?? 'stream_error' };
  }
  return null;
}

function classify(error: unknown): Failure {
  const base = { ambiguous: false, locked: false, status: undefined, retryAfterMs: undefined, cause: error };
  if (error instanceof CoachModelError) {
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
  if (error instanceof APIError) {
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
    if (status >= 500)
      return {
        ...withStatus,
        kind: 'upstream_error',
        retryable: true,
        ambiguous: status === 502 || status === 504,
      };
    return { ...withStatus, kind: 'bad_request', retryable: false };
  }
  // Anything else from fetch or the stream (e.g. `TypeError: terminated` when a socket breaks).
  return {
    ...base,
    kind: 'connection',
    retryable: true,
    ambiguous: true,
    message: `OpenAI call failed: ${String(error)}`,
  };
}

function toCoachModelError(failure: Failure): CoachModelError {
  if (failure.cause instanceof CoachModelError) return failure.cause;
  return new CoachModelError(failure.kind, failure.message, {
    cause: failure.cause,
    ...(failure.status === undefined ? {} : { status: failure.status }),
    ...(failure.kind === 'rate_limited'
      ? { retryAfterSeconds: Math.max(1, Math.ceil((failure.retryAfterMs ?? 1000) / 1000)) }
      : {}),
  });
}

/** `retry-after-ms` (OpenAI's), else `retry-after` in seconds or as an HTTP date. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

function isMessage(item: ConversationItem, role: 'user' | 'assistant'): boolean {
  return item.type === 'message' && item.role === role;
}

function textOfItem(item: ConversationItem): string {
  if (item.type !== 'message') return '';
  return item.content
    .map((part) =>
      'text' in part && typeof part.text === 'string'
        ? part.text
        : 'refusal' in part
          ? String(part.refusal)
          : '',
    )
    .join('');
}

/**
 * Usage of a reply recovered from the conversation, whose response (and so its `usage`) is
 * unknown: about 4 characters per token over the instructions, the recent history and the reply.
 * An estimate, so the daily budget still counts the turn.
 */
function estimatedUsage(
  instructions: string,
  history: readonly ConversationItem[],
  reply: string,
): TokenUsage {
  const tokens = (chars: number) => Math.ceil(chars / 4);
  const input = tokens(instructions.length + history.reduce((sum, item) => sum + textOfItem(item).length, 0));
  const output = tokens(reply.length);
  return {
    input_tokens: input,
    cached_tokens: 0,
    cache_write_tokens: 0,
    output_tokens: output,
    reasoning_tokens: 0,
    total_tokens: input + output,
  };
}

function boundedMetadata(metadata: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(metadata)
      .slice(0, 16)
      .map(([key, value]) => [key.slice(0, 64), value.slice(0, METADATA_VALUE_MAX)]),
  );
}

// ---------------------------------------------------------------------------------------
// Abort and time
// ---------------------------------------------------------------------------------------

/**
 * Runs one SDK request with a timeout, and reports a connection error that took the whole
 * timeout as the timeout it is: the SDK recognises its own timeout only by the abort error's
 * name, which not every fetch (nor every JavaScript realm, e.g. jest's) preserves.
 */
async function timed<T>(timeoutMs: number, request: (timeoutMs: number) => Promise<T>): Promise<T> {
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

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) {
    throw new CoachModelError('timeout', 'The request was aborted before OpenAI answered.', {
      cause: signal.reason,
    });
  }
}

/** A controller for one request that also aborts when the caller's signal does. */
function linkedController(signal?: AbortSignal): { readonly controller: AbortController; dispose(): void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener('abort', onAbort, { once: true });
  return { controller, dispose: () => signal?.removeEventListener('abort', onAbort) };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(signal?: AbortSignal): CoachModelError {
  return new CoachModelError('timeout', 'The request was aborted before OpenAI answered.', {
    cause: signal?.reason,
  });
}

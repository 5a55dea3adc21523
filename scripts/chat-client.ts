/**
 * The terminal chat client behind `npm run chat`, talking to the API exactly as the iOS app
 * should: one `client_message_id` per message (reused on a 409 retry), a 202 answered by
 * polling the run (honouring `retry_after_ms`, within a bounded total wait), errors shown by
 * their stable `code`. Streams and `fetch` are injected so tests drive it in-process.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { z } from 'zod';
import { ChatPending, ChatReply, ErrorBody, RunState } from '../lambdas/shared/contract/schemas';
import { streamMessage } from './chat-stream';

export interface ChatClientOptions {
  /** The functions base URL, e.g. `http://127.0.0.1:3000/functions/v1`. */
  readonly url: string;
  /** A Supabase access token (or a local dev token). */
  readonly token: string;
  readonly chatType?: string;
  readonly goalId?: string;
  readonly threadId?: string;
  /** Longest total wait for one message: 409 retries and run polling included (default 5 min). */
  readonly maxWaitMs?: number;
  /** Timeout of one HTTP request (default 35 s: above API Gateway's 29 s). */
  readonly requestTimeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** Waits `ms` (tests may shorten); must reject when `signal` aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called while waiting: `sending`, then `pending` for each poll of a long run. */
  /** Send on the stream route, each delta to `onDelta` (falls back to the JSON route if the server has none). */
  readonly stream?: boolean;
  /** The reply's text as it streams. */
  readonly onDelta?: (text: string) => void;
  readonly onProgress?: (event: {
    readonly phase: 'sending' | 'retrying' | 'pending';
    readonly runId?: string;
  }) => void;
}

/** A message that got no reply: the API's error (or a local failure) with its stable code. */
export class ChatFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number | null = null,
    readonly body: Record<string, unknown> | null = null,
  ) {
    super(message);
    this.name = 'ChatFailure';
  }
}

/** A reply to show, and how it was obtained. */
export interface ChatOutcome {
  readonly reply: ChatReply;
  /** Set when the reply came from polling a run (202). */
  readonly runId?: string;
  /** Set when the run failed and the stored simulated fallback is shown instead. */
  readonly failedCode?: string;
}

const DEFAULT_MAX_WAIT_MS = 5 * 60_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 35_000;
const DEFAULT_CONFLICT_RETRY_MS = 2_000;
const MIN_POLL_MS = 250;
/** The stream route's own 404s; any other means a server without the stream route. */
const STREAM_NOT_FOUND_CODES = new Set(['goal_not_found', 'thread_not_found']);

const defaultSleep = (ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal });

interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly retryAfterMs: number | null;
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** An HTTP answer's status, body (JSON, else its text) and `Retry-After`. */
async function answerOf(response: Response): Promise<HttpAnswer> {
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : (JSON.parse(text) as unknown);
  } catch {
    parsed = text;
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  return {
    status: response.status,
    body: parsed,
    retryAfterMs:
      response.headers.has('retry-after') && Number.isFinite(retryAfter) ? retryAfter * 1000 : null,
  };
}

/** Sends messages and waits for their replies. One instance per conversation. */
export class ChatClient {
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly options: ChatClientOptions) {
    this.base = trimSlash(options.url);
    this.fetchImpl = options.fetch ?? fetch;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /**
   * Sends one message and resolves with the coach's reply; rejects with a `ChatFailure`.
   * The `clientMessageId` makes retries safe: the API stores one exchange per key.
   */
  async send(
    message: string,
    clientMessageId: string = randomUUID(),
    signal?: AbortSignal,
  ): Promise<ChatOutcome> {
    const deadline = Date.now() + (this.options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS);
    const body = {
      message,
      chat_type: this.options.chatType,
      goal_id: this.options.goalId,
      thread_id: this.options.threadId,
      client_message_id: clientMessageId,
    };
    this.options.onProgress?.({ phase: 'sending' });
    let streaming = this.options.stream ?? false;
    for (;;) {
      let answer: HttpAnswer;
      if (streaming) {
        const streamed = await this.call(
          (s) =>
            streamMessage(
              this.fetchImpl,
              `${this.base}/openai-chat-completion/stream`,
              { token: this.options.token, body, signal: s },
              (text) => this.options.onDelta?.(text),
            ),
          deadline - Date.now(),
          signal,
        );
        if (streamed.kind === 'done') return { reply: this.parse(ChatReply, streamed.reply, 'reply') };
        if (streamed.kind !== 'json') {
          const error = streamed.kind === 'error' ? streamed.error : null;
          // The stream ended before the reply did: the run has it (same key, nothing sent twice).
          if (streamed.runId && (error === null || error.code === 'request_timeout'))
            return this.waitForRun(streamed.runId, MIN_POLL_MS, deadline, signal);
          if (error) throw new ChatFailure(String(error.code), String(error.message), 200, error);
          streaming = false;
          continue;
        }
        answer = await answerOf(streamed.response);
        const code = (answer.body as { code?: unknown } | null)?.code;
        if (answer.status === 404 && !STREAM_NOT_FOUND_CODES.has(String(code))) {
          streaming = false;
          continue;
        }
      } else {
        answer = await this.request('POST', '/openai-chat-completion', body, signal);
      }
      if (answer.status === 200) return { reply: this.parse(ChatReply, answer.body, 'reply') };
      if (answer.status === 202) {
        const pending = this.parse(ChatPending, answer.body, 'pending reply');
        return this.waitForRun(pending.run_id, pending.retry_after_ms, deadline, signal);
      }
      const failure = this.failure(answer);
      // Still being answered (an earlier attempt with this key): wait and ask again, same key.
      if (answer.status === 409 && failure.code === 'request_in_flight') {
        await this.waitUntilRetry(
          answer.retryAfterMs ?? DEFAULT_CONFLICT_RETRY_MS,
          deadline,
          failure,
          signal,
        );
        this.options.onProgress?.({ phase: 'retrying' });
        continue;
      }
      throw failure;
    }
  }

  private async waitForRun(
    runId: string,
    retryAfterMs: number,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<ChatOutcome> {
    let waitMs = retryAfterMs;
    for (;;) {
      this.options.onProgress?.({ phase: 'pending', runId });
      await this.waitUntilRetry(
        waitMs,
        deadline,
        new ChatFailure(
          'wait_exceeded',
          `No reply within the wait limit; the run ${runId} may still complete.`,
        ),
        signal,
      );
      const answer = await this.request(
        'GET',
        `/openai-chat-completion/runs/${encodeURIComponent(runId)}`,
        undefined,
        signal,
      );
      if (answer.status !== 200) {
        const failure = this.failure(answer);
        // A transient refusal (rate limit, outage) does not end the wait; anything else does.
        if ((answer.status === 429 || answer.status === 503) && answer.retryAfterMs !== null) {
          waitMs = answer.retryAfterMs;
          continue;
        }
        throw failure;
      }
      const state = this.parse(RunState, answer.body, 'run state');
      switch (state.status) {
        case 'pending':
          waitMs = state.retry_after_ms;
          continue;
        case 'completed': {
          const { status: _status, run_id: _runId, ...reply } = state;
          return { reply, runId };
        }
        case 'failed':
          if (state.reply) return { reply: state.reply, runId, failedCode: state.code };
          throw new ChatFailure(state.code, state.error, 200, state as unknown as Record<string, unknown>);
      }
    }
  }

  private async waitUntilRetry(
    ms: number,
    deadline: number,
    onTimeout: ChatFailure,
    signal?: AbortSignal,
  ): Promise<void> {
    const wait = Math.max(MIN_POLL_MS, ms);
    if (Date.now() + wait > deadline) throw onTimeout;
    try {
      await this.sleep(wait, signal);
    } catch (error) {
      if (signal?.aborted) throw new ChatFailure('cancelled', 'Cancelled.');
      throw error;
    }
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<HttpAnswer> {
    const response = await this.call(
      (s) =>
        this.fetchImpl(`${this.base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${this.options.token}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: s,
        }),
      this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      signal,
    );
    return answerOf(response);
  }

  /** One HTTP exchange within `timeoutMs`, its failures as `ChatFailure`s. */
  private async call<T>(
    send: (signal: AbortSignal) => Promise<T>,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<T> {
    const timeout = AbortSignal.timeout(Math.max(1, timeoutMs));
    try {
      return await send(signal ? AbortSignal.any([signal, timeout]) : timeout);
    } catch (error) {
      if (signal?.aborted) throw new ChatFailure('cancelled', 'Cancelled.');
      if (timeout.aborted)
        throw new ChatFailure('network', `No answer from ${this.base} within the request timeout.`);
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      throw new ChatFailure('network', `Cannot reach ${this.base}${cause}`);
    }
  }

  /** Replies are checked against the same zod schemas the API validates with. */
  private parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
    const result = schema.safeParse(body);
    if (result.success) return result.data;
    const issues = result.error.issues
      .map((i) => `${i.path.map(String).join('.') || '/'}: ${i.message}`)
      .join('; ');
    throw new ChatFailure('bad_response', `The API sent an unexpected ${what}: ${issues}`);
  }

  private failure(answer: HttpAnswer): ChatFailure {
    const error = ErrorBody.safeParse(answer.body);
    if (error.success) return new ChatFailure(error.data.code, error.data.error, answer.status, error.data);
    const text =
      typeof answer.body === 'string'
        ? answer.body.slice(0, 200)
        : JSON.stringify(answer.body)?.slice(0, 200);
    return new ChatFailure(`http_${answer.status}`, text || `HTTP ${answer.status}`, answer.status);
  }
}

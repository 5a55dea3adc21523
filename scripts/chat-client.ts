/**
 * The terminal chat client behind `npm run chat`, talking to the API exactly as the iOS app
 * should: one `client_message_id` per message (reused on a 409 retry), a 202 answered by
 * polling the run (honouring `retry_after_ms`, within a bounded total wait), errors shown by
 * their stable `code`. Streams and `fetch` are injected so tests drive it in-process.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import type { z } from 'zod';
import { ChatPending, ChatReply, ErrorBody, RunState } from '../lambdas/shared/contract/schemas';

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

const defaultSleep = (ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal });

interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly retryAfterMs: number | null;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
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
    for (;;) {
      const answer = await this.request('POST', '/openai-chat-completion', body, signal);
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
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.options.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw new ChatFailure('cancelled', 'Cancelled.');
      if (timeout.aborted)
        throw new ChatFailure('network', `No answer from ${this.base} within the request timeout.`);
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      throw new ChatFailure('network', `Cannot reach ${this.base}${cause}`);
    }
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

/** The writable side of a terminal or pipe. */
export interface TextOutput {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

export interface RunChatOptions extends ChatClientOptions {
  /** Lines to send (stdin). */
  readonly input: NodeJS.ReadableStream;
  /** Replies (stdout). */
  readonly output: TextOutput;
  /** Errors, the spinner and hints (stderr). */
  readonly errorOutput: TextOutput;
  /** Interactive: show the `you> ` prompt (default: the input is a TTY). */
  readonly interactive?: boolean;
  /** One JSON object per message on `output` (the reply, or the error body) instead of text. */
  readonly json?: boolean;
  /** Dim the metadata line with ANSI codes (default: `output` is a TTY and NO_COLOR is unset). */
  readonly color?: boolean;
  /** Spinner on `errorOutput` while waiting (default: `errorOutput` is a TTY). */
  readonly spinner?: boolean;
  /** Aborts the message in flight and stops reading (Ctrl+C). */
  readonly signal?: AbortSignal;
}

export interface RunChatResult {
  readonly sent: number;
  readonly failed: number;
}

const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A one-line spinner on a TTY; nothing at all elsewhere. */
class Spinner {
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private label = '';

  constructor(
    private readonly out: TextOutput,
    private readonly enabled: boolean,
  ) {}

  start(label: string): void {
    this.label = label;
    if (!this.enabled) return;
    if (this.timer) return this.render();
    this.render();
    this.timer = setInterval(() => this.render(), 80);
    this.timer.unref();
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.out.write('\r\x1b[K');
  }

  private render(): void {
    this.frame = (this.frame + 1) % SPINNER_FRAMES.length;
    this.out.write(`\r\x1b[K${SPINNER_FRAMES[this.frame]} ${this.label}`);
  }
}

/** `gpt-6.1-sol · 1843 tokens · $0.004127 · 3120 ms · openai`, plus how the reply was obtained. */
export function describeReply(outcome: ChatOutcome): string {
  const { reply } = outcome;
  const parts = [
    reply.model_used,
    `${reply.tokens_used} tokens`,
    `$${reply.cost_estimate.toFixed(6)}`,
    `${reply.response_time_ms} ms`,
    reply.fallback ? `${reply.variant} (fallback)` : reply.variant,
  ];
  if (outcome.runId)
    parts.push(outcome.failedCode ? `run ${outcome.failedCode}, fallback stored` : 'long run');
  return parts.join(' · ');
}

/**
 * Reads messages line by line and prints the coach's replies. Interactive on a TTY (prompt,
 * spinner, `/quit`); with piped input, one message per line and nothing else on stdout.
 */
export async function runChat(options: RunChatOptions): Promise<RunChatResult> {
  const { output, errorOutput } = options;
  const interactive = options.interactive ?? Boolean((options.input as { isTTY?: boolean }).isTTY);
  const color = options.color ?? (Boolean(output.isTTY) && !process.env.NO_COLOR);
  const spinner = new Spinner(errorOutput, options.spinner ?? Boolean(errorOutput.isTTY));
  const dim = (text: string) => (color ? `\x1b[2m${text}\x1b[22m` : text);

  const client = new ChatClient({
    ...options,
    onProgress: (event) => {
      spinner.start(event.phase === 'pending' ? 'the coach is still writing…' : 'the coach is thinking…');
      options.onProgress?.(event);
    },
  });

  const rl = createInterface({
    input: options.input,
    output: interactive ? (output as NodeJS.WritableStream) : undefined,
    terminal: interactive,
    crlfDelay: Infinity,
  });
  // Ctrl+C (or the caller's signal) cancels the message in flight and stops reading.
  const stop = new AbortController();
  const abort = () => stop.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  stop.signal.addEventListener('abort', () => rl.close(), { once: true });
  rl.on('SIGINT', abort);
  if (interactive) {
    errorOutput.write(dim(`Talking to ${trimSlash(options.url)} — /quit to leave.\n`));
    rl.setPrompt('you> ');
    rl.prompt();
  }

  let sent = 0;
  let failed = 0;
  try {
    for await (const raw of rl) {
      const message = raw.trim();
      if (message === '/quit' || message === '/exit') break;
      if (message !== '') {
        sent += 1;
        try {
          const outcome = await client.send(message, randomUUID(), stop.signal);
          spinner.stop();
          if (options.json) output.write(`${JSON.stringify(outcome.reply)}\n`);
          else output.write(`coach> ${outcome.reply.response}\n${dim(`       ${describeReply(outcome)}`)}\n`);
        } catch (error) {
          spinner.stop();
          if (stop.signal.aborted) break;
          failed += 1;
          const failure =
            error instanceof ChatFailure
              ? error
              : new ChatFailure('client_error', error instanceof Error ? error.message : String(error));
          errorOutput.write(`error (${failure.code}): ${failure.message}\n`);
          if (options.json) {
            output.write(
              `${JSON.stringify(failure.body ?? { error: failure.message, code: failure.code })}\n`,
            );
          }
          if (failure.code === 'unauthorized')
            errorOutput.write(dim('hint: pass --token or set MIVIA_TOKEN (npm run --silent dev-token)\n'));
        }
      }
      if (interactive) rl.prompt();
    }
  } finally {
    spinner.stop();
    options.signal?.removeEventListener('abort', abort);
    rl.close();
  }
  return { sent, failed };
}

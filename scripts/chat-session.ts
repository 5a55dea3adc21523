/**
 * One terminal chat session (`npm run chat`): messages read line by line, the coach's replies
 * printed (as they stream, word by word, unless `--no-stream`), failures by their stable code.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { ChatClient, ChatFailure, trimSlash, type ChatClientOptions, type ChatOutcome } from './chat-client';
import { Spinner } from './chat-spinner';

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

/**
 * What is left to print of a reply once it is recorded: the rest of the line when its words
 * were streamed, else all of it. A stored reply that differs from what streamed (a fallback
 * after OpenAI broke off) is printed whole on its own line.
 */
function replyText(streamed: string, reply: string): string {
  if (streamed === '') return `coach> ${reply}`;
  if (reply.startsWith(streamed)) return reply.slice(streamed.length);
  return `\ncoach> ${reply}`;
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

  // What has been printed of the reply being streamed (text mode only: JSON prints the whole reply).
  let streamed = '';
  const client = new ChatClient({
    ...options,
    onDelta: (text) => {
      options.onDelta?.(text);
      if (options.json) return;
      if (streamed === '') {
        spinner.stop();
        output.write('coach> ');
      }
      streamed += text;
      output.write(text);
    },
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
        streamed = '';
        try {
          const outcome = await client.send(message, randomUUID(), stop.signal);
          spinner.stop();
          if (options.json) output.write(`${JSON.stringify(outcome.reply)}\n`);
          else
            output.write(
              `${replyText(streamed, outcome.reply.response)}\n${dim(`       ${describeReply(outcome)}`)}\n`,
            );
        } catch (error) {
          spinner.stop();
          if (streamed !== '') output.write('\n');
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

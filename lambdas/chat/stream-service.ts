/**
 * The streamed chat (`POST …/openai-chat-completion/stream`) and its resume (`GET
 * …/runs/{run_id}/stream`): the same turn as the JSON route (`sendChatMessage`: prepare, the
 * variant, the answer, the record), told as events. OpenAI's deltas are relayed as they
 * arrive; a reply that comes whole (the simulated coach, a replay, a fallback) is sent as the
 * deltas of its text. `done` is the JSON route's 200 body and comes only once the exchange is
 * recorded. A reply still running at the sync budget is recorded by the poller, as on the JSON
 * route; the stream follows it to its end meanwhile, then sends the poller's record.
 */
import type { ChatReply, RunState } from '../shared/contract/schemas';
import type { StreamMeta } from '../shared/contract/stream';
import { appError } from '../shared/errors';
import type { SseWriter } from '../shared/sse';
import type { PollStore } from '../poller/ports';
import type { RunReader } from '../runs/store';
import type { TurnStore } from './ports';
import { sendChatMessage, type ChatDeps, type ChatTurnInput } from './service';
import type { TurnSink } from './sink';

export interface StreamChatDeps extends ChatDeps {
  readonly store: TurnStore & RunReader & Pick<PollStore, 'getPendingRun'>;
  /** How long a stream may follow a long reply and wait for its record; the caller's signal ends it sooner. */
  readonly followMs: number;
  /** Between reads of a run while the poller records it. Default 250 ms. */
  readonly recordPollMs?: number;
}

/** A run to stream, as its owner asks for it. */
export interface RunStreamInput {
  readonly runId: string;
  readonly userId: string;
  /** The last delta the client has (its `id`); -1 for all of them. */
  readonly after: number;
  readonly signal?: AbortSignal;
}

/** Answers a message as events: `meta`, `delta`s, then `done` (or, thrown, the caller's `error`). */
export async function streamChatMessage(
  deps: StreamChatDeps,
  input: Omit<ChatTurnInput, 'sink'>,
  sse: SseWriter,
): Promise<void> {
  const relay = new Relay(sse, -1);
  const outcome = await sendChatMessage(deps, { ...input, sink: relay.sink });
  if (outcome.status === 200) return relay.finish(outcome.body, relay.runId);
  const run = { runId: outcome.body.run_id, userId: input.userId, after: relay.last, signal: input.signal };
  return followRun(deps, run, relay);
}

/** A run's events after `after`: OpenAI's own stream of its response, then its record. */
export async function streamRun(deps: StreamChatDeps, input: RunStreamInput, sse: SseWriter): Promise<void> {
  return followRun(deps, input, new Relay(sse, input.after));
}

async function followRun(deps: StreamChatDeps, input: RunStreamInput, relay: Relay): Promise<void> {
  const ids = { run_id: input.runId, user_id: input.userId };
  const options = { signal: input.signal };
  const [run, state] = await Promise.all([
    deps.store.getPendingRun({ run_id: input.runId }, options),
    deps.store.getRun(ids, options),
  ]);
  // Someone else's run is indistinguishable from an unknown one.
  if (!run || run.user_id !== input.userId || !state) throw appError('run_not_found');
  relay.meta({ thread_id: state.thread_id, user_message_id: state.user_message_id, run_id: input.runId });
  const deadline = Date.now() + deps.followMs;
  if (run.openai_response_id && deps.model) {
    // Relayed from the response itself, finished or not: its stored events are replayed first.
    await deps.model.follow(run.openai_response_id, {
      after: input.after,
      wait_ms: deadline - Date.now(),
      on_delta: relay.sink.delta,
      signal: input.signal,
    });
  }
  const recorded = await recordedRun(deps, ids, state, deadline, input.signal);
  relay.finish(replyOf(recorded), input.runId);
}

/** The run once it is no longer pending (the poller records a long one), read until `deadline`. */
async function recordedRun(
  deps: StreamChatDeps,
  ids: { readonly run_id: string; readonly user_id: string },
  first: RunState,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<RunState> {
  let state: RunState | null = first;
  for (;;) {
    if (state === null) throw appError('run_not_found');
    if (state.status !== 'pending') return state;
    const pause = deps.recordPollMs ?? 250;
    if (signal?.aborted || Date.now() + pause > deadline) {
      // Still being written: the app resumes this stream or polls the run later.
      throw appError('request_timeout', { retryAfterSeconds: 2 });
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
    state = await deps.store.getRun(ids, { signal });
  }
}

/** The reply a finished run answers with: its own, or the stored fallback of a failed one. */
function replyOf(state: RunState): ChatReply {
  if (state.status === 'completed') {
    const { status: _status, run_id: _runId, ...reply } = state;
    return reply;
  }
  if (state.status === 'failed' && state.reply) return state.reply;
  throw appError('upstream_unavailable', { retryAfterSeconds: 10 });
}

/** Sends a turn's events in order: `meta` once, deltas (ids as OpenAI numbers its events), `done`. */
class Relay {
  private metaSent = false;
  private streamed = '';
  /** The id of the last delta sent (or the client's `after`). */
  last: number;
  runId: string | null = null;
  readonly sink: TurnSink;

  constructor(
    private readonly sse: SseWriter,
    after: number,
  ) {
    this.last = after;
    this.sink = {
      started: (turn) => {
        this.runId = turn.run_id;
        this.meta({ thread_id: turn.thread_id, user_message_id: turn.user_message_id, run_id: turn.run_id });
      },
      delta: (text, sequence) => {
        if (sequence <= this.last) return;
        this.last = sequence;
        this.streamed += text;
        this.sse.send('delta', { text }, String(sequence));
      },
    };
  }

  meta(meta: StreamMeta): void {
    if (this.metaSent) return;
    this.metaSent = true;
    this.sse.send('meta', meta);
  }

  /**
   * `done`, after `meta` and, when nothing streamed (a reply that came whole, or a resume of
   * one), its text as word deltas numbered from 0: `after` skips those the client has.
   */
  finish(reply: ChatReply, runId: string | null): void {
    this.meta({ thread_id: reply.thread_id, user_message_id: reply.user_message_id, run_id: runId });
    if (this.streamed === '') {
      wordsOf(reply.response).forEach((text, index) => this.sink.delta(text, index));
    }
    this.sse.send('done', reply);
  }
}

/** A text as words, each with the space after it, as a model streams them. */
function wordsOf(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
}

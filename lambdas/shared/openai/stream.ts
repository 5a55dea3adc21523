/**
 * Following a background response's event stream: to its terminal event, to the end of the
 * time budget (then only the local stream is aborted: the response keeps running and its id
 * goes to the poller), or to a break, which is resumed with
 * `responses.retrieve(id, { stream: true, starting_after })` a bounded number of times.
 */
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { CoachModelError, type CoachPoll, type CoachStillRunning, type DeltaListener } from '../ports';
import type { AdapterContext } from './context';
import { classify, endedByStreamError, timed } from './errors';
import { pollFrom } from './mapping';

/** Where a stream got to: enough to resume it or to hand it to the poller. */
export interface StreamProgress {
  responseId: string | null;
  status: CoachStillRunning['status'];
  lastSequence: number;
  /** Relays each piece of the reply's text as it arrives (the streamed chat). */
  readonly onDelta?: DeltaListener | undefined;
}

export function newProgress(onDelta?: DeltaListener): StreamProgress {
  return { responseId: null, status: 'queued', lastSequence: -1, onDelta };
}

/**
 * Reads a response's events. Returns its outcome at a terminal event, still-running when the
 * budget ends or the caller aborts, or null when the stream ended early (to be resumed).
 */
export async function follow(
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
        case 'response.output_text.delta':
          progress.onDelta?.(event.delta, event.sequence_number);
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
export async function resume(
  ctx: AdapterContext,
  progress: StreamProgress,
  deadline: number,
  signal?: AbortSignal,
): Promise<CoachPoll> {
  return reopen(ctx, progress, deadline, signal, { first: 0, attempts: ctx.streamResumes });
}

/**
 * Follows a response from an event on (`starting_after`), as a first read and then resumed
 * like a broken stream: how the streamed chat relays a long reply and resumes one.
 */
export async function followFrom(
  ctx: AdapterContext,
  progress: StreamProgress,
  deadline: number,
  signal?: AbortSignal,
): Promise<CoachPoll> {
  return reopen(ctx, progress, deadline, signal, { first: 1, attempts: ctx.streamResumes + 1 });
}

async function reopen(
  ctx: AdapterContext,
  progress: StreamProgress,
  deadline: number,
  signal: AbortSignal | undefined,
  // The attempts before `first` are not retries (no retry metric).
  tries: { readonly first: number; readonly attempts: number },
): Promise<CoachPoll> {
  const responseId = progress.responseId;
  if (responseId === null)
    throw new CoachModelError('connection', 'The OpenAI stream ended before the response was created.');
  for (let attempt = 0; attempt < tries.attempts; attempt++) {
    const remaining = deadline - Date.now();
    if (signal?.aborted || remaining <= 0) break;
    if (attempt >= tries.first) ctx.onRetry?.('stream_resume');
    const controller = new AbortController();
    const requestSignal = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
    try {
      const stream = await timed(Math.min(ctx.timeoutMs, remaining), (timeout) =>
        ctx.client.responses.retrieve(
          responseId,
          { stream: true, starting_after: progress.lastSequence },
          { signal: requestSignal, timeout },
        ),
      );
      const outcome = await follow(stream, progress, controller, deadline, signal);
      if (outcome) return outcome;
    } catch (error) {
      const ended = endedByStreamError(error, responseId);
      if (ended) return ended;
      if (!classify(error).retryable) break;
    }
  }
  return { status: progress.status, response_id: responseId };
}

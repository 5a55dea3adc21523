/**
 * One step of the long-run poller (the Step Functions task): look at the background
 * response once and either record the answer, record the failure, or say how long to wait.
 * Every path is safe to repeat: a step retried by Step Functions, or a second execution for
 * the same run, finds the run no longer `pending` and does nothing (the store's functions
 * lock the run row and write the AI row at most once).
 *
 * The task's input and output are the state machine's state, kept in the execution history:
 * ids, counters and an outcome only, never the user's text (that stays in the database).
 */
import * as z from 'zod';
import { openaiAnswer, simulatedAnswer } from '../shared/coach/answers';
import { AppError } from '../shared/errors';
import type { TurnObserver } from '../shared/observer';
import type { Policy } from '../shared/policy';
import {
  isCoachModelError,
  type CoachCompleted,
  type CoachModel,
  type CoachPoll,
  type FailRunInput,
} from '../shared/ports';
import { screenReply, type SafetyDeps } from '../chat/safety';
import type { PendingRunDetails, PollStore } from './ports';

/**
 * The poll task's input: the chat's `StartExecution` input (`run_id`, `response_id`,
 * `attempt: 0`, `started_at`), then the previous step's output; the `TimeOut` and
 * `MarkFailed` states add `action` (and `error`, the failed step's error name). Keys the
 * task does not know (e.g. `state`, `outcome` of the previous step) are dropped.
 */
export const PollTaskInput = z.object({
  run_id: z.uuid(),
  response_id: z.string().trim().min(1).max(200),
  attempt: z.int().nonnegative().optional(),
  /** When the poller started; the poll budget is measured from here. */
  started_at: z.iso.datetime({ offset: true }).optional(),
  /** `timeout`: the poll budget is spent; `fail`: the poll step itself kept failing. */
  action: z.enum(['poll', 'timeout', 'fail']).optional(),
  /** The error name that made the poll step fail (never its cause: that may quote upstream text). */
  error: z.string().max(200).optional(),
});
export type PollTaskInput = z.input<typeof PollTaskInput>;

export interface PollTaskOutput {
  readonly run_id: string;
  readonly response_id: string;
  readonly attempt: number;
  readonly started_at: string;
  readonly state: 'pending' | 'done';
  readonly wait_seconds: number;
  readonly elapsed_seconds: number;
  /** What happened, for the execution history (no user data). */
  readonly outcome: 'waiting' | 'completed' | 'failed' | 'timed_out' | 'already_done' | 'unknown_run';
}

/** The screening deps are the chat's: a reply that finished here is screened like one that finished there. */
export interface PollerDeps extends SafetyDeps {
  readonly store: PollStore;
  readonly model: CoachModel;
  readonly policy: Pick<Policy, 'flags'>;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly observer?: TurnObserver;
  /**
   * How long a step follows the response's event stream before it looks once more and waits
   * (`POLL_FOLLOW_MS` in Lambda); 0 or absent: one look per step, as the backoff schedules.
   */
  readonly followMs?: number;
}

/**
 * How long the Lambda's poll step follows the response's events: it records the reply the
 * moment the response completes instead of at the next whole-second poll, well within the
 * poll function's 60 s timeout (the recording after it included).
 */
export const POLL_FOLLOW_MS = 20_000;

/** Backed-off polling: 2 s, growing ×1.5 per attempt, capped at 20 s, with jitter. */
export const POLL_BASE_SECONDS = 2;
export const POLL_GROWTH_FACTOR = 1.5;
export const POLL_MAX_SECONDS = 20;

/**
 * How long to wait before poll `attempt + 1`: a whole number of seconds (the Wait state's
 * `SecondsPath` needs one) drawn from [cap / 2, cap], cap = min(20, 2 × 1.5^attempt), and
 * never below 1 s. The jitter spreads out the polls of runs that started together.
 */
export function nextWaitSeconds(attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(POLL_MAX_SECONDS, POLL_BASE_SECONDS * POLL_GROWTH_FACTOR ** attempt);
  // "Equal jitter": at least half the capped delay, so polls never bunch up at zero.
  return Math.max(1, Math.round(cap / 2 + random() * (cap / 2)));
}

/**
 * One poll step. `input` is trusted to be valid (the handler parses it with `PollTaskInput`).
 * Returns `state: 'done'` once the run is finished (by this step or an earlier one), else
 * `pending` with `wait_seconds`; `elapsed_seconds` lets the state machine bound the loop.
 * Throws only on faults (database down): Step Functions retries the step, then marks it failed.
 */
export async function pollRun(deps: PollerDeps, input: PollTaskInput): Promise<PollTaskOutput> {
  const now = deps.now ?? Date.now;
  const startedAt = input.started_at ?? new Date(now()).toISOString();
  const attempt = input.attempt ?? 0;
  const elapsedSeconds = Math.max(0, Math.floor((now() - Date.parse(startedAt)) / 1000));
  const out = (
    state: PollTaskOutput['state'],
    outcome: PollTaskOutput['outcome'],
    waitSeconds = 0,
  ): PollTaskOutput => ({
    run_id: input.run_id,
    response_id: input.response_id,
    attempt: attempt + 1,
    started_at: startedAt,
    state,
    wait_seconds: waitSeconds,
    elapsed_seconds: elapsedSeconds,
    outcome,
  });

  const run = await deps.store.getPendingRun({ run_id: input.run_id });
  if (!run) return out('done', 'unknown_run');
  if (run.status !== 'pending') return out('done', 'already_done');
  // The run row is the source of truth: a stale or mistaken input must not attach another
  // response's answer to this run.
  const responseId = run.openai_response_id ?? input.response_id;

  const fallbackEnabled =
    run.settings.fallback_enabled ?? (await deps.policy.flags.current()).fallback_enabled;
  const fail = async (status: FailRunInput['status'], code: string) => {
    const fallback = fallbackEnabled ? fallbackFor(run, now()) : null;
    await writtenEvenIfDeleted(
      deps.store.failRun({ run_id: run.run_id, status, failure_code: code, fallback }),
    );
    if (fallback) {
      deps.observer?.answered?.({
        variant: fallback.variant,
        fallback: true,
        fallbackReason: code,
        model: fallback.model_used,
        latencyMs: fallback.response_time_ms,
        usage: fallback.usage,
        costUsd: 0,
      });
    }
  };

  const recordCompleted = async (completed: CoachCompleted): Promise<PollTaskOutput> => {
    const flags = await deps.policy.flags.current();
    const { answer, event } = await screenReply(
      deps,
      openaiAnswer(completed, now() - Date.parse(run.created_at)),
      { enabled: flags.screening_enabled, threshold: flags.self_harm_score_threshold, locale: run.locale },
    );
    await writtenEvenIfDeleted(
      deps.store.recordExchange({
        run_id: run.run_id,
        user_id: run.user_id,
        answer,
        ...(event ? { safety_event: event } : {}),
      }),
    );
    deps.observer?.answered?.({
      variant: answer.variant,
      fallback: false,
      model: answer.model_used,
      latencyMs: answer.response_time_ms,
      usage: answer.usage,
      costUsd: answer.cost_estimate,
    });
    deps.observer?.longRunFinished?.('completed');
    return out('done', 'completed');
  };

  if (input.action === 'timeout' || input.action === 'fail') {
    // One last look first, whether the budget ran out or the poll step kept failing: an answer
    // that completed since the last poll is paid for, so it is kept instead of the fallback.
    const last = await deps.model.retrieve(responseId).catch(() => null);
    if (last?.status === 'completed') return recordCompleted(last);
    await deps.model.cancel(responseId).catch(() => undefined);
    const timedOut = input.action === 'timeout';
    await fail(timedOut ? 'timed_out' : 'failed', timedOut ? 'timed_out' : 'poller_error');
    deps.observer?.longRunFinished?.(timedOut ? 'timed_out' : 'failed');
    return out('done', timedOut ? 'timed_out' : 'failed');
  }

  const followed = await follow(deps, responseId);
  if (followed.poll) return settle(followed.poll);
  let poll: CoachPoll;
  try {
    poll = await deps.model.retrieve(responseId);
  } catch (error) {
    const kind = isCoachModelError(error) ? error.kind : undefined;
    if (kind === 'auth' || kind === 'bad_request') {
      await fail('failed', kind);
      deps.observer?.longRunFinished?.('failed');
      return out('done', 'failed');
    }
    // Transient (rate limit, 5xx, connection): try again on the next poll.
    return out('pending', 'waiting', nextWaitSeconds(attempt, deps.random));
  }

  return settle(poll);

  async function settle(poll: CoachPoll): Promise<PollTaskOutput> {
    if (poll.status === 'completed') return recordCompleted(poll);
    if (poll.status === 'queued' || poll.status === 'in_progress') {
      // A step that followed the stream for its whole budget has just watched: the next one
      // follows on at once. Otherwise the backoff.
      return out('pending', 'waiting', followed.watched ? 0 : nextWaitSeconds(attempt, deps.random));
    }
    await fail(poll.status, 'code' in poll ? poll.code : poll.status);
    deps.observer?.longRunFinished?.('failed');
    return out('done', 'failed');
  }
}

/**
 * Follows the response's events (from the start: `starting_after` -1) for up to `followMs`:
 * its end as soon as it comes, or nothing (still running, or the stream failed: the step's
 * retrieve then decides, errors included). `watched` when the whole budget was spent watching.
 */
async function follow(
  deps: PollerDeps,
  responseId: string,
): Promise<{ readonly poll: CoachPoll | null; readonly watched: boolean }> {
  if (!deps.followMs) return { poll: null, watched: false };
  const startedAt = Date.now();
  const poll = await deps.model.follow(responseId, { after: -1, wait_ms: deps.followMs }).catch(() => null);
  const watched = Date.now() - startedAt >= deps.followMs;
  const ended = poll !== null && poll.status !== 'queued' && poll.status !== 'in_progress';
  return { poll: ended ? poll : null, watched };
}

/**
 * A run's answer or failure is written even when the user has deleted their message since:
 * the store then answers 410 `answer_deleted` instead of the run, which for the poller means
 * done, not a step to retry.
 */
async function writtenEvenIfDeleted(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'answer_deleted')) throw error;
  }
}

function fallbackFor(run: PendingRunDetails, nowMs: number) {
  return simulatedAnswer({
    message: run.message,
    chatType: run.chat_type,
    context: run.context,
    seed: run.client_message_id,
    fallback: true,
    elapsedMs: nowMs - Date.parse(run.created_at),
  });
}

/**
 * A claimed turn answered by OpenAI: the thread's conversation (created and saved first on a
 * thread's first message), one `responses.create` followed until the sync budget ends, then the
 * answer recorded, the run handed to the poller (202), or the simulated fallback (or a 503).
 */
import { openaiAnswer } from '../shared/coach/answers';
import { buildCoachContext, buildInstructions } from '../shared/coach/context';
import { profileRef, type CoachProfile } from '../shared/coach/profiles';
import { conversationMetadata } from '../shared/coach/threads';
import type { ChatPending, ChatReply } from '../shared/contract/schemas';
import { MODEL_OVERRUN_MS, POLLER_START_TIMEOUT_MS, RECORD_SLACK_MS } from '../shared/contract/timing';
import { appError } from '../shared/errors';
import type { TurnObserver } from '../shared/observer';
import { isCoachModelError, type AiAnswer, type CoachModel, type RunPollerStarter } from '../shared/ports';
import { safetyIdentifier } from '../shared/user-hash';
import type { ClaimedTurn, TurnStore } from './ports';
import { record, releaseAndThrow } from './recording';
import { screenReply, type SafetyDeps, type SafetyTurn } from './safety';
import type { TurnSink } from './sink';

export type ChatOutcome =
  { readonly status: 200; readonly body: ChatReply } | { readonly status: 202; readonly body: ChatPending };

/** What a 202 asks the app to wait before its first poll. */
export const PENDING_RETRY_AFTER_MS = 2000;
/** How long cancelling a response the poller will not follow may take; it is best effort. */
const CANCEL_TIMEOUT_MS = 1_000;

export interface OpenAITurnDeps extends SafetyDeps {
  readonly store: TurnStore;
  readonly model: CoachModel;
  readonly poller: RunPollerStarter | null;
  readonly observer?: TurnObserver | undefined;
  readonly now: () => number;
}

export interface OpenAITurn {
  readonly claimed: ClaimedTurn;
  readonly userId: string;
  readonly profile: CoachProfile;
  readonly chatType: string;
  readonly message: string;
  /** When the request started (epoch ms, `now()`'s clock): the answer's response time counts from here. */
  readonly startedAt: number;
  /** When the sync budget ends: every step before the answer is in hand ends by then. */
  readonly deadline: number;
  readonly fallbackEnabled: boolean;
  /** The thread a simulated answer is stored on when the turn has no conversation. */
  readonly simulatedThread: string;
  readonly simulated: (fallback: boolean) => AiAnswer;
  /** How the coach's reply is screened before it is shown. */
  readonly safety: SafetyTurn;
  readonly signal?: AbortSignal | undefined;
  /** The streamed route's listener (`./sink.ts`). */
  readonly sink?: TurnSink | undefined;
}

export async function answerWithOpenAI(deps: OpenAITurnDeps, turn: OpenAITurn): Promise<ChatOutcome> {
  const { claimed, profile, signal } = turn;
  const ids = { run_id: claimed.run_id, user_id: turn.userId };
  const safetyId = safetyIdentifier(turn.userId);
  let conversationId = claimed.conversation_id;
  try {
    conversationId ??= await newConversation(deps, turn, safetyId);
    turn.sink?.started({ ...ids, user_message_id: claimed.user_message_id, thread_id: conversationId });
    const instructions = buildInstructions(
      profile,
      buildCoachContext(claimed.context, { chatType: turn.chatType, profile }),
    );
    const waitMs = Math.max(0, turn.deadline - deps.now());
    // The adapter hands the response back still running at the budget; this stops any request
    // of it that outlives the budget, so recording still fits in the function's time.
    const overrun = AbortSignal.timeout(waitMs + MODEL_OVERRUN_MS);
    const outcome = await deps.model.respond(
      {
        model: profile.model,
        instructions,
        input: turn.message,
        conversation_id: conversationId,
        max_output_tokens: profile.max_output_tokens,
        reasoning_effort: profile.reasoning_effort,
        temperature: profile.temperature,
        compact_threshold: profile.compact_threshold,
        safety_identifier: safetyId,
        prompt_cache_key: profileRef(profile),
        metadata: { run_id: claimed.run_id, assistant_type: profile.id, chat_type: turn.chatType },
      },
      {
        wait_ms: waitMs,
        signal: signal ? AbortSignal.any([signal, overrun]) : overrun,
        recover_first: claimed.recover_first,
        on_delta: turn.sink?.delta,
      },
    );
    if (outcome.status === 'completed') {
      // The reply's screening takes only the slack before recording (contract/timing.ts): a
      // paid reply is always stored in time, unscreened (and counted) if it must be.
      const screened = await screenReply(deps, openaiAnswer(outcome, deps.now() - turn.startedAt), {
        ...turn.safety,
        timeoutMs: turn.deadline + RECORD_SLACK_MS - deps.now(),
      });
      const recorded = { ...ids, thread_id: conversationId, answer: screened.answer };
      return {
        status: 200,
        body: await record(deps, screened.event ? { ...recorded, safety_event: screened.event } : recorded),
      };
    }
    if (outcome.status === 'queued' || outcome.status === 'in_progress') {
      return await handOffToPoller(deps, turn, conversationId, outcome.response_id);
    }
    return await modelFailed('code' in outcome ? outcome.code : outcome.status, {});
  } catch (error) {
    if (!isCoachModelError(error)) throw error;
    return await modelFailed(error.kind, {
      cause: error,
      retryAfterSeconds: error.options.retryAfterSeconds,
    });
  }

  /** OpenAI could not answer: the stored simulated fallback, or (fallback off) 503 and nothing kept. */
  async function modelFailed(
    reason: string,
    failure: { readonly cause?: unknown; readonly retryAfterSeconds?: number | undefined },
  ): Promise<ChatOutcome> {
    deps.observer?.modelFailed?.(reason);
    if (!turn.fallbackEnabled) {
      await releaseAndThrow(
        deps,
        ids,
        appError('upstream_unavailable', {
          cause: failure.cause,
          retryAfterSeconds: failure.retryAfterSeconds ?? 10,
        }),
      );
    }
    const thread = conversationId ?? turn.simulatedThread;
    return {
      status: 200,
      body: await record(deps, { ...ids, thread_id: thread, answer: turn.simulated(true) }, reason),
    };
  }
}

/**
 * A thread's first conversation, created within the sync budget and saved before anything is
 * sent on it: a crash after the create cannot leave the thread without it. The answer is the
 * conversation in force, another one if a concurrent request saved it first.
 */
async function newConversation(deps: OpenAITurnDeps, turn: OpenAITurn, safetyId: string): Promise<string> {
  const budget = AbortSignal.timeout(Math.max(1, turn.deadline - deps.now()));
  const signal = turn.signal ? AbortSignal.any([turn.signal, budget]) : budget;
  const conversation = await deps.model.createConversation(
    { metadata: conversationMetadata(turn.profile.id, safetyId) },
    { signal },
  );
  const thread = await deps.store.saveThreadConversation(
    {
      user_id: turn.userId,
      assistant_type: turn.profile.id,
      thread_id: conversation.id,
      profile_ref: profileRef(turn.profile),
    },
    { signal: turn.signal },
  );
  return thread.thread_id;
}

/**
 * The reply is still being written: record the pending run, then start the poller. If the
 * poller cannot be started, the run is failed with the simulated fallback stored (and the
 * response cancelled), so the user still gets an answer and nothing is left dangling.
 */
async function handOffToPoller(
  deps: OpenAITurnDeps,
  turn: OpenAITurn,
  conversationId: string,
  responseId: string,
): Promise<ChatOutcome> {
  const runId = turn.claimed.run_id;
  const pending = await deps.store.beginPendingRun({
    run_id: runId,
    user_id: turn.userId,
    thread_id: conversationId,
    openai_response_id: responseId,
  });
  try {
    await startPoller(deps.poller, { run_id: runId, response_id: responseId });
  } catch (error) {
    const fallback = turn.simulated(true);
    const [state] = await Promise.all([
      deps.store.failRun({ run_id: runId, status: 'failed', failure_code: 'poller_unavailable', fallback }),
      deps.model
        .cancel(responseId, { signal: AbortSignal.timeout(CANCEL_TIMEOUT_MS) })
        .catch(() => undefined),
    ]);
    if (state.status === 'failed' && state.reply) {
      // Counted like any fallback, so the fallback alarm and the fallbacks-by-reason query see it.
      deps.observer?.answered?.({
        variant: fallback.variant,
        fallback: true,
        fallbackReason: 'poller_unavailable',
        model: fallback.model_used,
        latencyMs: fallback.response_time_ms,
        usage: fallback.usage,
        costUsd: 0,
      });
      return { status: 200, body: state.reply };
    }
    if (state.status === 'completed') {
      const { status: _status, run_id: _runId, ...reply } = state;
      return { status: 200, body: reply };
    }
    throw appError('upstream_unavailable', { cause: error });
  }
  // The user deleted their row while the reply was being written: the run goes on, unreadable.
  if (!pending.user_message_id) throw appError('answer_deleted');
  deps.observer?.longRunStarted?.();
  return {
    status: 202,
    body: {
      status: 'pending',
      run_id: pending.run_id,
      thread_id: pending.thread_id,
      user_message_id: pending.user_message_id,
      retry_after_ms: PENDING_RETRY_AFTER_MS,
    },
  };
}

/** Starts the poller, or fails once `POLLER_START_TIMEOUT_MS` has passed (the chat's time is counted). */
async function startPoller(
  poller: RunPollerStarter | null,
  input: { readonly run_id: string; readonly response_id: string },
): Promise<void> {
  if (!poller) throw new Error('no poller configured');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('the poller did not start in time')), POLLER_START_TIMEOUT_MS);
  });
  try {
    await Promise.race([poller.start(input), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

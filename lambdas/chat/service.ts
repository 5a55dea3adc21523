/**
 * The chat turn, independent of Lambda (docs/architecture.md follows one message through it).
 *
 * Two database round trips per message (prepare, record) and one OpenAI call (plus one to
 * create the conversation on a thread's first message). The service never retries a
 * `responses.create` itself (the model adapter owns that, ambiguity included), never lets
 * a fault lose the user's message silently, and never stores an answer twice: the store's
 * functions are exactly-once per run.
 */
import { randomUUID } from 'node:crypto';
import type { ChatPending, ChatReply, ChatRequest } from '../shared/contract/schemas';
import { openaiAnswer, simulatedAnswer } from '../shared/coach/answers';
import { buildCoachContext, buildInstructions, MAX_THEMES } from '../shared/coach/context';
import { isKnownChatType, profileRef, resolveProfile } from '../shared/coach/profiles';
import { conversationMetadata, isConversationId, newLocalThreadId } from '../shared/coach/threads';
import { appError } from '../shared/errors';
import type { TurnObserver } from '../shared/observer';
import type { Policy } from '../shared/policy';
import {
  isCoachModelError,
  type AiAnswer,
  type CoachModel,
  type RunPollerStarter,
  type TurnIdentity,
} from '../shared/ports';
import { safetyIdentifier } from '../shared/user-hash';
import type { TurnStore } from './ports';
import { record, releaseAndThrow } from './recording';
import { chooseVariant, secondsUntilUtcMidnight } from './variant';

export interface ChatDeps {
  readonly store: TurnStore;
  /** Null when no OpenAI key is configured: everyone gets the simulated coach. */
  readonly model: CoachModel | null;
  readonly poller: RunPollerStarter | null;
  readonly policy: Policy;
  readonly now?: () => number;
  readonly observer?: TurnObserver;
}

export type ChatOutcome =
  { readonly status: 200; readonly body: ChatReply } | { readonly status: 202; readonly body: ChatPending };

/** How long an unanswered claim blocks a retry of the same message (> the Lambda timeout). */
export const CLAIM_TTL_SECONDS = 60;
/** What a 202 asks the app to wait before its first poll. */
export const PENDING_RETRY_AFTER_MS = 2000;

export interface ChatTurnInput {
  readonly userId: string;
  /** An anonymous sign-in (the token's `is_anonymous`). */
  readonly anonymous?: boolean;
  readonly request: ChatRequest;
  /** The idempotency key (body or `Idempotency-Key` header, checked at the edge); one is generated if absent. */
  readonly clientMessageId?: string | undefined;
  readonly signal?: AbortSignal;
}

export async function sendChatMessage(deps: ChatDeps, input: ChatTurnInput): Promise<ChatOutcome> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const { request, userId, signal } = input;
  const chatType = request.chat_type;
  const { settings } = deps.policy;
  const flags = await deps.policy.flags.current();
  const profile = resolveProfile(chatType, settings.modelOverrides);
  if (!isKnownChatType(chatType)) deps.observer?.unknownChatType?.(chatType);
  const clientMessageId = input.clientMessageId ?? randomUUID();

  const prepared = await deps.store.prepareTurn(
    {
      user_id: userId,
      assistant_type: profile.id,
      chat_type: chatType,
      goal_id: request.goal_id ?? null,
      thread_id: request.thread_id ?? null,
      client_message_id: clientMessageId,
      claim_ttl_seconds: CLAIM_TTL_SECONDS,
      recent_limit: MAX_THEMES,
    },
    { signal },
  );
  if (prepared.kind === 'replay') return { status: 200, body: prepared.reply };
  if (prepared.kind === 'in_flight') {
    throw appError('request_in_flight', { retryAfterSeconds: 2, details: { run_id: prepared.run_id } });
  }

  const turn: Omit<TurnIdentity, 'thread_id'> = {
    run_id: prepared.run_id,
    user_id: userId,
    assistant_type: profile.id,
    profile_ref: profileRef(profile),
    chat_type: chatType,
    goal_id: request.goal_id ?? null,
    journal_entry_id: request.journal_entry_id ?? null,
    client_message_id: clientMessageId,
    message: request.message,
  };
  const currentThread = prepared.thread?.thread_id ?? null;
  const fallbackEnabled = prepared.settings.fallback_enabled ?? flags.fallback_enabled;
  const simulated = (fallback: boolean): AiAnswer =>
    simulatedAnswer({
      message: request.message,
      chatType,
      context: prepared.context,
      seed: clientMessageId,
      fallback,
      elapsedMs: now() - startedAt,
    });

  const variant = chooseVariant(
    deps.model !== null,
    flags,
    { userId, anonymous: input.anonymous ?? false, cohortSalt: settings.cohortSalt },
    prepared.settings,
    prepared.usage_today,
  );
  if (variant === 'budget_exceeded' && !fallbackEnabled) {
    await releaseAndThrow(
      deps,
      turn,
      appError('budget_exceeded', { retryAfterSeconds: secondsUntilUtcMidnight(now()) }),
    );
  }
  if (variant !== 'openai' || !deps.model) {
    // Budget-limited users are answered, not failed; the reason makes them visible on the
    // fallbacks-by-reason query without counting as a fallback.
    const reason = variant === 'budget_exceeded' ? 'budget_exceeded' : undefined;
    const thread = currentThread ?? newLocalThreadId();
    return {
      status: 200,
      body: await record(deps, { ...turn, thread_id: thread, answer: simulated(false) }, reason),
    };
  }

  const model = deps.model;
  const safetyId = safetyIdentifier(userId);
  let conversationId: string | null = isConversationId(currentThread) ? currentThread : null;
  try {
    if (!conversationId) {
      const conversation = await model.createConversation(
        { metadata: conversationMetadata(profile.id, safetyId) },
        { signal },
      );
      conversationId = conversation.id;
    }
    const instructions = buildInstructions(
      profile,
      buildCoachContext(prepared.context, { chatType, profile }),
    );
    const outcome = await model.respond(
      {
        model: profile.model,
        instructions,
        input: request.message,
        conversation_id: conversationId,
        max_output_tokens: profile.max_output_tokens,
        reasoning_effort: profile.reasoning_effort,
        temperature: profile.temperature,
        compact_threshold: profile.compact_threshold,
        safety_identifier: safetyId,
        prompt_cache_key: turn.profile_ref,
        metadata: { run_id: prepared.run_id, assistant_type: profile.id, chat_type: chatType },
      },
      { wait_ms: Math.max(0, flags.sync_budget_ms - (now() - startedAt)), signal },
    );

    if (outcome.status === 'completed') {
      const answer = openaiAnswer(outcome, now() - startedAt);
      return { status: 200, body: await record(deps, { ...turn, thread_id: conversationId, answer }) };
    }
    if (outcome.status === 'queued' || outcome.status === 'in_progress') {
      return await handOffToPoller(
        deps,
        { ...turn, thread_id: conversationId },
        outcome.response_id,
        simulated,
      );
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
    if (!fallbackEnabled) {
      await releaseAndThrow(
        deps,
        turn,
        appError('upstream_unavailable', {
          cause: failure.cause,
          retryAfterSeconds: failure.retryAfterSeconds ?? 10,
        }),
      );
    }
    const thread = conversationId ?? currentThread ?? newLocalThreadId();
    return {
      status: 200,
      body: await record(deps, { ...turn, thread_id: thread, answer: simulated(true) }, reason),
    };
  }
}

/**
 * The reply is still being written: record the user's row and the pending run, then
 * start the poller. If the poller cannot be started, the run is failed with the simulated
 * fallback stored, so the user still gets an answer and nothing is left dangling.
 */
async function handOffToPoller(
  deps: ChatDeps,
  turn: TurnIdentity,
  responseId: string,
  simulated: (fallback: boolean) => AiAnswer,
): Promise<ChatOutcome> {
  const pending = await deps.store.beginPendingRun({ ...turn, openai_response_id: responseId });
  try {
    if (!deps.poller) throw new Error('no poller configured');
    await deps.poller.start({ run_id: turn.run_id, response_id: responseId });
  } catch (error) {
    await deps.model?.cancel(responseId).catch(() => undefined);
    const fallback = simulated(true);
    const state = await deps.store.failRun({
      run_id: turn.run_id,
      status: 'failed',
      failure_code: 'poller_unavailable',
      fallback,
    });
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

/**
 * The chat turn, independent of Lambda: DESIGN.md section 3 as code.
 *
 * Two database round trips per message (prepare, record) and one OpenAI call (plus one to
 * create the conversation on a thread's first message). The service never retries a
 * `responses.create` itself (the model adapter owns that, ambiguity included), never lets
 * a fault lose the user's message silently, and never stores an answer twice: the store's
 * functions are exactly-once per run.
 */
import { randomUUID } from 'node:crypto';
import { ClientMessageId, type ChatPending, type ChatReply, type ChatRequest } from '../shared/api-schemas';
import { buildCoachContext, buildInstructions } from '../shared/coach/context';
import { isKnownChatType, profileRef, resolveProfile } from '../shared/coach/profiles';
import { estimateCostUsd, ZERO_USAGE } from '../shared/coach/pricing';
import { SIMULATED_MODEL, simulatedReply } from '../shared/coach/simulated';
import {
  StoreUnavailableError,
  badRequest,
  conflict,
  serviceUnavailable,
  tooManyRequests,
} from '../shared/errors';
import type {
  AiAnswer,
  ChatStore,
  CoachCompleted,
  CoachModel,
  CoachModelError,
  PendingRunDetails,
  TokenUsage,
  TurnIdentity,
  UserAiSettings,
} from '../shared/ports';
import { cohortBucket, safetyIdentifier } from '../shared/user-hash';

/** The switches and budgets a turn is decided by (from config; per-user settings override). */
export interface ChatPolicy {
  readonly openaiEnabled: boolean;
  readonly fallbackEnabled: boolean;
  /** Share of users (0–100, by a stable hash) who get OpenAI; the rest the simulated coach. */
  readonly rolloutPercent: number;
  readonly dailyTokenLimitPerUser: number;
  readonly dailyCostLimitUsdPerUser: number;
  /** How long the request waits for the model before handing the run to the poller. */
  readonly syncBudgetMs: number;
  readonly modelOverrides: Readonly<Record<string, string>>;
}

/** Starts the long-run poller (Step Functions in AWS, the same definition run locally). */
export interface RunPollerStarter {
  start(input: { readonly run_id: string; readonly response_id: string }): Promise<void>;
}

/** What the service reports for metrics; the handler turns these into EMF metrics. */
export interface ChatObserver {
  unknownChatType?(chatType: string): void;
  answered?(answer: {
    readonly variant: string;
    readonly fallback: boolean;
    /** Why the simulated coach stood in for OpenAI (an error kind or a response code). */
    readonly fallbackReason?: string | undefined;
    readonly model: string;
    readonly latencyMs: number;
    readonly usage: TokenUsage;
    readonly costUsd: number;
  }): void;
  longRunStarted?(): void;
  modelFailed?(kind: string): void;
}

export interface ChatDeps {
  readonly store: ChatStore;
  /** Null when no OpenAI key is configured: everyone gets the simulated coach. */
  readonly model: CoachModel | null;
  readonly poller: RunPollerStarter | null;
  readonly policy: ChatPolicy;
  readonly now?: () => number;
  readonly observer?: ChatObserver;
}

export type ChatOutcome =
  { readonly status: 200; readonly body: ChatReply } | { readonly status: 202; readonly body: ChatPending };

/** How long an unanswered claim blocks a retry of the same message (> the Lambda timeout). */
export const CLAIM_TTL_SECONDS = 60;
/** How many of the user's recent messages the context may quote. */
export const RECENT_MESSAGES = 5;
/** What a 202 asks the app to wait before its first poll. */
export const PENDING_RETRY_AFTER_MS = 2000;
/** A simulated reply on a thread without a conversation gets a local thread id. */
const LOCAL_THREAD_PREFIX = 'thread_local_';

export interface ChatTurnInput {
  readonly userId: string;
  readonly request: ChatRequest;
  /** The `Idempotency-Key` header, if sent. */
  readonly idempotencyKey?: string | undefined;
  readonly signal?: AbortSignal;
}

export async function sendChatMessage(deps: ChatDeps, input: ChatTurnInput): Promise<ChatOutcome> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const { request, userId } = input;
  const chatType = request.chat_type;
  const profile = resolveProfile(chatType, deps.policy.modelOverrides);
  if (!isKnownChatType(chatType)) deps.observer?.unknownChatType?.(chatType);

  const clientMessageId = idempotencyKeyOf(request.client_message_id, input.idempotencyKey);

  const prepared = await deps.store.prepareTurn({
    user_id: userId,
    assistant_type: profile.id,
    chat_type: chatType,
    goal_id: request.goal_id ?? null,
    thread_id: request.thread_id ?? null,
    client_message_id: clientMessageId,
    claim_ttl_seconds: CLAIM_TTL_SECONDS,
    recent_limit: RECENT_MESSAGES,
  });
  if (prepared.kind === 'replay') return { status: 200, body: prepared.reply };
  if (prepared.kind === 'in_flight') {
    throw conflict(
      'request_in_flight',
      'This message is still being answered; retry shortly with the same key.',
      {
        retryAfterSeconds: 2,
        details: { run_id: prepared.run_id },
      },
    );
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
  const fallbackEnabled = prepared.settings.fallback_enabled ?? deps.policy.fallbackEnabled;
  const simulated = (fallback: boolean): AiAnswer =>
    simulatedAnswer({
      message: request.message,
      chatType,
      context: prepared.context,
      seed: clientMessageId,
      fallback,
      elapsedMs: now() - startedAt,
    });

  const variant = chooseVariant(deps, userId, prepared.settings, prepared.usage_today);
  if (variant === 'budget_exceeded' && !fallbackEnabled) {
    await deps.store.releaseTurn({ run_id: prepared.run_id, user_id: userId });
    throw tooManyRequests(
      'budget_exceeded',
      "Today's coaching budget is used up; it resets at midnight UTC.",
      {
        retryAfterSeconds: secondsUntilUtcMidnight(now()),
      },
    );
  }
  if (variant !== 'openai' || !deps.model) {
    const threadId = currentThread ?? `${LOCAL_THREAD_PREFIX}${randomUUID()}`;
    return {
      status: 200,
      // Budget-limited users are answered, not failed; the reason makes them visible on the
      // fallbacks-by-reason query without counting as a fallback.
      body: await record(
        deps,
        { ...turn, thread_id: threadId, answer: simulated(false) },
        variant === 'budget_exceeded' ? 'budget_exceeded' : undefined,
      ),
    };
  }

  const model = deps.model;
  const safetyId = safetyIdentifier(userId);
  let conversationId: string | null = currentThread?.startsWith('conv_') ? currentThread : null;
  try {
    if (!conversationId) {
      const conversation = await model.createConversation(
        { metadata: conversationMetadata(profile.id, safetyId) },
        { signal: input.signal },
      );
      conversationId = conversation.id;
    }
    const instructions = buildInstructions(
      profile,
      buildCoachContext(prepared.context, { chatType, profile }),
    );
    const waitMs = Math.max(0, deps.policy.syncBudgetMs - (now() - startedAt));
    const outcome = await model.respond(
      {
        model: profile.model,
        instructions,
        input: request.message,
        conversation_id: conversationId,
        max_output_tokens: profile.max_output_tokens,
        reasoning_effort: profile.reasoning_effort,
        temperature: profile.temperature,
        safety_identifier: safetyId,
        prompt_cache_key: turn.profile_ref,
        metadata: { run_id: prepared.run_id, assistant_type: profile.id, chat_type: chatType },
      },
      { wait_ms: waitMs, signal: input.signal },
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
      await deps.store.releaseTurn({ run_id: turn.run_id, user_id: userId });
      throw serviceUnavailable(
        'upstream_unavailable',
        'The coach could not answer right now; please try again.',
        {
          cause: failure.cause,
          retryAfterSeconds: failure.retryAfterSeconds ?? 10,
        },
      );
    }
    const threadId = conversationId ?? currentThread ?? `${LOCAL_THREAD_PREFIX}${randomUUID()}`;
    return {
      status: 200,
      body: await record(deps, { ...turn, thread_id: threadId, answer: simulated(true) }, reason),
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
    const state = await deps.store.failRun({
      run_id: turn.run_id,
      status: 'failed',
      failure_code: 'poller_unavailable',
      fallback: simulated(true),
    });
    if (state.status === 'failed' && state.reply) return { status: 200, body: state.reply };
    if (state.status === 'completed') {
      const { status: _status, run_id: _runId, ...reply } = state;
      return { status: 200, body: reply };
    }
    throw serviceUnavailable(
      'upstream_unavailable',
      'The coach could not answer right now; please try again.',
      { cause: error },
    );
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

/** Record with one retry on a database blip: the model's answer is already paid for. */
async function record(
  deps: ChatDeps,
  input: TurnIdentity & { readonly answer: AiAnswer },
  fallbackReason?: string,
): Promise<ChatReply> {
  let reply: ChatReply;
  try {
    reply = await deps.store.recordExchange(input);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    reply = await deps.store.recordExchange(input);
  }
  deps.observer?.answered?.({
    variant: input.answer.variant,
    fallback: input.answer.fallback,
    fallbackReason,
    model: input.answer.model_used,
    latencyMs: input.answer.response_time_ms,
    usage: input.answer.usage,
    costUsd: input.answer.cost_estimate,
  });
  return reply;
}

type VariantDecision = 'openai' | 'simulated' | 'budget_exceeded';

/** Kill switch, per-user override, A/B cohort, then the user's daily budget. */
function chooseVariant(
  deps: ChatDeps,
  userId: string,
  settings: UserAiSettings,
  usageToday: { readonly tokens: number; readonly cost_usd: number },
): VariantDecision {
  // The kill switch wins over everything, per-user overrides included: it is the rollback.
  if (!deps.model || !deps.policy.openaiEnabled) return 'simulated';
  const enabled = settings.openai_enabled ?? cohortBucket(userId) < deps.policy.rolloutPercent;
  if (!enabled) return 'simulated';
  const tokenLimit = settings.daily_token_limit ?? deps.policy.dailyTokenLimitPerUser;
  const costLimit = settings.daily_cost_limit_usd ?? deps.policy.dailyCostLimitUsdPerUser;
  if (usageToday.tokens >= tokenLimit || usageToday.cost_usd >= costLimit) return 'budget_exceeded';
  return 'openai';
}

function idempotencyKeyOf(bodyKey: string | null | undefined, headerKey: string | undefined): string {
  if (headerKey === undefined || headerKey.trim() === '') return bodyKey ?? randomUUID();
  // The header obeys the same rules as the body's client_message_id.
  const header = ClientMessageId.safeParse(headerKey);
  if (!header.success) {
    throw badRequest('validation_failed', `Idempotency-Key: ${header.error.issues[0]?.message ?? 'invalid'}`);
  }
  if (bodyKey && bodyKey !== header.data) {
    throw badRequest('idempotency_key_mismatch', 'client_message_id and the Idempotency-Key header differ.');
  }
  return header.data;
}

/** Metadata of a new conversation: the coach and a hash of the user, never the raw id. */
export function conversationMetadata(profileId: string, safetyId: string): Record<string, string> {
  return { assistant_type: profileId, user: safetyId };
}

/** The stored answer of a completed OpenAI response, cost computed per token kind. */
export function openaiAnswer(completed: CoachCompleted, elapsedMs: number): AiAnswer {
  return {
    response: completed.text,
    variant: 'openai',
    fallback: false,
    model_used: completed.model,
    openai_response_id: completed.response_id,
    usage: completed.usage,
    cost_estimate: estimateCostUsd(completed.model, completed.usage),
    response_time_ms: Math.max(0, Math.round(elapsedMs)),
  };
}

export function simulatedAnswer(input: {
  readonly message: string;
  readonly chatType: string;
  readonly context: PendingRunDetails['context'];
  readonly seed: string;
  readonly fallback: boolean;
  readonly elapsedMs: number;
}): AiAnswer {
  return {
    response: simulatedReply({
      message: input.message,
      chatType: input.chatType,
      context: input.context,
      seed: input.seed,
    }),
    variant: 'simulated',
    fallback: input.fallback,
    model_used: SIMULATED_MODEL,
    openai_response_id: null,
    usage: ZERO_USAGE,
    cost_estimate: 0,
    response_time_ms: Math.max(0, Math.round(input.elapsedMs)),
  };
}

function isCoachModelError(error: unknown): error is CoachModelError {
  return error instanceof Error && error.name === 'CoachModelError' && 'kind' in error;
}

function secondsUntilUtcMidnight(nowMs: number): number {
  const d = new Date(nowMs);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
  return Math.max(1, Math.ceil((midnight - nowMs) / 1000));
}

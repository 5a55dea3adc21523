/**
 * The chat turn, independent of Lambda (docs/architecture.md follows one message through it).
 *
 * Two database round trips per message (prepare, record), plus one on a thread's first OpenAI
 * message to save its new conversation before anything is sent on it, and one OpenAI call
 * (plus the conversation's creation). The claim stores the turn once (its identity and the
 * user's row) after every limit has passed; recording takes only what is new. The service
 * never retries a `responses.create` itself (the model adapter owns that, ambiguity included),
 * never lets a fault lose the user's message silently, and never stores an answer twice: the
 * store's functions are exactly-once per run.
 */
import { randomUUID } from 'node:crypto';
import type { ChatRequest } from '../shared/contract/schemas';
import { simulatedAnswer } from '../shared/coach/answers';
import { MAX_THEMES } from '../shared/coach/context';
import {
  AI_DISCLOSURE,
  DISCLOSURE_INTERVAL_MS,
  turnLocale,
  type CrisisResourceTable,
} from '../shared/coach/crisis';
import { isKnownChatType, profileRef, resolveProfile } from '../shared/coach/profiles';
import { isConversationId, newLocalThreadId } from '../shared/coach/threads';
import { appError } from '../shared/errors';
import type { TurnObserver } from '../shared/observer';
import type { Policy } from '../shared/policy';
import type { AiAnswer, CoachModel, RunPollerStarter, Screener } from '../shared/ports';
import { answerWithOpenAI, type ChatOutcome } from './openai-turn';
import type { ClaimedTurn, TurnStore } from './ports';
import { prepareTurn } from './prepare';
import { record } from './recording';
import { reservationBasis } from './reservation';
import { decideTurn, screen, type SafetyTurn } from './safety';
import type { TurnSink } from './sink';
import { rolloutChoices, turnLimits } from './variant';

export { PENDING_RETRY_AFTER_MS, type ChatOutcome } from './openai-turn';

export interface ChatDeps {
  readonly store: TurnStore;
  /** Null when no OpenAI key is configured: everyone gets the simulated coach. */
  readonly model: CoachModel | null;
  readonly poller: RunPollerStarter | null;
  readonly policy: Policy;
  readonly now?: () => number;
  readonly observer?: TurnObserver;
  /** The moderation endpoint; null: nothing is screened (no OpenAI key). Required, so no function can forget it. */
  readonly screener: Screener | null;
  /** The crisis services by locale (`CRISIS_RESOURCES` over `coach/crisis.ts`'s table; default: that table). */
  readonly crisisResources?: CrisisResourceTable | undefined;
}

export interface ChatTurnInput {
  readonly userId: string;
  /** An anonymous sign-in (the token's `is_anonymous`). */
  readonly anonymous?: boolean;
  readonly request: ChatRequest;
  /** The idempotency key (body or `Idempotency-Key` header, checked at the edge); one is generated if absent. */
  readonly clientMessageId?: string | undefined;
  /** The `Accept-Language` header: the crisis services' locale when the body names none. */
  readonly acceptLanguage?: string | undefined;
  readonly signal?: AbortSignal;
  /** The streamed route's listener: told when the turn starts and given the reply as it streams. */
  readonly sink?: TurnSink | undefined;
}

export async function sendChatMessage(deps: ChatDeps, input: ChatTurnInput): Promise<ChatOutcome> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const { request, userId, signal } = input;
  const chatType = request.chat_type;
  const { settings } = deps.policy;
  const flags = await deps.policy.flags.current();
  const { allowed, limits } = turnLimits(flags, { anonymous: input.anonymous ?? false });
  // Before any claim: an anonymous user who may not chat leaves nothing behind.
  if (!allowed) throw appError('anonymous_not_allowed');
  const profile = resolveProfile(chatType, settings.modelOverrides);
  if (!isKnownChatType(chatType)) deps.observer?.unknownChatType?.(chatType);
  const clientMessageId = input.clientMessageId ?? randomUUID();
  const locale = turnLocale(request.locale, input.acceptLanguage);
  const safety: SafetyTurn = {
    // The kill switch stops every call to OpenAI, moderation included.
    enabled: flags.screening_enabled && flags.openai_enabled,
    threshold: flags.self_harm_score_threshold,
    locale,
    signal,
  };
  // Alongside the prepare round trip, so that screening adds no time in the common case.
  const screening = screen(deps, request.message, safety);

  const prepared = await prepareTurn(
    deps,
    {
      user_id: userId,
      assistant_type: profile.id,
      profile_ref: profileRef(profile),
      chat_type: chatType,
      goal_id: request.goal_id ?? null,
      journal_entry_id: request.journal_entry_id ?? null,
      thread_id: request.thread_id ?? null,
      client_message_id: clientMessageId,
      message: request.message,
      recent_limit: MAX_THEMES,
      rollout: rolloutChoices(deps.model !== null, flags, { userId, cohortSalt: settings.cohortSalt }),
      limits,
      reserve: reservationBasis(profile, request.message),
      locale,
      disclosure: flags.disclosure_enabled
        ? {
            text: AI_DISCLOSURE,
            at: new Date(startedAt).toISOString(),
            interval_seconds: DISCLOSURE_INTERVAL_MS / 1000,
            in_response: flags.disclosure_in_response,
          }
        : null,
    },
    signal,
  );
  if (prepared.kind === 'replay') return { status: 200, body: prepared.reply };
  if (prepared.global_budget_exceeded) deps.observer?.globalBudgetExceeded?.();

  const ids = { run_id: prepared.run_id, user_id: userId };
  const simulated = (fallback: boolean): AiAnswer =>
    simulatedAnswer({
      message: request.message,
      chatType,
      context: prepared.context,
      seed: clientMessageId,
      fallback,
      elapsedMs: now() - startedAt,
    });
  const thread = prepared.conversation_id ?? simulatedThread(prepared);

  const decision = await decideTurn(deps, screening, { ...safety, elapsedMs: () => now() - startedAt });
  if (decision.kind === 'crisis') {
    // Never sent to the coach model: the crisis reply is the answer, recorded with its event.
    return {
      status: 200,
      body: await record(deps, {
        ...ids,
        thread_id: thread,
        answer: decision.answer,
        safety_event: decision.event,
      }),
    };
  }
  if (prepared.variant !== 'openai' || !deps.model) {
    // The global budget's simulated replies carry the reason: the fallbacks-by-reason query
    // shows them, and they are not counted as fallbacks.
    const reason = prepared.global_budget_exceeded ? 'global_budget' : undefined;
    input.sink?.started({ ...ids, user_message_id: prepared.user_message_id, thread_id: thread });
    return {
      status: 200,
      body: await record(deps, { ...ids, thread_id: thread, answer: simulated(false) }, reason),
    };
  }
  return answerWithOpenAI(
    { ...deps, model: deps.model, now },
    {
      claimed: prepared,
      userId,
      profile,
      chatType,
      message: request.message,
      startedAt,
      deadline: startedAt + flags.sync_budget_ms,
      fallbackEnabled: prepared.settings.fallback_enabled ?? flags.fallback_enabled,
      simulatedThread: thread,
      simulated,
      safety,
      signal,
      sink: input.sink,
    },
  );
}

/**
 * The thread a simulated answer goes on when the backend has no conversation for it: the app's
 * own local id, or a new one. Never a conversation id read from the app's row, which the app
 * may have written (the backend's conversations are in `conversation_id`).
 */
function simulatedThread(prepared: ClaimedTurn): string {
  const current = prepared.thread?.thread_id;
  return current && !isConversationId(current) ? current : newLocalThreadId();
}

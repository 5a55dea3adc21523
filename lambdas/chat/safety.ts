/**
 * The screening of a turn (docs/safety.md, "Crisis protocol"): the user's message goes to the
 * moderation endpoint alongside the prepare round trip, and a message about self-harm gets the
 * crisis reply instead of the coach; the coach's reply is screened too before it is shown. The
 * decision lives here, in one place, so every path that answers a turn (the sync chat, a
 * streamed one, the poller) decides the same way.
 *
 * Screening fails open: when moderation is down or slower than `SCREENING_TIMEOUT_MS`, the
 * coach answers (its instructions still point to crisis services) and the failure is counted.
 */
import {
  crisisReply,
  DEFAULT_CRISIS_RESOURCES,
  replacementReply,
  resourcesFor,
  SAFETY_REPLY_MODEL,
  type CrisisResourceTable,
} from '../shared/coach/crisis';
import { ZERO_USAGE } from '../shared/coach/pricing';
import { SCREENING_TIMEOUT_MS } from '../shared/openai/moderation';
import type { TurnObserver } from '../shared/observer';
import {
  ScreeningError,
  type AiAnswer,
  type ModerationVerdict,
  type SafetyEventInput,
  type Screener,
} from '../shared/ports';

export { SCREENING_TIMEOUT_MS } from '../shared/openai/moderation';

/** A screening's outcome. `skipped`: the flag is off; `failed`: moderation could not answer. */
export type Screening =
  | { readonly kind: 'skipped' }
  | { readonly kind: 'failed'; readonly failure: string }
  | { readonly kind: 'screened'; readonly verdict: ModerationVerdict };

export interface SafetyDeps {
  /** Null when no OpenAI key is configured (then nothing can be screened). */
  readonly screener: Screener | null;
  readonly observer?: TurnObserver | undefined;
  readonly crisisResources?: CrisisResourceTable | undefined;
}

/** The flags and the turn a screening reads. */
export interface SafetyTurn {
  readonly enabled: boolean;
  /** `self_harm_score_threshold`. */
  readonly threshold: number;
  /** The locale the crisis resources are chosen by (null: none known). */
  readonly locale: string | null;
  /** Less than `SCREENING_TIMEOUT_MS` when the turn has less time left; at most 0: not screened (counted as a timeout). */
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Starts screening a text; the promise never rejects and settles within
 * `SCREENING_TIMEOUT_MS` (or the turn's `timeoutMs`). Start it before the prepare round trip so that both run together.
 */
export function screen(deps: SafetyDeps, text: string, turn: SafetyTurn): Promise<Screening> {
  if (!turn.enabled || !deps.screener) return Promise.resolve({ kind: 'skipped' });
  const waitMs = Math.min(SCREENING_TIMEOUT_MS, turn.timeoutMs ?? SCREENING_TIMEOUT_MS);
  if (waitMs <= 0) return Promise.resolve({ kind: 'failed', failure: 'timeout' });
  const timeout = AbortSignal.timeout(waitMs);
  const signal = turn.signal ? AbortSignal.any([turn.signal, timeout]) : timeout;
  return deps.screener.moderate(text, { signal }).then(
    (verdict): Screening => ({ kind: 'screened', verdict }),
    (error: unknown): Screening => ({
      kind: 'failed',
      failure: error instanceof ScreeningError ? error.kind : 'unknown',
    }),
  );
}

/**
 * The category that sends a message to the crisis path: `self-harm/intent` or
 * `self-harm/instructions` when flagged, or `self-harm` scored at or above the threshold.
 */
export function crisisCategory(verdict: ModerationVerdict, threshold: number): string | null {
  if (verdict.categories['self-harm/intent']) return 'self-harm/intent';
  if (verdict.categories['self-harm/instructions']) return 'self-harm/instructions';
  if ((verdict.scores['self-harm'] ?? 0) >= threshold) return 'self-harm';
  return null;
}

/** What answers a turn: the coach, or the crisis reply (with the safety event to record with it). */
export type TurnDecision =
  | { readonly kind: 'coach' }
  | { readonly kind: 'crisis'; readonly answer: AiAnswer; readonly event: SafetyEventInput };

/**
 * The decision for a claimed turn, from its user message's screening: the crisis reply (the
 * message is never sent to the coach model) or the coach. Counts a screening that was skipped
 * or failed, and each crisis reply.
 */
export async function decideTurn(
  deps: SafetyDeps,
  screening: Promise<Screening>,
  turn: SafetyTurn & { readonly elapsedMs: () => number },
): Promise<TurnDecision> {
  const outcome = await screening;
  if (outcome.kind === 'skipped') {
    if (!turn.enabled) deps.observer?.screeningSkipped?.();
    return { kind: 'coach' };
  }
  if (outcome.kind === 'failed') {
    deps.observer?.screeningFailed?.({ source: 'user_message', kind: outcome.failure });
    return { kind: 'coach' };
  }
  const category = crisisCategory(outcome.verdict, turn.threshold);
  if (!category) return { kind: 'coach' };
  deps.observer?.safetyEscalated?.({ source: 'user_message', category });
  return {
    kind: 'crisis',
    answer: {
      response: crisisReply(resourcesFor(deps.crisisResources ?? DEFAULT_CRISIS_RESOURCES, turn.locale)),
      variant: 'safety',
      fallback: false,
      model_used: SAFETY_REPLY_MODEL,
      openai_response_id: null,
      usage: ZERO_USAGE,
      cost_estimate: 0,
      response_time_ms: Math.max(0, Math.round(turn.elapsedMs())),
    },
    event: {
      source: 'user_message',
      category,
      scores: selfHarmScores(outcome.verdict),
      action: 'crisis_reply',
    },
  };
}

/**
 * A coach answer screened before it is shown: unchanged, or (flagged) replaced by a safe reply
 * stored with `variant: "safety"` and the event that says so. The replaced answer keeps its
 * response id, usage and cost: it was paid for. Fails open like the message's screening.
 */
export async function screenReply(
  deps: SafetyDeps,
  answer: AiAnswer,
  turn: SafetyTurn,
): Promise<{ readonly answer: AiAnswer; readonly event?: SafetyEventInput }> {
  const outcome = await screen(deps, answer.response, turn);
  if (outcome.kind === 'failed') {
    deps.observer?.screeningFailed?.({ source: 'coach_reply', kind: outcome.failure });
  }
  if (outcome.kind !== 'screened') return { answer };
  const { verdict } = outcome;
  const category =
    crisisCategory(verdict, turn.threshold) ??
    Object.keys(verdict.categories).find((name) => verdict.categories[name]) ??
    null;
  if (!category) return { answer };
  deps.observer?.safetyEscalated?.({ source: 'coach_reply', category });
  const resources = resourcesFor(deps.crisisResources ?? DEFAULT_CRISIS_RESOURCES, turn.locale);
  return {
    answer: {
      ...answer,
      variant: 'safety',
      response: replacementReply(resources, category.startsWith('self-harm')),
    },
    event: {
      source: 'coach_reply',
      category,
      scores: flaggedScores(verdict, category),
      action: 'reply_replaced',
    },
  };
}

/** The self-harm scores: what the protocol decides by, and all a crisis event keeps. */
function selfHarmScores(verdict: ModerationVerdict): Record<string, number> {
  return Object.fromEntries(Object.entries(verdict.scores).filter(([name]) => name.startsWith('self-harm')));
}

/** The self-harm scores and the deciding category's. */
function flaggedScores(verdict: ModerationVerdict, category: string): Record<string, number> {
  return { ...selfHarmScores(verdict), [category]: verdict.scores[category] ?? 0 };
}

/**
 * The simulated coach: the app's canned replies, moved server-side and made worth reading.
 * It answers when OpenAI is switched off for a user (kill switch, A/B cohort, no key) and as
 * the fallback when OpenAI fails, so it must sound like a good human coach: short, personal
 * (name, ratings, goals, the pillar being discussed), ending with a question.
 *
 * Deterministic: the template is picked by a stable hash of the seed (the message's
 * idempotency key), so a retried request gets the same answer. Crisis language always gets
 * the safety reply, whatever the chat type.
 */
import { createHash } from 'node:crypto';
import type { CoachContextData } from '../contract/schemas';
import { oneLine, pillarDisplayName } from './context';
import { crisisReply, DEFAULT_CRISIS_RESOURCES, resourcesFor } from './crisis';
import { pillarOfChatType, profileIdForChatType } from './profiles';

/** `model_used` of simulated replies. */
export const SIMULATED_MODEL = 'mivia-simulated-coach';

export interface SimulatedReplyInput {
  readonly message: string;
  readonly chatType: string;
  readonly context: CoachContextData;
  /** Stable per message (the idempotency key): same seed, same reply. */
  readonly seed: string;
}

interface RatedPillar {
  readonly name: string;
  readonly rating: number;
}

interface Facts {
  /** "Sam" or "". */
  readonly name: string;
  /** ", Sam" or "": ready to splice before punctuation. */
  readonly toName: string;
  readonly lowest: RatedPillar | null;
  readonly highest: RatedPillar | null;
  readonly goal: string | null;
  readonly pillar: (RatedPillar & { readonly rated: boolean }) | null;
}

/** A template returns null when a fact it needs is missing; every list ends with ones that need none. */
type Template = (facts: Facts) => string | null;

const GENERAL: readonly Template[] = [
  ({ toName, lowest }) =>
    lowest &&
    `Thanks for sharing that${toName}. Your check-ins show ${lowest.name} at ${lowest.rating}%, the lowest of your pillars right now, and small steps there often lift everything else. What is one tiny thing that would make ${lowest.name} feel a little better this week?`,
  ({ toName, goal }) =>
    goal &&
    `I hear you${toName}. This connects to your goal ${goal}. Progress rarely runs in a straight line, and noticing what gets in the way is part of it. What has helped you most with that goal so far, even on a hard day?`,
  ({ toName, highest }) =>
    highest &&
    `That's worth paying attention to${toName}. You're strongest in ${highest.name} right now (${highest.rating}%), so something you do there is working. Could one of those habits help with what you're facing now?`,
  ({ toName }) =>
    `Thanks for telling me${toName}. Let's slow down for a moment: what feels most important about this for you right now, and what would a good outcome look like by the end of the week?`,
  ({ toName }) =>
    `I'm glad you brought this up${toName}. Often the most useful step is the smallest one. If you picked one thing to try in the next 24 hours, what would it be?`,
];

const PILLAR: readonly Template[] = [
  ({ toName, pillar }) =>
    pillar?.rated
      ? `Let's look at ${pillar.name} together${toName}. Your latest check-in put it at ${pillar.rating}%. ${
          pillar.rating < 50
            ? "That tells us things feel stretched here, and that's okay: it shows us where to start."
            : pillar.rating < 75
              ? 'There is a solid base to build on.'
              : "That's strong, so the aim is to protect what already works."
        } What is one small experiment you could try this week to move it a few points?`
      : null,
  ({ toName, pillar, goal }) =>
    pillar && goal
      ? `Good to focus on ${pillar.name}${toName}. Your goal ${goal} is a great anchor. What would a realistic version of it look like on your busiest day?`
      : null,
  ({ toName, pillar }) =>
    pillar &&
    `${pillar.name} is a great place to put some attention${toName}. What does a good ${pillar.name.toLowerCase()} day look like for you, and what usually gets in the way of having more of them?`,
  ({ toName, pillar }) =>
    pillar &&
    `Thanks for opening up about ${pillar.name}${toName}. Rather than changing everything at once, let's pick one habit. Which part of ${pillar.name} would you most like to feel different a month from now?`,
];

const JOURNAL: readonly Template[] = [
  ({ toName, lowest }) =>
    lowest &&
    `That sounds like a lot to hold${toName}. I notice ${lowest.name} has been lower lately (${lowest.rating}%). Do you see any link between what you wrote and how ${lowest.name} has felt?`,
  ({ toName, goal }) =>
    goal &&
    `I appreciate you sharing this${toName}. Days like this can show what supports your goal ${goal} and what gets in its way. What did today teach you about that?`,
  ({ toName }) =>
    `Thank you for taking the time to reflect${toName}. Writing things down is already a way of caring for yourself. What feeling stands out most as you read back what you wrote?`,
  ({ toName }) =>
    `Thanks for this reflection${toName}. If a good friend had written these words, what would you want to say to them?`,
];

const ONBOARDING: readonly Template[] = [
  ({ toName, lowest }) =>
    lowest &&
    `Welcome${toName}! Your first check-in shows ${lowest.name} at ${lowest.rating}%, so that might be a good place to begin, but it's your call. Which pillar would you like to focus on first?`,
  ({ toName }) =>
    `Welcome to MiVia${toName}! I'm your coach. Together we'll look at four pillars (Health, Emotion, Purpose and Connection) and set small goals that fit your life. Which of the four feels most important to you right now?`,
  ({ name }) =>
    `Hi ${name || 'there'}, great to have you here! MiVia works best with small, steady steps: a quick check-in, one goal, a few lines of journaling. What made you decide to start today?`,
];

const TEMPLATES = {
  general_coach: GENERAL,
  pillar_coach: PILLAR,
  journal_coach: JOURNAL,
  onboarding_coach: ONBOARDING,
} as const;

/**
 * Words that must never get a cheerful coaching template. Deliberately broad: a false
 * positive costs one unneeded pointer to help, a miss could cost far more.
 */
const CRISIS =
  /\b(suicid\w*|kill(ing)? my ?self|end(ing)? (my|it all|my life)|want(ed)? to die|don'?t want to (live|be alive|be here)|self[- ]?harm\w*|hurt(ing)? my ?self|cutting myself|overdos\w*|no reason to live|better off dead|harm (someone|somebody|others))\b/i;

export function isCrisisMessage(message: string): boolean {
  return CRISIS.test(message);
}

export function simulatedReply(input: SimulatedReplyInput): string {
  const facts = factsOf(input.context, input.chatType);
  if (isCrisisMessage(input.message)) {
    // The same reply as the crisis path's (chat/safety.ts), with the resources of no locale.
    return crisisReply(resourcesFor(DEFAULT_CRISIS_RESOURCES, null), facts.toName);
  }
  const candidates = TEMPLATES[profileIdForChatType(input.chatType)]
    .map((template) => template(facts))
    .filter((reply): reply is string => typeof reply === 'string' && reply !== '');
  // Every list has templates that need no facts (pillar chat types always have a pillar),
  // so `candidates` is never empty; the fallback only satisfies the type checker.
  return (
    candidates[stableIndex(`${input.chatType}\u0000${input.seed}`, candidates.length)] ??
    `Thanks for telling me${facts.toName}. What feels most important about this for you right now?`
  );
}

function factsOf(context: CoachContextData, chatType: string): Facts {
  const firstName = context.display_name?.trim() ? oneLine(context.display_name, 40).split(' ')[0] : '';
  const rated = latestPerPillar(context.ratings);
  const byRating = [...rated].sort(
    (a, b) => a.rating - b.rating || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );

  const pillarKey = pillarOfChatType(chatType);
  let pillar: Facts['pillar'] = null;
  if (pillarKey !== null) {
    const rating = rated.find((r) => r.key === pillarKey);
    pillar = {
      name: pillarDisplayName(pillarKey, context),
      rating: rating?.rating ?? 0,
      rated: rating !== undefined,
    };
  }

  const goals = [...context.goals].sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
  const goal =
    context.goal ??
    (pillarKey !== null ? goals.find((g) => g.pillar === pillarKey) : undefined) ??
    (pillarKey === null ? goals[0] : undefined);

  return {
    name: firstName ?? '',
    toName: firstName ? `, ${firstName}` : '',
    lowest: byRating[0] ?? null,
    highest: byRating.length > 1 ? (byRating[byRating.length - 1] ?? null) : null,
    goal: goal ? `“${oneLine(goal.title, 80)}”` : null,
    pillar,
  };
}

function latestPerPillar(
  ratings: CoachContextData['ratings'],
): Array<RatedPillar & { readonly key: string }> {
  const latest = new Map<string, CoachContextData['ratings'][number]>();
  for (const r of ratings) {
    const seen = latest.get(r.pillar);
    if (!seen || Date.parse(r.rated_at) > Date.parse(seen.rated_at)) latest.set(r.pillar, r);
  }
  return [...latest.values()].map((r) => ({
    key: r.pillar,
    name: oneLine(r.pillar_display_name || r.pillar, 40),
    rating: Math.round(r.rating),
  }));
}

function stableIndex(seed: string, length: number): number {
  if (length <= 1) return 0;
  return createHash('sha256').update(seed).digest().readUInt32BE(0) % length;
}

/**
 * `POST /v1/moderations`: one result per input text (or one for a multi-modal list), with
 * every category the description requires. By default it classifies by content, so that
 * interactive use shows a crisis path; tests queue exact scores or faults instead.
 */
import { randomBytes } from 'node:crypto';
import { applyFault, isFault } from './faults';
import { badRequest, sendError, sendJson, type Exchange } from './http';
import { isObject, type Json } from './json';
import type { FakeFault, FakeModerationBehaviour, ModerationCategory } from './types';

export const MODERATION_CATEGORIES: readonly ModerationCategory[] = [
  'hate',
  'hate/threatening',
  'harassment',
  'harassment/threatening',
  'illicit',
  'illicit/violent',
  'self-harm',
  'self-harm/intent',
  'self-harm/instructions',
  'sexual',
  'sexual/minors',
  'violence',
  'violence/graphic',
];

/** Categories the description lets apply to images as well as text. */
const IMAGE_CATEGORIES = new Set<ModerationCategory>([
  'self-harm',
  'self-harm/intent',
  'self-harm/instructions',
  'sexual',
  'violence',
  'violence/graphic',
]);

const MODELS = new Set([
  'omni-moderation-latest',
  'omni-moderation-2024-09-26',
  'text-moderation-latest',
  'text-moderation-stable',
]);

/** A category is flagged from this score on, unless a scripted result says otherwise. */
export const FLAG_SCORE = 0.5;

/** The score of a category nothing in the text points to (the real model's are of this order). */
const BACKGROUND_SCORE = 0.000012;

/** What the content classifier looks for, and the scores a match gives. */
const CONTENT_RULES: ReadonlyArray<{
  readonly pattern: RegExp;
  readonly scores: Partial<Record<ModerationCategory, number>>;
}> = [
  {
    pattern:
      /\b(kill(ing)? myself|end(ing)? (my|it all|my own) life|end it all|hurt(ing)? myself|harm(ing)? myself|cut(ting)? myself|take my (own )?life|want to die|wish i (was|were) dead|suicid(e|al))\b/i,
    scores: { 'self-harm/intent': 0.93, 'self-harm': 0.91 },
  },
  {
    pattern:
      /\b(how (to|do i|can i|could i) (kill|hurt|harm|cut) (myself|yourself)|ways to (kill|hurt|harm) (myself|yourself)|how (to|do i) overdose|painless way to die)\b/i,
    scores: { 'self-harm/instructions': 0.88, 'self-harm': 0.9 },
  },
  {
    pattern: /\b(kill|hurt|attack|stab|shoot) (him|her|them|you|someone|everyone|people)\b/i,
    scores: { violence: 0.9, 'harassment/threatening': 0.62 },
  },
];

export function createModeration(ex: Exchange): void {
  const behaviour = ex.state.moderationScript.shift() ?? { kind: 'classify' };
  if (isFault(behaviour)) return applyFault(ex, behaviour, () => moderate(ex, { kind: 'classify' }));
  moderate(ex, behaviour);
}

function moderate(ex: Exchange, behaviour: Exclude<FakeModerationBehaviour, FakeFault>): void {
  const { body } = ex;
  const model = body.model ?? 'omni-moderation-latest';
  if (typeof model !== 'string')
    return badRequest(ex, "Invalid type for 'model': expected a string.", 'model');
  if (!MODELS.has(model)) {
    const message = `The model \`${model}\` does not exist or you do not have access to it.`;
    return sendError(ex, 404, 'invalid_request_error', 'model_not_found', message);
  }
  const inputs = moderationInputs(body.input);
  if (inputs === null) {
    return badRequest(
      ex,
      "Invalid 'input': expected a string, an array of strings, or an array of text and image_url objects.",
      'input',
    );
  }
  const results = inputs.map((input) =>
    result(behaviour.kind === 'scores' ? behaviour : classify(input.text), input.image),
  );
  sendJson(ex, 200, 'CreateModerationResponse', {
    id: `modr-${randomBytes(16).toString('hex')}`,
    model,
    results,
  });
}

interface ModerationInput {
  readonly text: string;
  readonly image: boolean;
}

/** One entry per string; a multi-modal list is one input (its texts together, and whether it had an image). */
function moderationInputs(input: unknown): ModerationInput[] | null {
  if (typeof input === 'string') return [{ text: input, image: false }];
  if (!Array.isArray(input) || input.length === 0) return null;
  if (input.every((entry) => typeof entry === 'string')) {
    return input.map((text: string) => ({ text, image: false }));
  }
  const texts: string[] = [];
  let image = false;
  for (const entry of input) {
    if (isObject(entry) && entry.type === 'text' && typeof entry.text === 'string') texts.push(entry.text);
    else if (isObject(entry) && entry.type === 'image_url' && isObject(entry.image_url)) image = true;
    else return null;
  }
  return [{ text: texts.join('\n'), image }];
}

function classify(text: string): { scores: Partial<Record<ModerationCategory, number>> } {
  const scores: Partial<Record<ModerationCategory, number>> = {};
  for (const rule of CONTENT_RULES) {
    if (!rule.pattern.test(text)) continue;
    for (const [category, score] of Object.entries(rule.scores) as Array<[ModerationCategory, number]>) {
      scores[category] = Math.max(scores[category] ?? 0, score);
    }
  }
  return { scores };
}

function result(
  given: {
    readonly scores: Partial<Record<ModerationCategory, number>>;
    readonly flagged?: Partial<Record<ModerationCategory, boolean>>;
  },
  image: boolean,
): Json {
  const categories: Json = {};
  const categoryScores: Json = {};
  const appliedTypes: Json = {};
  for (const category of MODERATION_CATEGORIES) {
    const score = given.scores[category] ?? BACKGROUND_SCORE;
    categoryScores[category] = score;
    categories[category] = given.flagged?.[category] ?? score >= FLAG_SCORE;
    appliedTypes[category] = image && IMAGE_CATEGORIES.has(category) ? ['text', 'image'] : ['text'];
  }
  return {
    flagged: Object.values(categories).some((flag) => flag === true),
    categories,
    category_scores: categoryScores,
    category_applied_input_types: appliedTypes,
  };
}

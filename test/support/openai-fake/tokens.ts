/**
 * The fake's token rule, one rule for everything it counts (usage, compaction thresholds,
 * the size of a compaction item), so figures computed from it are reproducible:
 * - text: `ceil(characters / 4)`;
 * - an item: 4 + the tokens of its text (a message's parts; a compaction item's
 *   `encrypted_content`, whose length the fake sets from the summary's size);
 * - a request's input: 3 + the instructions + every item it renders.
 * A compaction summarises what it replaces into a tenth of its tokens (at least 32).
 */
import { randomBytes } from 'node:crypto';
import { isObject, newId, type Json } from './json';

export const CHARS_PER_TOKEN = 4;
export const TOKENS_PER_ITEM = 4;
export const TOKENS_PER_REQUEST = 3;
/** A compaction summary is this fraction of the tokens it replaces… */
export const COMPACTION_RATIO = 0.1;
/** …and never smaller than this. */
export const MIN_SUMMARY_TOKENS = 32;

export function tokensOfText(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

export function tokensOfItem(item: Json): number {
  return TOKENS_PER_ITEM + tokensOfText(renderedText(item));
}

/** The input tokens of a request: its instructions and every item it renders. */
export function tokensOfContext(instructions: string, items: readonly Json[]): number {
  return items.reduce(
    (sum, item) => sum + tokensOfItem(item),
    TOKENS_PER_REQUEST + tokensOfText(instructions),
  );
}

/** The text the model reads for an item: a message's text parts, a compaction item's opaque content. */
export function renderedText(item: Json): string {
  if (item.type === 'compaction')
    return typeof item.encrypted_content === 'string' ? item.encrypted_content : '';
  if (!Array.isArray(item.content)) return '';
  return item.content
    .map((part: unknown) => (isObject(part) && typeof part.text === 'string' ? part.text : ''))
    .join('');
}

/** How many tokens the summary of `replacedTokens` takes. */
export function summaryTokens(replacedTokens: number): number {
  return Math.max(MIN_SUMMARY_TOKENS, Math.ceil(replacedTokens * COMPACTION_RATIO));
}

/**
 * A compaction item summarising `replacedTokens`: opaque like the real one, and exactly as
 * long as the rule needs for it to count `summaryTokens(replacedTokens)` tokens of text.
 */
export function compactionItem(replacedTokens: number): Json {
  const length = summaryTokens(replacedTokens) * CHARS_PER_TOKEN;
  const body = randomBytes(Math.ceil((length * 3) / 4)).toString('base64url');
  return { id: newId('cmp'), type: 'compaction', encrypted_content: `gAAAAA${body}`.slice(0, length) };
}

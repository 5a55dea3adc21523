/**
 * What a create renders: the conversation's items from its latest compaction item on (the
 * compaction replaced everything before it), then the new input; their tokens by the rule in
 * `tokens.ts`; and whether this response compacts. It compacts when `context_management`
 * asks for compaction and the rendered tokens pass `compact_threshold`, or when the input
 * ends with a `compaction_trigger`: its output then starts with a compaction item replacing
 * everything rendered (the new input included), and later turns render from that item on.
 * Stateless input is rendered as sent, compaction items included (the client chooses what
 * to send; the guide suggests dropping what precedes the latest compaction item).
 */
import { inputItems } from './items';
import { isObject, type Json } from './json';
import type { State } from './state';
import { compactionItem, summaryTokens, tokensOfContext, tokensOfItem } from './tokens';
import type { FakeCompaction } from './types';

/** The threshold a compaction entry without `compact_threshold` gets. */
export const DEFAULT_COMPACT_THRESHOLD = 200_000;
/** The description's minimum for `compact_threshold`. */
const MIN_COMPACT_THRESHOLD = 1000;

export interface RenderedContext {
  /** The conversation items the response sees before its input. */
  readonly window: readonly Json[];
  /** The new input, as the conversation stores it. */
  readonly input: readonly Json[];
  readonly inputTokens: number;
  readonly compaction: FakeCompaction | null;
}

export interface ContextError {
  readonly message: string;
  readonly param: string;
  readonly code: string | null;
}

export function renderContext(
  state: State,
  conversationItems: readonly Json[] | undefined,
  body: Json,
): RenderedContext | ContextError {
  const entries = body.input === undefined ? [] : Array.isArray(body.input) ? body.input : [body.input];
  const triggers = entries.filter((entry) => isObject(entry) && entry.type === 'compaction_trigger');
  if (triggers.length > 1 || (triggers.length === 1 && entries.at(-1) !== triggers[0])) {
    return {
      message: "A 'compaction_trigger' item must be the final input item.",
      param: 'input',
      code: null,
    };
  }
  const threshold = compactThreshold(state, body.context_management);
  if (typeof threshold === 'object' && threshold !== null) return threshold;

  const input = inputItems(entries.filter((entry) => !triggers.includes(entry)));
  const window = conversationItems ? fromLatestCompaction(conversationItems) : [];
  const rendered = [...window, ...input];
  const instructions = typeof body.instructions === 'string' ? body.instructions : '';
  const inputTokens = tokensOfContext(instructions, rendered);
  const compacts = triggers.length === 1 || (threshold !== null && inputTokens > threshold);
  if (!compacts) return { window, input, inputTokens, compaction: null };
  const replacedTokens = rendered.reduce((sum, item) => sum + tokensOfItem(item), 0);
  return {
    window,
    input,
    inputTokens,
    compaction: {
      item: compactionItem(replacedTokens),
      replacedItems: rendered.length,
      replacedTokens,
      summaryTokens: summaryTokens(replacedTokens),
    },
  };
}

export function isContextError(value: RenderedContext | ContextError): value is ContextError {
  return 'message' in value;
}

function fromLatestCompaction(items: readonly Json[]): readonly Json[] {
  const latest = items.findLastIndex((item) => item.type === 'compaction');
  return latest < 0 ? items : items.slice(latest);
}

/**
 * The token count past which this create compacts (null: it asked for no compaction), or the
 * 400 a malformed `context_management` gets. The server-wide `compactThreshold` option, when
 * set, replaces the request's threshold (so demos and benchmarks see compaction sooner).
 */
function compactThreshold(state: State, value: unknown): number | null | ContextError {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length === 0) {
    return {
      message: "Invalid 'context_management': expected a non-empty array.",
      param: 'context_management',
      code: 'invalid_type',
    };
  }
  let threshold: number | null = null;
  for (const [index, entry] of value.entries()) {
    const param = `context_management[${index}]`;
    const type = isObject(entry) ? entry.type : undefined;
    if (type !== 'compaction') {
      const message = `Invalid value: '${String(type)}'. Supported values are: 'compaction'.`;
      return { message, param: `${param}.type`, code: 'invalid_value' };
    }
    const given = (entry as Json).compact_threshold ?? null;
    if (given !== null && !Number.isInteger(given)) {
      const message = `Invalid type for '${param}.compact_threshold': expected an integer.`;
      return { message, param: `${param}.compact_threshold`, code: 'invalid_type' };
    }
    if (typeof given === 'number' && given < MIN_COMPACT_THRESHOLD) {
      const message = `Invalid '${param}.compact_threshold': integer below minimum value. Expected a value >= ${MIN_COMPACT_THRESHOLD}, but got ${given} instead.`;
      return { message, param: `${param}.compact_threshold`, code: 'integer_below_min_value' };
    }
    threshold = state.compactThreshold ?? (typeof given === 'number' ? given : DEFAULT_COMPACT_THRESHOLD);
  }
  return threshold;
}

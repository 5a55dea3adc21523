/**
 * What a response cost, from its usage by token kind (never from `total_tokens` alone:
 * cached input is ~10× cheaper than fresh input, output ~8× dearer).
 *
 * OpenAI's `ResponseUsage` nests the kinds: `input_tokens` includes the cached and the
 * cache-write tokens, `output_tokens` includes the reasoning tokens. So the bill is
 *   (input − cached − cache_write) × input + cached × cached_input
 *   + cache_write × cache_write + output × output            (reasoning is inside output).
 *
 * The table is dated: update `PRICES_AS_OF` with it, from https://openai.com/api/pricing.
 */
import type { TokenUsage } from '../ports';

/** The day the table below was checked against OpenAI's price list. */
export const PRICES_AS_OF = '2026-11-24';

/** US dollars per 1 million tokens, per token kind. */
export interface ModelPrice {
  readonly input: number;
  readonly cached_input: number;
  readonly cache_write: number;
  readonly output: number;
}

/**
 * Per model. GPT-6 models bill prompt-cache writes at 1.25× input; GPT-5.x models do not
 * charge extra for writes (they report none, and a write is billed as plain input).
 */
export const PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-6-astra': { input: 5.0, cached_input: 0.5, cache_write: 6.25, output: 40.0 },
  'gpt-6.1-sol': { input: 2.5, cached_input: 0.25, cache_write: 3.125, output: 20.0 },
  'gpt-6-sol': { input: 2.5, cached_input: 0.25, cache_write: 3.125, output: 20.0 },
  'gpt-6-luna': { input: 0.4, cached_input: 0.04, cache_write: 0.5, output: 3.2 },
  'gpt-5.2': { input: 1.75, cached_input: 0.175, cache_write: 1.75, output: 14.0 },
  'gpt-5.1': { input: 1.25, cached_input: 0.125, cache_write: 1.25, output: 10.0 },
  'gpt-5': { input: 1.25, cached_input: 0.125, cache_write: 1.25, output: 10.0 },
  'gpt-5-mini': { input: 0.25, cached_input: 0.025, cache_write: 0.25, output: 2.0 },
  'gpt-5-nano': { input: 0.05, cached_input: 0.005, cache_write: 0.05, output: 0.4 },
};

/** The dearest known price of each kind: what an unknown model is billed at, so we never under-charge. */
export const MAX_PRICE: ModelPrice = (['input', 'cached_input', 'cache_write', 'output'] as const).reduce(
  (max, kind) => ({ ...max, [kind]: Math.max(...Object.values(PRICES).map((p) => p[kind])) }),
  { input: 0, cached_input: 0, cache_write: 0, output: 0 },
);

export interface PriceLookup {
  readonly price: ModelPrice;
  /** The table entry used, or null when the model is unknown and billed at `MAX_PRICE`. */
  readonly priced_as: string | null;
}

/**
 * The price of a model. OpenAI reports the dated snapshot it ran (`gpt-6.1-sol-2026-10-02`):
 * a trailing `-YYYY-MM-DD` is ignored. Unknown models get `MAX_PRICE` and `priced_as: null`.
 */
export function priceFor(model: string): PriceLookup {
  const name = model.trim().toLowerCase();
  const base = name.replace(/-\d{4}-\d{2}-\d{2}$/, '');
  for (const candidate of [name, base]) {
    const price = PRICES[candidate];
    if (price) return { price, priced_as: candidate };
  }
  return { price: MAX_PRICE, priced_as: null };
}

export function isPricedModel(model: string): boolean {
  return priceFor(model).priced_as !== null;
}

/** US dollars for one response, rounded to 6 decimals (the `cost_estimate numeric(12,6)` column). */
export function estimateCostUsd(model: string, usage: TokenUsage): number {
  const { price } = priceFor(model);
  const cached = nonNegative(usage.cached_tokens);
  const cacheWrite = nonNegative(usage.cache_write_tokens);
  const freshInput = Math.max(0, nonNegative(usage.input_tokens) - cached - cacheWrite);
  const microDollars =
    freshInput * price.input +
    cached * price.cached_input +
    cacheWrite * price.cache_write +
    nonNegative(usage.output_tokens) * price.output;
  // Prices are per 1M tokens, so `microDollars` is in millionths of a dollar already.
  return Math.round(microDollars) / 1_000_000;
}

/** The shape of OpenAI's `ResponseUsage` (openai-openapi.yaml), tolerant of older models' missing details. */
export interface OpenAIResponseUsage {
  readonly input_tokens: number;
  readonly input_tokens_details?: {
    readonly cached_tokens?: number | null;
    readonly cache_write_tokens?: number | null;
  } | null;
  readonly output_tokens: number;
  readonly output_tokens_details?: { readonly reasoning_tokens?: number | null } | null;
  readonly total_tokens: number;
}

export const ZERO_USAGE: TokenUsage = {
  input_tokens: 0,
  cached_tokens: 0,
  cache_write_tokens: 0,
  output_tokens: 0,
  reasoning_tokens: 0,
  total_tokens: 0,
};

/** OpenAI's `ResponseUsage` → our `TokenUsage` (null usage, e.g. a cancelled response, is zero). */
export function usageFromOpenAI(usage: OpenAIResponseUsage | null | undefined): TokenUsage {
  if (!usage) return ZERO_USAGE;
  const input = nonNegative(usage.input_tokens);
  const output = nonNegative(usage.output_tokens);
  return {
    input_tokens: input,
    cached_tokens: nonNegative(usage.input_tokens_details?.cached_tokens),
    cache_write_tokens: nonNegative(usage.input_tokens_details?.cache_write_tokens),
    output_tokens: output,
    reasoning_tokens: nonNegative(usage.output_tokens_details?.reasoning_tokens),
    total_tokens: nonNegative(usage.total_tokens) || input + output,
  };
}

function nonNegative(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

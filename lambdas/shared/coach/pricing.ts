/**
 * What a response cost, from its usage by token kind (never from `total_tokens` alone:
 * cached input is 10–20× cheaper than fresh input, output 5–6× dearer), at the prices of the
 * model facts table (`model-facts.ts`, merged with `COACH_MODEL_FACTS`).
 *
 * OpenAI's `ResponseUsage` nests the kinds: `input_tokens` includes the cached and the
 * cache-write tokens, `output_tokens` includes the reasoning tokens. So the bill is
 *   (input − cached − cache_write) × input + cached × cached_input + cache_write × cache_write
 *   + output × output                                        (reasoning is inside output),
 * and a request over the long-context threshold (272K input tokens) pays the input-side
 * rates × 2 and the output rate × 1.5, for the whole request.
 */
import { processModelFacts } from '../config';
import type { TokenUsage } from '../ports';
import {
  entryFor,
  STANDARD_LONG_CONTEXT,
  type ModelFact,
  type ModelFacts,
  type ModelPrice,
} from './model-facts';

type TokenKind = 'input' | 'cached_input' | 'cache_write' | 'output';

export interface PriceLookup {
  readonly price: Pick<ModelPrice, TokenKind>;
  readonly long_context: ModelFact['long_context'];
  /** The table entry used (the base model of a dated snapshot), or null: unknown, billed at the maximum. */
  readonly priced_as: string | null;
}

/**
 * The price of a model. A dated snapshot (`gpt-6.1-sol-2026-10-02`) prices as its base model.
 * An unknown model is billed at the dearest price of each kind in the table, so a budget is
 * never under-charged (the configuration checks keep unknown models out of the profiles).
 */
export function priceFor(model: string, facts: ModelFacts = processModelFacts()): PriceLookup {
  const known = entryFor(model, facts.models);
  if (known) return { price: known.entry.price, long_context: known.entry.long_context, priced_as: known.id };
  return { price: maxPrice(facts), long_context: STANDARD_LONG_CONTEXT, priced_as: null };
}

/** The dearest price of each token kind in the table. */
export function maxPrice(facts: ModelFacts): PriceLookup['price'] {
  const prices = Object.values(facts.models).map((fact) => fact.price);
  const max = (kind: TokenKind) => Math.max(0, ...prices.map((p) => p[kind]));
  return {
    input: max('input'),
    cached_input: max('cached_input'),
    cache_write: max('cache_write'),
    output: max('output'),
  };
}

/** US dollars for one response, rounded to 6 decimals (the `cost_estimate numeric(12,6)` column). */
export function estimateCostUsd(
  model: string,
  usage: TokenUsage,
  facts: ModelFacts = processModelFacts(),
): number {
  const { price, long_context: long } = priceFor(model, facts);
  const input = nonNegative(usage.input_tokens);
  const cached = nonNegative(usage.cached_tokens);
  const cacheWrite = nonNegative(usage.cache_write_tokens);
  const freshInput = Math.max(0, input - cached - cacheWrite);
  const isLong = input > long.above_input_tokens;
  const inputSide =
    (freshInput * price.input + cached * price.cached_input + cacheWrite * price.cache_write) *
    (isLong ? long.input_multiplier : 1);
  const outputSide = nonNegative(usage.output_tokens) * price.output * (isLong ? long.output_multiplier : 1);
  // Prices are per 1M tokens, so tokens × price is in millionths of a dollar already.
  return Math.round(inputSide + outputSide) / 1_000_000;
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

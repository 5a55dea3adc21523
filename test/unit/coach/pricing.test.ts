import { describe, expect, it } from '@jest/globals';
import { ConfigError, processModelFacts } from '../../../lambdas/shared/config';
import {
  BUILT_IN_MODEL_FACTS,
  mergeModelFacts,
  ModelFactsOverride,
} from '../../../lambdas/shared/coach/model-facts';
import { estimateCostUsd, priceFor, usageFromOpenAI } from '../../../lambdas/shared/coach/pricing';
import type { TokenUsage } from '../../../lambdas/shared/ports';

const usage = (u: Partial<TokenUsage>): TokenUsage => ({
  input_tokens: 0,
  cached_tokens: 0,
  cache_write_tokens: 0,
  output_tokens: 0,
  reasoning_tokens: 0,
  total_tokens: 0,
  ...u,
});

/** 10,000 input tokens: 3,000 fresh, 6,000 read from the cache, 1,000 written to it; 800 output (300 reasoning). */
const SHORT = usage({
  input_tokens: 10_000,
  cached_tokens: 6_000,
  cache_write_tokens: 1_000,
  output_tokens: 800,
  reasoning_tokens: 300,
  total_tokens: 10_800,
});
/** 400,000 input tokens (over 272K): 80,000 fresh, 300,000 cached, 20,000 written; 4,000 output. */
const LONG = usage({
  input_tokens: 400_000,
  cached_tokens: 300_000,
  cache_write_tokens: 20_000,
  output_tokens: 4_000,
  reasoning_tokens: 1_000,
  total_tokens: 404_000,
});

/**
 * The published arithmetic, worked by hand from each model's page (USD per 1M tokens:
 * input / cached / cache write / output), in millionths of a dollar:
 *   short = 3000·in + 6000·cached + 1000·write + 800·out
 *   long  = (80000·in + 300000·cached + 20000·write)·2 + 4000·out·1.5
 */
const EXPECTED: ReadonlyArray<readonly [model: string, short: number, long: number]> = [
  // 10 / 1 / 12.5 / 50: 30000 + 6000 + 12500 + 40000; (800000 + 300000 + 250000)·2 + 300000
  ['gpt-6-astra', 0.0885, 3.0],
  // 2 / 0.2 / 2.5 / 10: 6000 + 1200 + 2500 + 8000; (160000 + 60000 + 50000)·2 + 60000
  ['gpt-6-sol', 0.0177, 0.6],
  // 0.1 / 0.01 / 0.125 / 0.5: 300 + 60 + 125 + 400; (8000 + 3000 + 2500)·2 + 3000
  ['gpt-6-luna', 0.000885, 0.03],
  // 2 / 0.1 / 2.5 / 10: 6000 + 600 + 2500 + 8000; (160000 + 30000 + 50000)·2 + 60000
  ['gpt-6.1-sol', 0.0171, 0.54],
  // 1 / 0.05 / 1.25 / 5: 3000 + 300 + 1250 + 4000; (80000 + 15000 + 25000)·2 + 30000
  ['gpt-6.1-terra', 0.00855, 0.27],
  // 5 / 0.5 / 6.25 / 30: 15000 + 3000 + 6250 + 24000; (400000 + 150000 + 125000)·2 + 180000
  ['gpt-5.6-sol', 0.04825, 1.53],
  // 2 / 0.2 / 2.5 / 12: 6000 + 1200 + 2500 + 9600; (160000 + 60000 + 50000)·2 + 72000
  ['gpt-5.6-terra', 0.0193, 0.612],
  // 0.2 / 0.02 / 0.25 / 1.2: 600 + 120 + 250 + 960; (16000 + 6000 + 5000)·2 + 7200
  ['gpt-5.6-luna', 0.00193, 0.0612],
];

describe('estimateCostUsd', () => {
  it('prices every model of the table', () => {
    expect(EXPECTED.map(([model]) => model).sort()).toEqual(Object.keys(BUILT_IN_MODEL_FACTS.models).sort());
  });

  it.each(EXPECTED)('bills %s per token kind: fresh, cached, cache-write and output', (model, short) => {
    expect(estimateCostUsd(model, SHORT, BUILT_IN_MODEL_FACTS)).toBe(short);
  });

  it.each(EXPECTED)('bills %s over 272K input tokens at 2× input rates and 1.5× output', (model, _, long) => {
    expect(estimateCostUsd(model, LONG, BUILT_IN_MODEL_FACTS)).toBe(long);
  });

  it('keeps short-context rates at exactly 272,000 input tokens and doubles them one token later', () => {
    // gpt-6-luna: 272000 × 0.1 + 1000 × 0.5 = 27700 µ$; 272001 × 0.1 × 2 + 1000 × 0.5 × 1.5 = 55150.2 µ$
    const at = usage({ input_tokens: 272_000, output_tokens: 1_000 });
    const over = usage({ input_tokens: 272_001, output_tokens: 1_000 });
    expect(estimateCostUsd('gpt-6-luna', at, BUILT_IN_MODEL_FACTS)).toBe(0.0277);
    expect(estimateCostUsd('gpt-6-luna', over, BUILT_IN_MODEL_FACTS)).toBe(0.05515);
  });

  it('leaves reasoning tokens inside output: they are not billed twice', () => {
    const without = { ...SHORT, reasoning_tokens: 0 };
    expect(estimateCostUsd('gpt-6.1-terra', without, BUILT_IN_MODEL_FACTS)).toBe(0.00855);
  });

  it('prices a dated snapshot as its base model', () => {
    expect(estimateCostUsd('gpt-6.1-sol-2026-10-02', SHORT, BUILT_IN_MODEL_FACTS)).toBe(0.0171);
    expect(priceFor('gpt-6.1-sol-2026-10-02', BUILT_IN_MODEL_FACTS).priced_as).toBe('gpt-6.1-sol');
  });

  it('bills an unknown model at the dearest price of each kind, so budgets are never under-charged', () => {
    const lookup = priceFor('gpt-7-nova', BUILT_IN_MODEL_FACTS);
    expect(lookup.priced_as).toBeNull();
    // The dearest of each kind is gpt-6-astra's: 10 / 1 / 12.5 / 50.
    expect(lookup.price).toEqual({ input: 10, cached_input: 1, cache_write: 12.5, output: 50 });
    expect(estimateCostUsd('gpt-7-nova', SHORT, BUILT_IN_MODEL_FACTS)).toBe(0.0885);
  });

  it("uses an operator's prices merged over the built-in table", () => {
    const { facts } = mergeModelFacts(
      ModelFactsOverride.parse({
        models: {
          'gpt-6-luna': {
            price: {
              input: 0.08,
              cached_input: 0.008,
              output: 0.4,
              effective_from: '2027-01-01',
              source: 'https://developers.openai.com/api/docs/models/gpt-6-luna',
            },
          },
        },
      }),
    );
    // cache write defaults to 1.25 × 0.08 = 0.1: 3000 × 0.08 + 6000 × 0.008 + 1000 × 0.1 + 800 × 0.4
    // = 240 + 48 + 100 + 320 = 708 µ$
    expect(estimateCostUsd('gpt-6-luna', SHORT, facts)).toBe(0.000708);
    expect(estimateCostUsd('gpt-6-sol', SHORT, facts)).toBe(0.0177);
  });

  it('never bills negative fresh input when cached and written exceed the input count', () => {
    // cached 100 × 0.01 + written 50 × 0.125 = 1 + 6.25 µ$ → 7 µ$, fresh input 0
    const odd = usage({ input_tokens: 100, cached_tokens: 100, cache_write_tokens: 50 });
    expect(estimateCostUsd('gpt-6-luna', odd, BUILT_IN_MODEL_FACTS)).toBe(0.000007);
  });

  it('costs nothing for no usage, and rounds to 6 decimals', () => {
    expect(estimateCostUsd('gpt-6.1-sol', usage({}), BUILT_IN_MODEL_FACTS)).toBe(0);
    // 3 cached × 0.1 µ$ = 0.3 µ$ → 0; 6 cached → 0.6 µ$ → 1 µ$
    expect(
      estimateCostUsd('gpt-6.1-sol', usage({ input_tokens: 3, cached_tokens: 3 }), BUILT_IN_MODEL_FACTS),
    ).toBe(0);
    expect(
      estimateCostUsd('gpt-6.1-sol', usage({ input_tokens: 6, cached_tokens: 6 }), BUILT_IN_MODEL_FACTS),
    ).toBe(0.000001);
  });
});

describe('processModelFacts', () => {
  it('is the built-in table when COACH_MODEL_FACTS is unset', () => {
    expect(processModelFacts({})).toBe(BUILT_IN_MODEL_FACTS);
  });

  it('merges COACH_MODEL_FACTS over the built-in table, and the default prices with it', () => {
    const env = {
      COACH_MODEL_FACTS: JSON.stringify({
        models: {
          'gpt-6-sol': {
            price: {
              input: 1,
              cached_input: 0.1,
              output: 5,
              effective_from: '2027-02-01',
              source: 'https://developers.openai.com/api/docs/pricing',
            },
          },
        },
      }),
    };
    // 3000 × 1 + 6000 × 0.1 + 1000 × 1.25 + 800 × 5 = 3000 + 600 + 1250 + 4000
    expect(estimateCostUsd('gpt-6-sol', SHORT, processModelFacts(env))).toBe(0.00885);
    expect(processModelFacts(env).models['gpt-6-luna']).toEqual(BUILT_IN_MODEL_FACTS.models['gpt-6-luna']);
  });

  it('refuses a COACH_MODEL_FACTS the configuration check would refuse', () => {
    expect(() => processModelFacts({ COACH_MODEL_FACTS: '{"models": 3}' })).toThrow(ConfigError);
  });
});

describe('usageFromOpenAI', () => {
  it('maps every kind of OpenAI ResponseUsage', () => {
    expect(
      usageFromOpenAI({
        input_tokens: 2200,
        input_tokens_details: { cached_tokens: 1792, cache_write_tokens: 128 },
        output_tokens: 240,
        output_tokens_details: { reasoning_tokens: 96 },
        total_tokens: 2440,
      }),
    ).toEqual({
      input_tokens: 2200,
      cached_tokens: 1792,
      cache_write_tokens: 128,
      output_tokens: 240,
      reasoning_tokens: 96,
      total_tokens: 2440,
    });
  });

  it('reads missing details (older models) and missing usage as zero', () => {
    expect(usageFromOpenAI({ input_tokens: 37, output_tokens: 11, total_tokens: 48 })).toEqual(
      usage({ input_tokens: 37, output_tokens: 11, total_tokens: 48 }),
    );
    expect(usageFromOpenAI(null)).toEqual(usage({}));
  });
});

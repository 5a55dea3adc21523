import { describe, expect, it } from '@jest/globals';
import {
  MAX_PRICE,
  PRICES,
  PRICES_AS_OF,
  estimateCostUsd,
  priceFor,
  usageFromOpenAI,
} from '../../../lambdas/shared/coach/pricing';
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

describe('the price table', () => {
  it('is dated', () => {
    expect(PRICES_AS_OF).toBe('2026-11-24');
  });

  it('prices every kind of every model, cached input below input', () => {
    for (const [model, price] of Object.entries(PRICES)) {
      expect([model, price.cached_input < price.input]).toEqual([model, true]);
      expect([model, price.output > price.input]).toEqual([model, true]);
      expect([model, price.cache_write >= price.input]).toEqual([model, true]);
    }
  });
});

describe('estimateCostUsd', () => {
  it('bills gpt-6.1-sol per token kind: 600 fresh input, 400 cached, 200 output', () => {
    // 600 × $2.50 + 400 × $0.25 + 200 × $20.00 per 1M = 0.0015 + 0.0001 + 0.004
    expect(
      estimateCostUsd(
        'gpt-6.1-sol',
        usage({ input_tokens: 1000, cached_tokens: 400, output_tokens: 200, total_tokens: 1200 }),
      ),
    ).toBe(0.0056);
  });

  it('bills gpt-6-luna per token kind, cache writes at the write rate', () => {
    // fresh 1000 × 0.40 + cached 1500 × 0.04 + written 500 × 0.50 + output 300 × 3.20 = 400 + 60 + 250 + 960 µ$
    expect(
      estimateCostUsd(
        'gpt-6-luna',
        usage({ input_tokens: 3000, cached_tokens: 1500, cache_write_tokens: 500, output_tokens: 300 }),
      ),
    ).toBe(0.00167);
  });

  it('bills reasoning tokens once, as the output they are part of', () => {
    const withReasoning = usage({ input_tokens: 1000, output_tokens: 500, reasoning_tokens: 400 });
    const without = usage({ input_tokens: 1000, output_tokens: 500 });
    expect(estimateCostUsd('gpt-5.2', withReasoning)).toBe(estimateCostUsd('gpt-5.2', without));
    // 1000 × 1.75 + 500 × 14 = 1750 + 7000 µ$
    expect(estimateCostUsd('gpt-5.2', withReasoning)).toBe(0.00875);
  });

  it('bills each GPT-5.x fallback at its own price', () => {
    const u = usage({ input_tokens: 10_000, cached_tokens: 2_000, output_tokens: 1_000 });
    // 8000 × in + 2000 × cached + 1000 × out, in µ$
    expect(estimateCostUsd('gpt-5.1', u)).toBe(0.02025); // 10000 + 250 + 10000 µ$
    expect(estimateCostUsd('gpt-5-mini', u)).toBe(0.00405); // 2000 + 50 + 2000 µ$
    expect(estimateCostUsd('gpt-5-nano', u)).toBe(0.00081); // 400 + 10 + 400 µ$
  });

  it('prices a dated snapshot like its model', () => {
    const u = usage({ input_tokens: 1000, output_tokens: 200 });
    expect(estimateCostUsd('gpt-6.1-sol-2026-10-02', u)).toBe(estimateCostUsd('gpt-6.1-sol', u));
    expect(priceFor('gpt-6.1-sol-2026-10-02').priced_as).toBe('gpt-6.1-sol');
  });

  it('bills an unknown model at the dearest known price of each kind and flags it', () => {
    const lookup = priceFor('gpt-7-nova');
    expect(lookup.priced_as).toBeNull();
    expect(lookup.price).toEqual(MAX_PRICE);
    expect(MAX_PRICE).toEqual({
      input: Math.max(...Object.values(PRICES).map((p) => p.input)),
      cached_input: Math.max(...Object.values(PRICES).map((p) => p.cached_input)),
      cache_write: Math.max(...Object.values(PRICES).map((p) => p.cache_write)),
      output: Math.max(...Object.values(PRICES).map((p) => p.output)),
    });
    const u = usage({ input_tokens: 1000, cached_tokens: 400, output_tokens: 200 });
    for (const model of Object.keys(PRICES))
      expect(estimateCostUsd('gpt-7-nova', u)).toBeGreaterThanOrEqual(estimateCostUsd(model, u));
    // 600 × 5 + 400 × 0.5 + 200 × 40 µ$
    expect(estimateCostUsd('gpt-7-nova', u)).toBe(0.0112);
  });

  it('never bills negative fresh input when cached and written exceed the input count', () => {
    // cached 100 × 0.04 + written 50 × 0.50 = 4 + 25 µ$, fresh input 0
    expect(
      estimateCostUsd('gpt-6-luna', usage({ input_tokens: 100, cached_tokens: 100, cache_write_tokens: 50 })),
    ).toBe(0.000029);
  });

  it('costs nothing for no usage', () => {
    expect(estimateCostUsd('gpt-6.1-sol', usage({}))).toBe(0);
  });

  it('rounds to 6 decimals', () => {
    // 3 × 0.175 µ$ = 0.525 µ$ → 0.000001
    expect(estimateCostUsd('gpt-5.2', usage({ input_tokens: 3, cached_tokens: 3 }))).toBe(0.000001);
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

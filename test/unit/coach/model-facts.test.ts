import { describe, expect, it } from '@jest/globals';
import {
  BUILT_IN_MODEL_FACTS,
  MODEL_FACTS_CHECKED_ON,
  mergeModelFacts,
  ModelFactsOverride,
  settingsProblems,
} from '../../../lambdas/shared/coach/model-facts';

const { models } = BUILT_IN_MODEL_FACTS;
const OPENAI_PAGE = /^https:\/\/developers\.openai\.com\/api\/docs\//;
const NONE_TO_MAX = ['none', 'low', 'medium', 'high', 'xhigh', 'max'];
const LOW_TO_MAX = ['low', 'medium', 'high', 'xhigh', 'max'];

const problemsOf = (raw: unknown): string[] => {
  const parsed = ModelFactsOverride.safeParse(raw);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
};

describe('the built-in model facts', () => {
  it('carry the prices OpenAI publishes, USD per 1M tokens: input / cached input / output', () => {
    const published = Object.fromEntries(
      Object.entries(models).map(([id, f]) => [id, [f.price.input, f.price.cached_input, f.price.output]]),
    );
    expect(published).toEqual({
      'gpt-6-astra': [10, 1, 50],
      'gpt-6-sol': [2, 0.2, 10],
      'gpt-6-luna': [0.1, 0.01, 0.5],
      'gpt-6.1-sol': [2, 0.1, 10],
      'gpt-6.1-terra': [1, 0.05, 5],
      'gpt-5.6-sol': [5, 0.5, 30],
      'gpt-5.6-terra': [2, 0.2, 12],
      'gpt-5.6-luna': [0.2, 0.02, 1.2],
    });
  });

  it('price cache writes at 1.25× input, as every model page says', () => {
    for (const [id, fact] of Object.entries(models)) {
      expect([id, fact.price.cache_write]).toEqual([id, Math.round(fact.price.input * 1.25 * 1e9) / 1e9]);
    }
  });

  it("apply OpenAI's long-context rule: over 272K input tokens, 2× input and 1.5× output", () => {
    for (const fact of Object.values(models)) {
      expect(fact.long_context).toEqual({
        above_input_tokens: 272_000,
        input_multiplier: 2,
        output_multiplier: 1.5,
      });
    }
  });

  it("say where each figure is published and when it took effect, on OpenAI's own pages", () => {
    expect(MODEL_FACTS_CHECKED_ON).toBe('2026-12-01');
    for (const [id, fact] of Object.entries(models)) {
      expect(fact.source).toBe(`https://developers.openai.com/api/docs/models/${id}`);
      expect(fact.price.source).toMatch(OPENAI_PAGE);
      expect(fact.price.effective_from <= MODEL_FACTS_CHECKED_ON).toBe(true);
    }
  });

  it('know which reasoning efforts each model accepts; temperature only where effort none exists', () => {
    const efforts = Object.fromEntries(Object.entries(models).map(([id, f]) => [id, f.efforts]));
    expect(efforts).toEqual({
      'gpt-6-astra': LOW_TO_MAX,
      'gpt-6-sol': NONE_TO_MAX,
      'gpt-6-luna': NONE_TO_MAX,
      'gpt-6.1-sol': LOW_TO_MAX,
      'gpt-6.1-terra': NONE_TO_MAX,
      'gpt-5.6-sol': NONE_TO_MAX,
      'gpt-5.6-terra': NONE_TO_MAX,
      'gpt-5.6-luna': NONE_TO_MAX,
    });
    expect(models['gpt-6-luna']?.temperature).toBe('with_effort_none');
    expect(models['gpt-6.1-sol']?.temperature).toBe('never');
  });

  it('list gpt-5, gpt-5-mini and gpt-5-nano as shut down on 2026-12-11, with their replacements', () => {
    expect(BUILT_IN_MODEL_FACTS.shut_down).toEqual({
      'gpt-5': {
        shutdown_on: '2026-12-11',
        replacement: 'gpt-6.1-sol',
        source: expect.stringMatching(OPENAI_PAGE),
      },
      'gpt-5-mini': {
        shutdown_on: '2026-12-11',
        replacement: 'gpt-6.1-terra',
        source: expect.stringMatching(OPENAI_PAGE),
      },
      'gpt-5-nano': {
        shutdown_on: '2026-12-11',
        replacement: 'gpt-6-luna',
        source: expect.stringMatching(OPENAI_PAGE),
      },
    });
  });
});

describe('settingsProblems', () => {
  const check = (model: string, reasoning_effort: string | null, temperature: number | null = null) =>
    settingsProblems(
      { model, reasoning_effort: reasoning_effort as never, temperature },
      BUILT_IN_MODEL_FACTS,
    );

  it('accepts an effort the model accepts, and a dated snapshot of a known model', () => {
    expect(check('gpt-6-luna', 'none')).toEqual([]);
    expect(check('gpt-6.1-sol-2026-10-02', 'low')).toEqual([]);
    expect(check('gpt-6.1-terra', null)).toEqual([]);
  });

  it("refuses an effort the model does not accept: GPT-6's minimal, gpt-6.1-sol's none", () => {
    expect(check('gpt-6-luna', 'minimal')).toEqual([
      "gpt-6-luna does not accept reasoning effort 'minimal' (it accepts none, low, medium, high, xhigh, max)",
    ]);
    expect(check('gpt-6.1-sol', 'none')).toEqual([
      "gpt-6.1-sol does not accept reasoning effort 'none' (it accepts low, medium, high, xhigh, max)",
    ]);
  });

  it("refuses a temperature the model ignores: any effort but none, or a model without 'none'", () => {
    expect(check('gpt-6-luna', 'none', 0.7)).toEqual([]);
    expect(check('gpt-6-luna', 'low', 0.7)).toEqual([
      "gpt-6-luna ignores temperature unless reasoning effort is 'none'",
    ]);
    expect(check('gpt-6-luna', null, 0.7)).toEqual([
      "gpt-6-luna ignores temperature unless reasoning effort is 'none'",
    ]);
    expect(check('gpt-6.1-sol', 'low', 0.7)).toEqual([
      "gpt-6.1-sol ignores temperature (it accepts no reasoning effort 'none')",
    ]);
  });

  it('refuses a shut-down model, snapshots included, naming the date and the replacement', () => {
    expect(check('gpt-5-nano', 'low')).toEqual([
      'gpt-5-nano is deprecated: OpenAI shuts it down on 2026-12-11 (use gpt-6-luna)',
    ]);
    expect(check('gpt-5-2025-08-07', 'low')).toEqual([
      'gpt-5-2025-08-07 is deprecated: OpenAI shuts it down on 2026-12-11 (use gpt-6.1-sol)',
    ]);
  });

  it('refuses a model the table does not know, saying how to add it', () => {
    expect(check('gpt-7-nova', 'low')).toEqual([
      expect.stringMatching(
        /^gpt-7-nova is not in the model facts table \(known: gpt-6-astra, .*COACH_MODEL_FACTS/,
      ),
    ]);
  });
});

describe('mergeModelFacts and ModelFactsOverride', () => {
  const price = {
    input: 2,
    cached_input: 0.1,
    output: 10,
    effective_from: '2026-11-17',
    source: 'https://developers.openai.com/api/docs/models/gpt-6.2-sol',
  };

  it('adds a new model from its efforts and price, cache writes at 1.25× input unless given', () => {
    const override = ModelFactsOverride.parse(
      JSON.stringify({ models: { 'gpt-6.2-sol': { efforts: LOW_TO_MAX, price } } }),
    );
    const { facts, problems } = mergeModelFacts(override);

    expect(problems).toEqual([]);
    expect(facts.models['gpt-6.2-sol']).toEqual({
      efforts: LOW_TO_MAX,
      temperature: 'never',
      price: { ...price, cache_write: 2.5 },
      long_context: { above_input_tokens: 272_000, input_multiplier: 2, output_multiplier: 1.5 },
      source: price.source,
    });
    expect(
      settingsProblems({ model: 'gpt-6.2-sol', reasoning_effort: 'low', temperature: null }, facts),
    ).toEqual([]);
  });

  it('replaces only the given fields of a known model and keeps the rest of the table', () => {
    const { facts } = mergeModelFacts(
      ModelFactsOverride.parse({ models: { 'gpt-6-luna': { efforts: ['low'] } } }),
    );

    expect(facts.models['gpt-6-luna']).toEqual({
      ...BUILT_IN_MODEL_FACTS.models['gpt-6-luna'],
      efforts: ['low'],
      temperature: 'never',
    });
    expect(facts.models['gpt-6-sol']).toBe(BUILT_IN_MODEL_FACTS.models['gpt-6-sol']);
  });

  it('marks a model as shut down, so the configuration refuses it', () => {
    const shutdown = {
      shutdown_on: '2027-03-01',
      replacement: 'gpt-6.1-sol',
      source: 'https://developers.openai.com/api/docs/deprecations',
    };
    const { facts } = mergeModelFacts(ModelFactsOverride.parse({ shut_down: { 'gpt-6-sol': shutdown } }));

    expect(
      settingsProblems({ model: 'gpt-6-sol', reasoning_effort: 'low', temperature: null }, facts),
    ).toEqual(['gpt-6-sol is deprecated: OpenAI shuts it down on 2027-03-01 (use gpt-6.1-sol)']);
  });

  it('refuses a new model without its efforts and price, by field', () => {
    expect(problemsOf({ models: { 'gpt-7-nova': { price } } })).toEqual([
      ' models.gpt-7-nova.efforts is required for a model not in the table',
    ]);
    expect(problemsOf({ models: { 'gpt-7-nova': { efforts: ['low'] } } })).toEqual([
      ' models.gpt-7-nova.price is required for a model not in the table',
    ]);
  });

  it('refuses bad figures, dates, efforts, keys and JSON with the field named', () => {
    expect(problemsOf({ models: { 'gpt-6-luna': { price: { ...price, input: -1 } } } })).toEqual([
      expect.stringMatching(/^models\.gpt-6-luna\.price\.input /),
    ]);
    expect(
      problemsOf({ models: { 'gpt-6-luna': { price: { ...price, effective_from: '1 Dec' } } } }),
    ).toEqual(['models.gpt-6-luna.price.effective_from must be a date written YYYY-MM-DD']);
    expect(problemsOf({ models: { 'gpt-6-luna': { efforts: ['minimal'] } } })).toEqual([
      expect.stringMatching(/^models\.gpt-6-luna\.efforts\.0 /),
    ]);
    expect(
      problemsOf({ models: { 'gpt-6-luna': { temperature: 'with_effort_none', efforts: ['low'] } } }),
    ).toEqual([
      " models.gpt-6-luna.temperature can only be 'with_effort_none' when the efforts include 'none'",
    ]);
    expect(problemsOf({ prices: {} })).toEqual([expect.stringContaining('Unrecognized key: "prices"')]);
    expect(problemsOf('{not json')).toEqual([' must be a JSON object {"models": {...}, "shut_down": {...}}']);
  });
});

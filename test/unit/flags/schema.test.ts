/**
 * The flags document: one table gives every key's type, default and environment variable;
 * the JSON Schema that AppConfig validates deployments with (draft-04, checked here with an
 * independent draft-04 validator) accepts exactly the documents the zod schema accepts.
 */
import { describe, expect, it } from '@jest/globals';
import AjvDraft04 from 'ajv-draft-04';
import fc from 'fast-check';
import { ConfigError, loadConfig } from '../../../lambdas/shared/config';
import {
  FLAG_DEFAULTS,
  FLAG_DEFINITIONS,
  FLAG_KEYS,
  FlagsDocument,
  flagsJsonSchema,
  parseFlagsDocument,
} from '../../../lambdas/shared/flags/schema';

const BASE_ENV = { DATABASE_URL: 'postgres://localhost/mivia' };

const validateDraft04 = new AjvDraft04({ strict: false }).compile(flagsJsonSchema());

describe('the flags table', () => {
  it('names a distinct environment variable for every key', () => {
    const names = FLAG_KEYS.map((key) => FLAG_DEFINITIONS[key].env);

    expect(new Set(names).size).toBe(FLAG_KEYS.length);
    expect(names).toEqual(
      expect.arrayContaining(['OPENAI_ENABLED', 'OPENAI_ROLLOUT_PERCENT', 'CHAT_SYNC_BUDGET_MS']),
    );
  });

  it('has defaults that its own schema and the JSON Schema accept', () => {
    expect(FlagsDocument.parse(FLAG_DEFAULTS)).toEqual(FLAG_DEFAULTS);
    expect(validateDraft04(FLAG_DEFAULTS)).toBe(true);
  });

  it('defaults to the safe side: anonymous users refused, screening and disclosure on, disclosure not in the text', () => {
    expect(FLAG_DEFAULTS).toMatchObject({
      anonymous_enabled: false,
      screening_enabled: true,
      disclosure_enabled: true,
      disclosure_in_response: false,
      openai_enabled: true,
      fallback_enabled: true,
      rollout_percent: 100,
    });
  });
});

describe('environment variables as defaults', () => {
  it('are the built-in defaults when unset', () => {
    expect(loadConfig(BASE_ENV).flagDefaults).toEqual(FLAG_DEFAULTS);
  });

  it("are read as each flag's type, booleans as true/false/1/0", () => {
    // Act
    const cfg = loadConfig({
      ...BASE_ENV,
      OPENAI_ENABLED: 'FALSE',
      SCREENING_ENABLED: '0',
      ANONYMOUS_ENABLED: '1',
      OPENAI_ROLLOUT_PERCENT: ' 25 ',
      RATE_LIMIT_PER_MINUTE: '6',
      GLOBAL_DAILY_COST_BUDGET_USD: '12.5',
      SELF_HARM_SCORE_THRESHOLD: '0.3',
    });

    // Assess
    expect(cfg.flagDefaults).toMatchObject({
      openai_enabled: false,
      screening_enabled: false,
      anonymous_enabled: true,
      rollout_percent: 25,
      rate_limit_per_minute: 6,
      global_daily_cost_budget_usd: 12.5,
      self_harm_score_threshold: 0.3,
    });
    // The fields the service already read keep their names and agree with the flags.
    expect([cfg.openaiEnabled, cfg.openaiRolloutPercent]).toEqual([false, 25]);
  });

  it('are refused at cold start with the variable named when out of bounds', () => {
    expect.assertions(1);
    try {
      loadConfig({
        ...BASE_ENV,
        RATE_LIMIT_PER_MINUTE: '-1',
        SELF_HARM_SCORE_THRESHOLD: '2',
        DISCLOSURE_ENABLED: 'y',
      });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'RATE_LIMIT_PER_MINUTE must be at least 0',
        'SELF_HARM_SCORE_THRESHOLD must be at most 1',
        "DISCLOSURE_ENABLED must be 'true', 'false', '1' or '0'",
      ]);
    }
  });
});

describe('a flags document', () => {
  it('may give only some keys', () => {
    expect(parseFlagsDocument('{"openai_enabled": false}')).toEqual({
      ok: true,
      document: { openai_enabled: false },
    });
    expect(parseFlagsDocument('{}')).toEqual({ ok: true, document: {} });
  });

  it('is refused with an unknown key, so a misspelt kill switch is an error, not a no-op', () => {
    expect(parseFlagsDocument('{"openai_enable": false}')).toEqual({
      ok: false,
      problems: ['unknown key(s): openai_enable'],
    });
  });

  it('is refused when it is not a JSON object', () => {
    for (const text of ['[]', 'null', '"flags"', '42']) {
      expect(parseFlagsDocument(text).ok).toBe(false);
      expect(validateDraft04(JSON.parse(text))).toBe(false);
    }
  });

  it('keeps the sync budget short enough to record the answer in the chat timeout, as the configuration does', () => {
    expect(parseFlagsDocument('{"sync_budget_ms": 15001}')).toEqual({
      ok: false,
      problems: [expect.stringMatching(/^sync_budget_ms must be at most 15000/)],
    });
    expect(parseFlagsDocument('{"sync_budget_ms": 15000}').ok).toBe(true);
    expect(validateDraft04({ sync_budget_ms: 15_001 })).toBe(false);
    expect(validateDraft04({ sync_budget_ms: 15_000 })).toBe(true);
  });
});

describe("AppConfig's JSON Schema validator", () => {
  it('is draft-04 and refuses unknown keys', () => {
    const schema = flagsJsonSchema();

    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties as object).sort()).toEqual([...FLAG_KEYS].sort());
  });

  it('accepts exactly the documents the zod schema accepts (property-based)', () => {
    const anyValue = fc.oneof(
      fc.boolean(),
      fc.integer({ min: -10, max: 200 }),
      fc.integer({ min: 27_990, max: 28_010 }),
      fc.double({ min: -1, max: 2, noNaN: true }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom('true', '10', '', null),
    );
    const documents = fc.oneof(
      fc.dictionary(fc.constantFrom(...FLAG_KEYS), anyValue),
      fc.dictionary(fc.constantFrom(...FLAG_KEYS, 'openai_enable', 'extra'), anyValue),
    );

    fc.assert(
      fc.property(documents, (document) => {
        expect({ document, jsonSchema: validateDraft04(document) }).toEqual({
          document,
          jsonSchema: FlagsDocument.safeParse(document).success,
        });
      }),
      { numRuns: 2_000 },
    );
  });
});

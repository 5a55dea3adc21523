import { describe, expect, it } from '@jest/globals';
import { BUILT_IN_MODEL_FACTS } from '../../../lambdas/shared/coach/model-facts';
import { ConfigError, loadConfig } from '../../../lambdas/shared/config';

const SUPABASE_URL = 'https://abcdefghijklmnop.supabase.co';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('applies the documented defaults when only SUPABASE_URL is set', () => {
    // Act
    const cfg = loadConfig({ SUPABASE_URL });

    // Assess
    expect(cfg).toMatchObject({
      stage: 'local',
      logLevel: 'INFO',
      supabaseUrl: SUPABASE_URL,
      openaiTimeoutMs: 15_000,
      openaiMaxRetries: 2,
      chatSyncBudgetMs: 15_000,
      openaiEnabled: true,
      fallbackEnabled: true,
      openaiRolloutPercent: 100,
      dailyTokenLimitPerUser: 200_000,
      dailyCostLimitUsdPerUser: 1.0,
      coachModelOverrides: {},
      modelFacts: BUILT_IN_MODEL_FACTS,
      authJwksUrl: `${SUPABASE_URL}/auth/v1/.well-known/jwks.json`,
      authIssuer: `${SUPABASE_URL}/auth/v1`,
      authAudience: 'authenticated',
      authMode: 'jwks',
    });
    expect(cfg.openaiApiKey).toBeUndefined();
    expect(cfg.pollerStateMachineArn).toBeUndefined();
  });

  it('derives the issuer and JWKS URL from a SUPABASE_URL with a trailing slash', () => {
    const cfg = loadConfig({ SUPABASE_URL: `${SUPABASE_URL}/` });

    expect(cfg.authIssuer).toBe(`${SUPABASE_URL}/auth/v1`);
    expect(cfg.authJwksUrl).toBe(`${SUPABASE_URL}/auth/v1/.well-known/jwks.json`);
  });

  it('accepts DATABASE_URL instead of SUPABASE_URL for local mode', () => {
    const cfg = loadConfig({ DATABASE_URL: 'postgres://localhost:5432/mivia' });

    expect(cfg.databaseUrl).toBe('postgres://localhost:5432/mivia');
    expect(cfg.supabaseUrl).toBeUndefined();
    expect(cfg.authIssuer).toBeUndefined();
  });

  it('requires SUPABASE_URL when DATABASE_URL is not set', () => {
    expect(problemsOf({})).toEqual(['SUPABASE_URL is required unless DATABASE_URL is set']);
  });

  it('lists every invalid variable in one error', () => {
    // Prepare
    const env = {
      OPENAI_ENABLED: 'yes',
      OPENAI_MAX_RETRIES: '5',
      OPENAI_ROLLOUT_PERCENT: '101',
      OPENAI_TIMEOUT_MS: 'soon',
      DAILY_COST_LIMIT_USD_PER_USER: '-1',
      COACH_MODEL_OVERRIDES: '{not json',
      SUPABASE_URL: 'not a url',
    };

    // Act
    const problems = problemsOf(env);

    // Assess
    const variables = problems.map((p) => p.split(' ')[0]);
    expect(variables).toEqual(
      expect.arrayContaining([
        'OPENAI_ENABLED',
        'OPENAI_MAX_RETRIES',
        'OPENAI_ROLLOUT_PERCENT',
        'OPENAI_TIMEOUT_MS',
        'DAILY_COST_LIMIT_USD_PER_USER',
        'COACH_MODEL_OVERRIDES',
        'SUPABASE_URL',
      ]),
    );
  });

  it('names the variables in the error message', () => {
    expect.assertions(2);
    try {
      loadConfig({ SUPABASE_URL, OPENAI_MAX_RETRIES: '9', FALLBACK_ENABLED: 'maybe' });
    } catch (error) {
      expect(String(error)).toContain('OPENAI_MAX_RETRIES must be at most 3');
      expect(String(error)).toContain('FALLBACK_ENABLED');
    }
  });

  it('refuses a chat sync budget that would leave too little of the 28 s to record the answer', () => {
    expect(problemsOf({ SUPABASE_URL, CHAT_SYNC_BUDGET_MS: '15001' })).toEqual([
      expect.stringMatching(/^CHAT_SYNC_BUDGET_MS must be at most 15000/),
    ]);
    expect(loadConfig({ SUPABASE_URL, CHAT_SYNC_BUDGET_MS: '15000' }).chatSyncBudgetMs).toBe(15_000);
  });

  it('reads booleans written as true/false or 1/0', () => {
    const cfg = loadConfig({ SUPABASE_URL, OPENAI_ENABLED: '0', FALLBACK_ENABLED: 'FALSE' });
    const other = loadConfig({ SUPABASE_URL, OPENAI_ENABLED: '1', FALLBACK_ENABLED: 'true' });

    expect([cfg.openaiEnabled, cfg.fallbackEnabled]).toEqual([false, false]);
    expect([other.openaiEnabled, other.fallbackEnabled]).toEqual([true, true]);
  });

  it('treats empty strings as unset', () => {
    const cfg = loadConfig({ SUPABASE_URL, OPENAI_API_KEY: '', OPENAI_TIMEOUT_MS: '', AUTH_MODE: '' });

    expect(cfg.openaiApiKey).toBeUndefined();
    expect(cfg.openaiTimeoutMs).toBe(15_000);
    expect(cfg.authMode).toBe('jwks');
  });

  it('parses coach model overrides keyed by profile id', () => {
    const cfg = loadConfig({ SUPABASE_URL, COACH_MODEL_OVERRIDES: '{"pillar_coach":"gpt-6-luna"}' });

    expect(cfg.coachModelOverrides).toEqual({ pillar_coach: 'gpt-6-luna' });
  });

  it('refuses model overrides for unknown profiles', () => {
    expect(problemsOf({ SUPABASE_URL, COACH_MODEL_OVERRIDES: '{"assistant_coach":"gpt-6-luna"}' })).toEqual([
      expect.stringContaining('COACH_MODEL_OVERRIDES has an unknown coach profile id "assistant_coach"'),
    ]);
  });

  it('refuses an override to a model that would refuse or ignore the profile settings', () => {
    // Prepare: onboarding sends effort 'none'; gpt-6.1-sol has no 'none', gpt-5 shuts down.
    const env = {
      SUPABASE_URL,
      COACH_MODEL_OVERRIDES:
        '{"onboarding_coach":"gpt-6.1-sol","general_coach":"gpt-5","pillar_coach":"gpt-8"}',
    };

    // Act
    const problems = problemsOf(env);

    // Assess
    expect(problems).toEqual([
      'COACH_MODEL_OVERRIDES general_coach: gpt-5 is deprecated: OpenAI shuts it down on 2026-12-11 (use gpt-6.1-sol)',
      expect.stringMatching(/^COACH_MODEL_OVERRIDES pillar_coach: gpt-8 is not in the model facts table/),
      "COACH_MODEL_OVERRIDES onboarding_coach: gpt-6.1-sol does not accept reasoning effort 'none' (it accepts low, medium, high, xhigh, max)",
    ]);
  });

  it('takes model facts from COACH_MODEL_FACTS, merged over the built-in table', () => {
    // Prepare: a model the built-in table does not know, then an override to it.
    const facts = {
      models: {
        'gpt-6.2-sol': {
          efforts: ['low', 'medium', 'high', 'xhigh', 'max'],
          price: {
            input: 2,
            cached_input: 0.1,
            output: 10,
            effective_from: '2026-11-17',
            source: 'https://developers.openai.com/api/docs/models/gpt-6.2-sol',
          },
        },
      },
    };

    // Act
    const cfg = loadConfig({
      SUPABASE_URL,
      COACH_MODEL_FACTS: JSON.stringify(facts),
      COACH_MODEL_OVERRIDES: '{"pillar_coach":"gpt-6.2-sol"}',
    });

    // Assess
    expect(cfg.modelFacts.models['gpt-6.2-sol']?.price).toEqual({
      ...facts.models['gpt-6.2-sol'].price,
      cache_write: 2.5,
    });
    expect(cfg.modelFacts.models['gpt-6-luna']).toEqual(BUILT_IN_MODEL_FACTS.models['gpt-6-luna']);
    expect(cfg.coachModelOverrides).toEqual({ pillar_coach: 'gpt-6.2-sol' });
  });

  it('refuses COACH_MODEL_FACTS that are not valid facts, naming the field', () => {
    expect(
      problemsOf({ SUPABASE_URL, COACH_MODEL_FACTS: '{"models":{"gpt-7":{"efforts":["low"]}}}' }),
    ).toEqual(['COACH_MODEL_FACTS models.gpt-7.price is required for a model not in the table']);
    expect(problemsOf({ SUPABASE_URL, COACH_MODEL_FACTS: 'cheap please' })).toEqual([
      'COACH_MODEL_FACTS must be a JSON object {"models": {...}, "shut_down": {...}}',
    ]);
  });

  it('checks the profiles in code against COACH_MODEL_FACTS too', () => {
    // The onboarding coach sends effort 'none': facts that take 'none' away from gpt-6-luna refuse it.
    expect(
      problemsOf({ SUPABASE_URL, COACH_MODEL_FACTS: '{"models":{"gpt-6-luna":{"efforts":["low"]}}}' }),
    ).toEqual([
      "coach profile onboarding_coach: gpt-6-luna does not accept reasoning effort 'none' (it accepts low)",
    ]);
  });

  it('defaults AUTH_MODE to both when a JWT secret source is configured', () => {
    const cfg = loadConfig({ SUPABASE_URL, SUPABASE_JWT_SECRET_SECRET_ID: 'mivia/jwt-secret' });

    expect(cfg.authMode).toBe('both');
  });

  it('refuses AUTH_MODE hs256 without a JWT secret source', () => {
    expect(problemsOf({ SUPABASE_URL, AUTH_MODE: 'hs256' })).toEqual([
      "AUTH_MODE 'hs256' needs SUPABASE_JWT_SECRET_SECRET_ID or SUPABASE_JWT_SECRET",
    ]);
  });

  it('keeps explicit auth settings over the derived ones', () => {
    const cfg = loadConfig({
      SUPABASE_URL,
      AUTH_ISSUER: 'https://auth.example.com/auth/v1',
      AUTH_JWKS_URL: 'https://auth.example.com/jwks.json',
      AUTH_AUDIENCE: 'mivia',
    });

    expect([cfg.authIssuer, cfg.authJwksUrl, cfg.authAudience]).toEqual([
      'https://auth.example.com/auth/v1',
      'https://auth.example.com/jwks.json',
      'mivia',
    ]);
  });
});

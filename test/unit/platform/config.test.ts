import { describe, expect, it } from '@jest/globals';
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
      chatSyncBudgetMs: 20_000,
      openaiEnabled: true,
      fallbackEnabled: true,
      openaiRolloutPercent: 100,
      dailyTokenLimitPerUser: 200_000,
      dailyCostLimitUsdPerUser: 1.0,
      coachModelOverrides: {},
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

  it('refuses a chat sync budget at or above 28 seconds', () => {
    expect(problemsOf({ SUPABASE_URL, CHAT_SYNC_BUDGET_MS: '28000' })).toEqual([
      expect.stringMatching(/^CHAT_SYNC_BUDGET_MS must be below 28000/),
    ]);
    expect(loadConfig({ SUPABASE_URL, CHAT_SYNC_BUDGET_MS: '27999' }).chatSyncBudgetMs).toBe(27_999);
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

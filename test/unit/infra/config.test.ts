import { describe, expect, it } from '@jest/globals';
import {
  DeployConfigError,
  parseDeployConfig,
  PLACEHOLDER_SUPABASE_URL,
  type RawDeployContext,
} from '../../../lib/config';

const minimal: RawDeployContext = { supabaseUrl: 'https://abcd.supabase.co' };

function problemsOf(raw: RawDeployContext): Record<string, string> {
  try {
    parseDeployConfig(raw);
  } catch (error) {
    if (error instanceof DeployConfigError)
      return Object.fromEntries(error.problems.map((p) => [p.key, p.message]));
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('deploy configuration', () => {
  it('fills every default from a supabaseUrl alone, deriving the JWKS URL and issuer from it', () => {
    const config = parseDeployConfig(minimal);

    expect(config).toMatchObject({
      stage: 'dev',
      supabaseUrl: 'https://abcd.supabase.co',
      authMode: 'jwks',
      jwksUrl: 'https://abcd.supabase.co/auth/v1/.well-known/jwks.json',
      issuer: 'https://abcd.supabase.co/auth/v1',
      audience: 'authenticated',
      usesJwtSecret: false,
      logRetentionDays: 30,
      syncBudgetMs: 20_000,
      openaiEnabled: true,
      fallbackEnabled: true,
      rolloutPercent: 100,
      maxPollSeconds: 600,
      featureFlags: false,
      modelOverrides: {},
    });
    expect(config.openaiSecret).toBeUndefined();
  });

  it('accepts the strings that `-c key=value` hands over for booleans, numbers and JSON', () => {
    const config = parseDeployConfig({
      ...minimal,
      openaiEnabled: 'false',
      rolloutPercent: '25',
      throttlingRateLimit: '7.5',
      logRetentionDays: '90',
      modelOverrides: '{"general_coach":"gpt-6-luna"}',
    });

    expect(config.openaiEnabled).toBe(false);
    expect(config.rolloutPercent).toBe(25);
    expect(config.throttlingRateLimit).toBe(7.5);
    expect(config.logRetentionDays).toBe(90);
    expect(config.modelOverrides).toEqual({ general_coach: 'gpt-6-luna' });
  });

  it('tells secret names from secret ARNs', () => {
    const arn = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:mivia/openai-AbCdEf';
    const config = parseDeployConfig({
      ...minimal,
      openaiSecret: arn,
      supabaseServiceRoleSecret: 'mivia/supabase',
    });

    expect(config.openaiSecret).toEqual({ kind: 'arn', arn });
    expect(config.supabaseServiceRoleSecret).toEqual({ kind: 'name', name: 'mivia/supabase' });
  });

  it('lists every bad key in one error, by name', () => {
    const problems = problemsOf({
      supabaseUrl: 'http://insecure.example',
      stage: 'Prod!',
      authMode: 'rs256',
      logRetentionDays: 42,
      rolloutPercent: 150,
      syncBudgetMs: 28_000,
      openaiEnabled: 'maybe',
      alarmEmail: 'not-an-address',
      openaiSecret: 'arn:aws:s3:::bucket',
      modelOverrides: { assistant_coach: 'gpt-6-luna' },
    });

    expect(Object.keys(problems).sort()).toEqual(
      [
        'alarmEmail',
        'authMode',
        'logRetentionDays',
        'modelOverrides',
        'openaiEnabled',
        'openaiSecret',
        'rolloutPercent',
        'stage',
        'supabaseUrl',
        'syncBudgetMs',
      ].sort(),
    );
    expect(problems.logRetentionDays).toMatch(/one of 1, 3, 5, 7, 14, 30/);
  });

  it('writes a readable message naming each key and where to set it', () => {
    expect.assertions(3);
    try {
      parseDeployConfig({ rolloutPercent: -1 });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/set these in cdk.json "context" or with -c key=value/);
      expect(message).toMatch(/- supabaseUrl: is required/);
      expect(message).toMatch(/- rolloutPercent: must be at least 0/);
    }
  });

  it('refuses the placeholder Supabase URL for any stage but dev', () => {
    expect(() => parseDeployConfig({ supabaseUrl: PLACEHOLDER_SUPABASE_URL })).not.toThrow();
    expect(problemsOf({ supabaseUrl: PLACEHOLDER_SUPABASE_URL, stage: 'prod' })).toHaveProperty(
      'supabaseUrl',
    );
  });

  it('refuses a JWT secret when only JWKS tokens are accepted, and needs one path for HS256', () => {
    expect(problemsOf({ ...minimal, jwtSecret: 'mivia/jwt' })).toHaveProperty('jwtSecret');
    expect(parseDeployConfig({ ...minimal, authMode: 'both' }).usesJwtSecret).toBe(true);
  });

  it('ignores keys it does not own (CDK feature flags share the context)', () => {
    expect(() =>
      parseDeployConfig({ ...minimal, ['@aws-cdk/core:newStyleStackSynthesis' as never]: true }),
    ).not.toThrow();
  });
});

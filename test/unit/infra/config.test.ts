import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import {
  DeployConfigError,
  parseDeployConfig,
  PLACEHOLDER_SUPABASE_URL,
  type RawDeployContext,
} from '../../../lib/config';
import { logicalId, synthesizeCoach } from './support';

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
      syncBudgetMs: 15_000,
      openaiEnabled: true,
      fallbackEnabled: true,
      rolloutPercent: 100,
      maxPollSeconds: 600,
      modelOverrides: {},
      modelFacts: {},
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

  it('refuses model overrides the model would refuse: retired, unknown, or an effort it lacks', () => {
    const problems = problemsOf({
      ...minimal,
      modelOverrides: { onboarding_coach: 'gpt-6.1-sol', journal_coach: 'gpt-5-mini' },
    });

    expect(problems).toEqual({ modelOverrides: expect.any(String) });
    expect(() =>
      parseDeployConfig({ ...minimal, modelOverrides: { onboarding_coach: 'gpt-6.1-sol' } }),
    ).toThrow(
      "modelOverrides: onboarding_coach: gpt-6.1-sol does not accept reasoning effort 'none' (it accepts low, medium, high, xhigh, max)",
    );
    expect(() => parseDeployConfig({ ...minimal, modelOverrides: { journal_coach: 'gpt-5-mini' } })).toThrow(
      'modelOverrides: journal_coach: gpt-5-mini is deprecated: OpenAI shuts it down on 2026-12-11 (use gpt-6.1-terra)',
    );
  });

  it('takes modelFacts as an object or as -c JSON, and lets an override use a model it adds', () => {
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
    const overrides = { general_coach: 'gpt-6.2-sol' };

    const fromObject = parseDeployConfig({ ...minimal, modelFacts: facts, modelOverrides: overrides });
    const fromText = parseDeployConfig({
      ...minimal,
      modelFacts: JSON.stringify(facts),
      modelOverrides: JSON.stringify(overrides),
    });

    expect(fromObject.modelFacts).toEqual(fromText.modelFacts);
    expect(fromObject.modelFacts.models?.['gpt-6.2-sol']?.price?.cache_write).toBe(2.5);
    expect(fromObject.modelOverrides).toEqual(overrides);
  });

  it('refuses modelFacts that are not valid facts, or that a profile in code cannot run with', () => {
    expect(problemsOf({ ...minimal, modelFacts: { models: { 'gpt-7': { efforts: ['low'] } } } })).toEqual({
      modelFacts: 'models.gpt-7.price is required for a model not in the table',
    });
    expect(
      problemsOf({ ...minimal, modelFacts: { models: { 'gpt-6-luna': { efforts: ['low'] } } } }),
    ).toEqual({
      modelFacts:
        "coach profile onboarding_coach: gpt-6-luna does not accept reasoning effort 'none' (it accepts low)",
    });
  });

  it("refuses modelFacts too large for Lambda's environment", () => {
    const many = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [
        `gpt-test-${i}`,
        {
          efforts: ['low'],
          price: {
            input: 1,
            cached_input: 0.1,
            output: 5,
            effective_from: '2026-12-01',
            source: 'https://developers.openai.com/api/docs/pricing',
          },
        },
      ]),
    );
    expect(problemsOf({ ...minimal, modelFacts: { models: many } })).toEqual({
      modelFacts: expect.stringMatching(/^must fit in 2000 characters of JSON/),
    });
  });

  it('ignores keys it does not own (CDK feature flags share the context)', () => {
    expect(() =>
      parseDeployConfig({ ...minimal, ['@aws-cdk/core:newStyleStackSynthesis' as never]: true }),
    ).not.toThrow();
  });
});

describe('bin/app.ts', () => {
  it('stops the synth with the readable list of bad keys, before building anything', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const outdir = mkdtempSync(path.join(tmpdir(), 'mivia-cdk-'));

    const result = spawnSync(path.join(root, 'node_modules/.bin/tsx'), ['bin/app.ts'], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ supabaseUrl: 'ftp://nope', rolloutPercent: 150, stage: 'prod' }),
      },
    });

    rmSync(outdir, { recursive: true, force: true });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid deploy configuration (2 problems)');
    expect(result.stderr).toMatch(/- supabaseUrl: must be an https URL/);
    expect(result.stderr).toMatch(/- rolloutPercent: must be at most 100/);
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('stops the synth when an override names a model OpenAI shuts down', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const outdir = mkdtempSync(path.join(tmpdir(), 'mivia-cdk-'));

    const result = spawnSync(path.join(root, 'node_modules/.bin/tsx'), ['bin/app.ts'], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ ...minimal, modelOverrides: '{"general_coach":"gpt-5"}' }),
      },
    });

    rmSync(outdir, { recursive: true, force: true });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      '- modelOverrides: general_coach: gpt-5 is deprecated: OpenAI shuts it down on 2026-12-11 (use gpt-6.1-sol)',
    );
  });
});

describe('a price change', () => {
  it('is a configuration-only deployment: the functions keep their code and get the new facts', () => {
    // Prepare: the same app, once as in cdk.json and once with new gpt-6-luna prices.
    const price = {
      input: 0.08,
      cached_input: 0.008,
      output: 0.4,
      effective_from: '2027-01-01',
      source: 'https://developers.openai.com/api/docs/models/gpt-6-luna',
    };
    const before = synthesizeCoach();
    const after = synthesizeCoach({ modelFacts: { models: { 'gpt-6-luna': { price } } } });
    const chatOf = ({ stack, template }: ReturnType<typeof synthesizeCoach>) =>
      (template.toJSON().Resources as Record<string, { Properties: Record<string, unknown> }>)[
        logicalId(stack.functions.chat.function)
      ]?.Properties;

    // Act
    const [old, updated] = [chatOf(before), chatOf(after)];

    // Assess
    expect(updated?.Code).toEqual(old?.Code);
    expect(updated?.Environment).not.toEqual(old?.Environment);
    const facts = (updated?.Environment as { Variables: Record<string, string> }).Variables.COACH_MODEL_FACTS;
    expect(JSON.parse(facts ?? '')).toEqual({
      models: { 'gpt-6-luna': { price: { ...price, cache_write: 0.1 } } },
    });
  });
});

/**
 * Secrets through Powertools' secrets provider and a real Secrets Manager client, with
 * Secrets Manager faked at the HTTP boundary (its AWS JSON 1.1 protocol).
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  createSecretReader,
  SecretNotConfiguredError,
  SecretUnavailableError,
  SECRET_TTL_MS,
  type SecretSources,
} from '../../../lambdas/shared/secrets';
import {
  awsJsonError,
  fakeAwsHttp,
  TEST_AWS_CLIENT_CONFIG,
  type AwsHttpReply,
} from '../../support/aws-http-fake';

/** Secrets Manager answering GetSecretValue from a map; `failures` first answers throttle. */
function fakeSecretsManager(values: Record<string, string>, options: { failures?: number } = {}) {
  let failuresLeft = options.failures ?? 0;
  const http = fakeAwsHttp(async (request): Promise<AwsHttpReply> => {
    await Promise.resolve();
    if (request.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
      return awsJsonError(400, 'InvalidRequestException', 'unsupported operation');
    }
    const id = (JSON.parse(request.body) as { SecretId: string }).SecretId;
    if (failuresLeft > 0) {
      failuresLeft -= 1;
      return awsJsonError(400, 'ThrottlingException', 'Rate exceeded');
    }
    if (!(id in values)) {
      return awsJsonError(
        400,
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    }
    return {
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({
        ARN: `arn:aws:secretsmanager:eu-central-1:123456789012:secret:${id}-AbCdEf`,
        Name: id,
        VersionId: 'e0f4a1b2-0000-4000-8000-000000000001',
        SecretString: values[id],
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1_790_000_000,
      }),
    };
  });
  const client = new SecretsManagerClient({
    ...TEST_AWS_CLIENT_CONFIG,
    maxAttempts: 1,
    requestHandler: http.requestHandler,
  });
  const calls = () => http.requests.map((r) => (JSON.parse(r.body) as { SecretId: string }).SecretId);
  return { client, calls };
}

const noSources: SecretSources = {
  openaiApiKey: undefined,
  openaiApiKeySecretId: undefined,
  supabaseServiceRoleKey: undefined,
  supabaseServiceRoleKeySecretId: undefined,
  supabaseJwtSecret: undefined,
  supabaseJwtSecretSecretId: undefined,
};

const openaiFrom = (secretId: string): SecretSources => ({ ...noSources, openaiApiKeySecretId: secretId });

/** What the stack generates: 32 letters and digits (lib/secrets.ts). */
const PLACEHOLDER = 'Q3vX9kLm2PzR7tYb4NcW8dHf1JsG6aEu';

afterEach(() => {
  jest.useRealTimers();
});

describe('getSecret', () => {
  it('returns the env override without calling Secrets Manager', async () => {
    // Prepare
    const { client, calls } = fakeSecretsManager({ 'mivia/openai': 'sk-from-secrets-manager' });
    const reader = createSecretReader({ client });
    const cfg = { ...noSources, openaiApiKey: 'sk-local', openaiApiKeySecretId: 'mivia/openai' };

    // Act
    const value = await reader.get('openai_api_key', cfg);

    // Assess
    expect(value).toBe('sk-local');
    expect(calls()).toEqual([]);
  });

  it('reads the configured secret id from Secrets Manager', async () => {
    const { client, calls } = fakeSecretsManager({
      'mivia/service-role': 'eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl',
    });
    const reader = createSecretReader({ client });

    const value = await reader.get('supabase_service_role_key', {
      ...noSources,
      supabaseServiceRoleKeySecretId: 'mivia/service-role',
    });

    expect(value).toBe('eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl');
    expect(calls()).toEqual(['mivia/service-role']);
  });

  it('accepts a JSON secret of the form { "value": "…" }', async () => {
    const { client } = fakeSecretsManager({ 'mivia/jwt': '{"value":"super-secret-jwt-key"}' });
    const reader = createSecretReader({ client });

    const value = await reader.get('supabase_jwt_secret', {
      ...noSources,
      supabaseJwtSecretSecretId: 'mivia/jwt',
    });

    expect(value).toBe('super-secret-jwt-key');
  });

  it('returns undefined when neither an override nor a secret id is configured, without a call', async () => {
    const { client, calls } = fakeSecretsManager({});
    const reader = createSecretReader({ client });

    expect(await reader.get('openai_api_key', noSources)).toBeUndefined();
    expect(await reader.lookup('openai_api_key', noSources)).toEqual({
      configured: false,
      reason: 'no_source',
      secretId: undefined,
    });
    expect(calls()).toEqual([]);
  });
});

describe('a secret that is not configured yet', () => {
  it('reads as not configured when it is empty', async () => {
    const { client } = fakeSecretsManager({ 'mivia/openai': '' });
    const reader = createSecretReader({ client });

    expect(await reader.get('openai_api_key', openaiFrom('mivia/openai'))).toBeUndefined();
    expect(await reader.lookup('openai_api_key', openaiFrom('mivia/openai'))).toEqual({
      configured: false,
      reason: 'empty',
      secretId: 'mivia/openai',
    });
  });

  it("reads as not configured while it holds the stack's placeholder, for the OpenAI and service-role keys", async () => {
    const { client } = fakeSecretsManager({ 'mivia/openai': PLACEHOLDER, 'mivia/service-role': PLACEHOLDER });
    const reader = createSecretReader({ client });

    const openai = await reader.lookup('openai_api_key', openaiFrom('mivia/openai'));
    const serviceRole = await reader.lookup('supabase_service_role_key', {
      ...noSources,
      supabaseServiceRoleKeySecretId: 'mivia/service-role',
    });

    expect([openai, serviceRole]).toEqual([
      { configured: false, reason: 'placeholder', secretId: 'mivia/openai' },
      { configured: false, reason: 'placeholder', secretId: 'mivia/service-role' },
    ]);
  });

  it('takes a 32-character legacy JWT secret as a real value: projects choose those freely', async () => {
    const { client } = fakeSecretsManager({ 'mivia/jwt': PLACEHOLDER });
    const reader = createSecretReader({ client });

    expect(
      await reader.get('supabase_jwt_secret', { ...noSources, supabaseJwtSecretSecretId: 'mivia/jwt' }),
    ).toBe(PLACEHOLDER);
  });

  it('makes requireSecret throw SecretNotConfiguredError naming the kind, the reason and the secret id', async () => {
    expect.assertions(2);
    const { client } = fakeSecretsManager({ 'mivia/openai': PLACEHOLDER });
    const reader = createSecretReader({ client });

    try {
      await reader.require('openai_api_key', openaiFrom('mivia/openai'));
    } catch (error) {
      expect(error).toBeInstanceOf(SecretNotConfiguredError);
      expect(error).toMatchObject({
        kind: 'openai_api_key',
        reason: 'placeholder',
        secretId: 'mivia/openai',
      });
    }
  });
});

describe('a secret that cannot be read', () => {
  it('throws SecretUnavailableError naming the secret, and the next call tries again (no failure cached)', async () => {
    // Prepare
    const { client, calls } = fakeSecretsManager({ 'mivia/openai': 'sk-1' }, { failures: 1 });
    const reader = createSecretReader({ client });

    // Act
    const first = reader.get('openai_api_key', openaiFrom('mivia/openai'));

    // Assess
    await expect(first).rejects.toThrow(SecretUnavailableError);
    await expect(first).rejects.toThrow('Could not read secret mivia/openai from Secrets Manager');
    await expect(reader.get('openai_api_key', openaiFrom('mivia/openai'))).resolves.toBe('sk-1');
    expect(calls()).toHaveLength(2);
  });

  it('is unavailable, not "not configured", when the secret id does not exist', async () => {
    const { client } = fakeSecretsManager({});
    const reader = createSecretReader({ client });

    await expect(reader.lookup('openai_api_key', openaiFrom('mivia/missing'))).rejects.toMatchObject({
      name: 'SecretUnavailableError',
      kind: 'openai_api_key',
      secretId: 'mivia/missing',
    });
  });

  it('never puts the secret value in its error messages', async () => {
    const { client } = fakeSecretsManager({ 'mivia/jwt': '{"token":"leaky-value"}' });
    const reader = createSecretReader({ client });

    const read = reader.get('supabase_jwt_secret', { ...noSources, supabaseJwtSecretSecretId: 'mivia/jwt' });

    await expect(read).rejects.toThrow(SecretUnavailableError);
    await expect(read).rejects.toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('leaky-value') }),
    );
  });
});

describe('caching', () => {
  /** Only Date is faked (Powertools' cache reads the wall clock); the SDK's own timers run. */
  const fakeDateOnly = () =>
    jest.useFakeTimers({
      now: 1_800_000_000_000,
      doNotFake: [
        'nextTick',
        'setImmediate',
        'clearImmediate',
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
        'queueMicrotask',
        'hrtime',
        'performance',
      ],
    });

  it('serves repeated reads from the cache until the TTL has passed', async () => {
    // Prepare
    fakeDateOnly();
    const { client, calls } = fakeSecretsManager({ 'mivia/openai': 'sk-1' });
    const reader = createSecretReader({ client, ttlMs: 60_000 });
    const cfg = openaiFrom('mivia/openai');

    // Act
    await reader.get('openai_api_key', cfg);
    jest.setSystemTime(Date.now() + 59_000);
    await reader.get('openai_api_key', cfg);
    const callsWithinTtl = calls().length;
    jest.setSystemTime(Date.now() + 2_000);
    await reader.get('openai_api_key', cfg);

    // Assess
    expect(callsWithinTtl).toBe(1);
    expect(calls()).toHaveLength(2);
  });

  it('keeps a value for SECRET_TTL_MS (five minutes) by default, so a rotated key is used within that', async () => {
    // Prepare
    fakeDateOnly();
    const { client, calls } = fakeSecretsManager({ 'mivia/openai': 'sk-old' });
    const reader = createSecretReader({ client });
    const cfg = openaiFrom('mivia/openai');
    await reader.get('openai_api_key', cfg);

    // Act
    jest.setSystemTime(Date.now() + SECRET_TTL_MS - 1_000);
    const beforeExpiry = await reader.get('openai_api_key', cfg);
    jest.setSystemTime(Date.now() + 2_000);
    await reader.get('openai_api_key', cfg);

    // Assess
    expect(SECRET_TTL_MS).toBe(5 * 60 * 1000);
    expect(beforeExpiry).toBe('sk-old');
    expect(calls()).toHaveLength(2);
  });

  it('shares one Secrets Manager call between concurrent reads of the same secret', async () => {
    const { client, calls } = fakeSecretsManager({ 'mivia/openai': 'sk-1' });
    const reader = createSecretReader({ client });
    const cfg = openaiFrom('mivia/openai');

    const values = await Promise.all([
      reader.get('openai_api_key', cfg),
      reader.get('openai_api_key', cfg),
      reader.get('openai_api_key', cfg),
    ]);

    expect(values).toEqual(['sk-1', 'sk-1', 'sk-1']);
    expect(calls()).toHaveLength(1);
  });
});

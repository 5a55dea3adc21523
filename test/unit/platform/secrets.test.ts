import { describe, expect, it } from '@jest/globals';
import type { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { createSecretReader, type SecretSources, type SecretsClient } from '../../../lambdas/shared/secrets';

/** A Secrets Manager stand-in: answers from a map and records every SecretId asked for. */
function fakeSecretsManager(values: Record<string, string>, options: { failures?: number } = {}) {
  const calls: string[] = [];
  let failuresLeft = options.failures ?? 0;
  const client: SecretsClient = {
    async send(command: GetSecretValueCommand) {
      const id = command.input.SecretId ?? '';
      calls.push(id);
      await Promise.resolve();
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      }
      if (!(id in values)) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
      return { SecretString: values[id] };
    },
  };
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

describe('getSecret', () => {
  it('returns the env override without calling Secrets Manager', async () => {
    // Prepare
    const { client, calls } = fakeSecretsManager({ 'mivia/openai': 'sk-from-secrets-manager' });
    const read = createSecretReader({ client });
    const cfg = { ...noSources, openaiApiKey: 'sk-local', openaiApiKeySecretId: 'mivia/openai' };

    // Act
    const value = await read('openai_api_key', cfg);

    // Assess
    expect(value).toBe('sk-local');
    expect(calls).toEqual([]);
  });

  it('reads the configured secret id from Secrets Manager', async () => {
    const { client, calls } = fakeSecretsManager({ 'mivia/service-role': 'service-role-key' });
    const read = createSecretReader({ client });

    const value = await read('supabase_service_role_key', {
      ...noSources,
      supabaseServiceRoleKeySecretId: 'mivia/service-role',
    });

    expect(value).toBe('service-role-key');
    expect(calls).toEqual(['mivia/service-role']);
  });

  it('accepts a JSON secret of the form { "value": "…" }', async () => {
    const { client } = fakeSecretsManager({ 'mivia/jwt': '{"value":"super-secret-jwt-key"}' });
    const read = createSecretReader({ client });

    const value = await read('supabase_jwt_secret', { ...noSources, supabaseJwtSecretSecretId: 'mivia/jwt' });

    expect(value).toBe('super-secret-jwt-key');
  });

  it('treats a secret that was created empty as not set', async () => {
    const { client } = fakeSecretsManager({ 'mivia/openai': '' });
    const read = createSecretReader({ client });

    const value = await read('openai_api_key', { ...noSources, openaiApiKeySecretId: 'mivia/openai' });

    expect(value).toBeUndefined();
  });

  it('returns undefined when neither an override nor a secret id is configured', async () => {
    const { client, calls } = fakeSecretsManager({});
    const read = createSecretReader({ client });

    expect(await read('openai_api_key', noSources)).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('serves repeated reads from the cache until the TTL has passed', async () => {
    // Prepare
    let now = 1_000_000;
    const { client, calls } = fakeSecretsManager({ 'mivia/openai': 'sk-1' });
    const read = createSecretReader({ client, ttlMs: 60_000, now: () => now });
    const cfg = { ...noSources, openaiApiKeySecretId: 'mivia/openai' };

    // Act
    await read('openai_api_key', cfg);
    now += 59_000;
    await read('openai_api_key', cfg);
    const callsWithinTtl = calls.length;
    now += 2_000;
    await read('openai_api_key', cfg);

    // Assess
    expect(callsWithinTtl).toBe(1);
    expect(calls).toHaveLength(2);
  });

  it('shares one Secrets Manager call between concurrent reads of the same secret', async () => {
    const { client, calls } = fakeSecretsManager({ 'mivia/openai': 'sk-1' });
    const read = createSecretReader({ client });
    const cfg = { ...noSources, openaiApiKeySecretId: 'mivia/openai' };

    const values = await Promise.all([
      read('openai_api_key', cfg),
      read('openai_api_key', cfg),
      read('openai_api_key', cfg),
    ]);

    expect(values).toEqual(['sk-1', 'sk-1', 'sk-1']);
    expect(calls).toHaveLength(1);
  });

  it('does not cache a failed read, so the next call tries again', async () => {
    // Prepare
    const { client, calls } = fakeSecretsManager({ 'mivia/openai': 'sk-1' }, { failures: 1 });
    const read = createSecretReader({ client });
    const cfg = { ...noSources, openaiApiKeySecretId: 'mivia/openai' };

    // Act
    const first = read('openai_api_key', cfg);

    // Assess
    await expect(first).rejects.toThrow('Could not read secret mivia/openai from Secrets Manager');
    await expect(read('openai_api_key', cfg)).resolves.toBe('sk-1');
    expect(calls).toHaveLength(2);
  });

  it('never puts the secret value in its error messages', async () => {
    const { client } = fakeSecretsManager({ 'mivia/jwt': '{"token":"leaky-value"}' });
    const read = createSecretReader({ client });

    await expect(
      read('supabase_jwt_secret', { ...noSources, supabaseJwtSecretSecretId: 'mivia/jwt' }),
    ).rejects.toThrow(expect.objectContaining({ message: expect.not.stringContaining('leaky-value') }));
  });
});

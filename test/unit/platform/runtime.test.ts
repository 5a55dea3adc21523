import { describe, expect, it } from '@jest/globals';

// The runtime reads its configuration from the environment once; nothing here connects.
process.env.DATABASE_URL = 'postgres://nobody@127.0.0.1:9/none';
process.env.OPENAI_API_KEY = 'test-key-not-real';
const { defaultRuntime } = await import('../../../lambdas/shared/runtime');
const { SECRET_TTL_MS } = await import('../../../lambdas/shared/secrets');

describe('the Lambda runtime', () => {
  it('is reused within the secrets cache lifetime and rebuilt after it, so rotated keys are picked up', async () => {
    // Prepare
    const start = 1_000_000;

    // Act
    const first = await defaultRuntime(() => start);
    const soon = await defaultRuntime(() => start + SECRET_TTL_MS - 1);
    const later = await defaultRuntime(() => start + SECRET_TTL_MS + 1);

    // Assess
    expect(soon).toBe(first);
    expect(later).not.toBe(first);
    expect(later.model).not.toBeNull();
  });
});

import { describe, expect, it } from '@jest/globals';
import { lazyDeps } from '../../../lambdas/shared/runtime/lazy';
import { SECRET_TTL_MS } from '../../../lambdas/shared/secrets';

describe("a Lambda's dependencies", () => {
  it('are reused within the secrets cache lifetime and rebuilt after it, so rotated keys are picked up', async () => {
    // Prepare
    const start = 1_000_000;
    let builds = 0;
    const deps = lazyDeps(async () => ({ build: ++builds }));

    // Act
    const first = await deps(() => start);
    const soon = await deps(() => start + SECRET_TTL_MS - 1);
    const later = await deps(() => start + SECRET_TTL_MS + 1);

    // Assess
    expect(soon).toBe(first);
    expect(later).not.toBe(first);
    expect(later).toEqual({ build: 2 });
  });

  it('are built again after a failed build instead of keeping the failure', async () => {
    let builds = 0;
    const deps = lazyDeps(async () => {
      builds += 1;
      if (builds === 1) throw new Error('Secrets Manager blip');
      return { build: builds };
    });

    await expect(deps(() => 0)).rejects.toThrow('Secrets Manager blip');
    await expect(deps(() => 1)).resolves.toEqual({ build: 2 });
  });
});

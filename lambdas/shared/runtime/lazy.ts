/**
 * A Lambda's dependencies, built at first use and reused by later invocations of the same
 * container, then rebuilt once they are older than the secrets cache: the OpenAI and Supabase
 * clients hold their keys, so a rotated key is picked up within `SECRET_TTL_MS` without
 * recycling containers. A failed build (e.g. a Secrets Manager blip) is retried next time.
 */
import { SECRET_TTL_MS } from '../secrets';

export function lazyDeps<T>(
  build: () => Promise<T>,
  ttlMs = SECRET_TTL_MS,
): (now?: () => number) => Promise<T> {
  let cached: { readonly value: Promise<T>; readonly builtAt: number } | undefined;
  return (now = Date.now) => {
    if (!cached || now() - cached.builtAt > ttlMs) {
      const value = build().catch((error: unknown) => {
        cached = undefined;
        throw error;
      });
      cached = { value, builtAt: now() };
    }
    return cached.value;
  };
}

/**
 * Token checks for the local API: the same verifier as the deployed Lambda authorizer, in
 * HS256 mode with a local secret. The default secret and URL are the Supabase CLI's own
 * local-development defaults (public, local only), so tokens from `supabase start` work too.
 */
import { bearerToken, verifySupabaseToken, type VerifiedUser } from '../lambdas/authorizer/verifier';

export const LOCAL_DEFAULTS = {
  STAGE: 'local',
  SUPABASE_URL: 'http://127.0.0.1:54321',
  SUPABASE_JWT_SECRET: 'super-secret-jwt-token-with-at-least-32-characters-long',
  AUTH_MODE: 'hs256',
} as const;

export function localAuthenticator(env: Readonly<Record<string, string | undefined>>) {
  const secret = env.SUPABASE_JWT_SECRET ?? LOCAL_DEFAULTS.SUPABASE_JWT_SECRET;
  const issuer = `${(env.SUPABASE_URL ?? LOCAL_DEFAULTS.SUPABASE_URL).replace(/\/+$/, '')}/auth/v1`;
  return async (authorization: string | undefined): Promise<VerifiedUser | null> => {
    try {
      return await verifySupabaseToken(bearerToken(authorization), {
        mode: 'hs256',
        issuer,
        audience: env.AUTH_AUDIENCE ?? 'authenticated',
        hs256Secret: async () => secret,
      });
    } catch {
      return null;
    }
  };
}

/**
 * Token checks for the local API: the same verifier as the deployed Lambda authorizer, in
 * HS256 mode with a local secret. The default secret and URL are the Supabase CLI's own
 * local-development defaults (public, local only), so tokens from `supabase start` work too.
 */
import { bearerToken, verifySupabaseToken, type VerifiedUser } from '../lambdas/authorizer/verifier';
import { signDevToken } from '../lambdas/shared/dev-token';

export const LOCAL_DEFAULTS = {
  STAGE: 'local',
  SUPABASE_URL: 'http://127.0.0.1:54321',
  SUPABASE_JWT_SECRET: 'super-secret-jwt-token-with-at-least-32-characters-long',
  AUTH_MODE: 'hs256',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/** The local HS256 secret and issuer: one derivation for signing and for verifying. */
export function localTokenSettings(env: Env): { readonly secret: string; readonly issuer: string } {
  const base = (env.SUPABASE_URL ?? LOCAL_DEFAULTS.SUPABASE_URL).replace(/\/+$/, '');
  return { secret: env.SUPABASE_JWT_SECRET ?? LOCAL_DEFAULTS.SUPABASE_JWT_SECRET, issuer: `${base}/auth/v1` };
}

/** A dev token for `userId` that the local API (with the same `env`) accepts. */
export function signLocalDevToken(env: Env, userId: string): Promise<string> {
  return signDevToken({ userId, ...localTokenSettings(env) });
}

/**
 * Verifies a request's bearer token as the deployed authorizer does; null when it is not
 * valid. `onUser` runs for each verified user before the request goes on: the local API
 * creates a user it has not seen yet there (a dev token for another user is signed offline,
 * so its rows cannot exist before). Its failure is the request's, never a 401.
 */
export function localAuthenticator(
  env: Env,
  options: { readonly onUser?: (userId: string) => Promise<void> } = {},
) {
  const { secret, issuer } = localTokenSettings(env);
  return async (authorization: string | undefined): Promise<VerifiedUser | null> => {
    let user: VerifiedUser;
    try {
      user = await verifySupabaseToken(bearerToken(authorization), {
        mode: 'hs256',
        issuer,
        audience: env.AUTH_AUDIENCE ?? 'authenticated',
        hs256Secret: async () => secret,
      });
    } catch {
      return null;
    }
    await options.onUser?.(user.userId);
    return user;
  };
}

/**
 * Verifies a Supabase access token, independent of Lambda: the authorizer and the local
 * server both call `verifySupabaseToken`.
 *
 * Two key types, never mixed: asymmetric keys from the project's JWKS (ES256, RS256) and
 * the legacy shared secret (HS256). The token's `alg` header picks the key source, and each
 * source is verified with its own explicit algorithm list, so an HS256 token is never
 * checked against a public key (algorithm confusion) and `alg: none` matches no source.
 */
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AppConfig } from '../shared/config';
import { getSecret } from '../shared/secrets';

export type AuthMode = 'jwks' | 'hs256' | 'both';

/** Algorithms accepted from the JWKS (Supabase's asymmetric signing keys). */
export const JWKS_ALGORITHMS = ['ES256', 'RS256'] as const;
/** Algorithms accepted with the legacy shared secret. */
export const SECRET_ALGORITHMS = ['HS256'] as const;

/** Supabase's role for a signed-in user (`anon` and `service_role` keys are not users). */
export const USER_ROLE = 'authenticated';

const DEFAULT_CLOCK_TOLERANCE_SECONDS = 10;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface VerifierConfig {
  readonly mode: AuthMode;
  /** `<SUPABASE_URL>/auth/v1` */
  readonly issuer: string;
  /** `authenticated` */
  readonly audience: string;
  /** The JWKS key getter (`createRemoteJWKSet` in production, `createLocalJWKSet` in tests). */
  readonly jwks?: JWTVerifyGetKey;
  /** The legacy HS256 secret (from Secrets Manager, cached there). */
  readonly hs256Secret?: () => Promise<string | undefined>;
  readonly clockToleranceSeconds?: number;
}

export interface VerifiedUser {
  /** The token's `sub`, lower-cased. */
  readonly userId: string;
  readonly role: string;
  /** Supabase's `is_anonymous` claim: an anonymous sign-in, not a registered user. */
  readonly anonymous: boolean;
}

export type TokenRejection =
  | 'missing'
  | 'malformed'
  | 'algorithm_not_allowed'
  | 'no_key'
  | 'bad_signature'
  | 'expired'
  | 'claims'
  | 'verifier_unavailable';

/** Why a token was refused (for logs; the client only ever sees 401). */
export class TokenRejectedError extends Error {
  constructor(
    readonly reason: TokenRejection,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TokenRejectedError';
  }
}

/** The token of an `Authorization: Bearer <token>` header value, or undefined. */
export function bearerToken(header: string | null | undefined): string | undefined {
  const match = /^Bearer[ \t]+([A-Za-z0-9_\-.]+)[ \t]*$/i.exec(header ?? '');
  return match?.[1];
}

function rejectionOf(error: unknown): TokenRejectedError {
  if (error instanceof TokenRejectedError) return error;
  if (error instanceof errors.JWTExpired)
    return new TokenRejectedError('expired', 'token expired', { cause: error });
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new TokenRejectedError('claims', `claim check failed: ${error.claim}`, { cause: error });
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new TokenRejectedError('algorithm_not_allowed', 'algorithm not allowed', { cause: error });
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new TokenRejectedError('bad_signature', 'signature verification failed', { cause: error });
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new TokenRejectedError('no_key', 'no matching key in the JWKS', { cause: error });
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return new TokenRejectedError('verifier_unavailable', 'the JWKS could not be loaded', { cause: error });
  }
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JWKInvalid
  ) {
    return new TokenRejectedError('malformed', `token refused: ${error.code}`, { cause: error });
  }
  return new TokenRejectedError('verifier_unavailable', 'token could not be verified', { cause: error });
}

/**
 * Verifies signature, issuer, audience, expiry (with a small clock tolerance), `sub` (a
 * UUID) and `role` (`authenticated`). Resolves the user or throws `TokenRejectedError`.
 */
export async function verifySupabaseToken(
  token: string | undefined,
  cfg: VerifierConfig,
): Promise<VerifiedUser> {
  try {
    if (!token) throw new TokenRejectedError('missing', 'no token');
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch (error) {
      throw new TokenRejectedError('malformed', 'token header is not readable', { cause: error });
    }
    const options = {
      issuer: cfg.issuer,
      audience: cfg.audience,
      clockTolerance: cfg.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['sub', 'exp', 'role'],
    };

    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    if ((JWKS_ALGORITHMS as readonly string[]).includes(alg ?? '') && cfg.mode !== 'hs256') {
      if (!cfg.jwks) throw new TokenRejectedError('verifier_unavailable', 'no JWKS configured');
      ({ payload } = await jwtVerify(token, cfg.jwks, { ...options, algorithms: [...JWKS_ALGORITHMS] }));
    } else if ((SECRET_ALGORITHMS as readonly string[]).includes(alg ?? '') && cfg.mode !== 'jwks') {
      const secret = await cfg.hs256Secret?.();
      if (!secret) throw new TokenRejectedError('verifier_unavailable', 'no HS256 secret configured');
      const key = new TextEncoder().encode(secret);
      ({ payload } = await jwtVerify(token, key, { ...options, algorithms: [...SECRET_ALGORITHMS] }));
    } else {
      throw new TokenRejectedError(
        'algorithm_not_allowed',
        `algorithm ${String(alg)} not allowed in mode ${cfg.mode}`,
      );
    }

    const { sub, role } = payload;
    if (typeof sub !== 'string' || !UUID.test(sub))
      throw new TokenRejectedError('claims', 'sub is not a user id');
    if (role !== USER_ROLE) throw new TokenRejectedError('claims', 'role is not authenticated');
    return { userId: sub.toLowerCase(), role, anonymous: payload.is_anonymous === true };
  } catch (error) {
    throw rejectionOf(error);
  }
}

/** How long a fetched JWKS is trusted, and the minimum time between refetches on unknown `kid`s. */
export const JWKS_CACHE_MAX_AGE_MS = 10 * 60 * 1000;
export const JWKS_COOLDOWN_MS = 30 * 1000;
const JWKS_TIMEOUT_MS = 3 * 1000;

const remoteKeySets = new Map<string, JWTVerifyGetKey>();

/** One remote JWKS per URL per container, so its cache survives across invocations. */
export function remoteJwks(url: string): JWTVerifyGetKey {
  let keySet = remoteKeySets.get(url);
  if (!keySet) {
    keySet = createRemoteJWKSet(new URL(url), {
      cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
      cooldownDuration: JWKS_COOLDOWN_MS,
      timeoutDuration: JWKS_TIMEOUT_MS,
    });
    remoteKeySets.set(url, keySet);
  }
  return keySet;
}

/** The verifier settings for the deployed (or local) configuration. */
export function verifierConfigFrom(cfg: AppConfig, readSecret: typeof getSecret = getSecret): VerifierConfig {
  if (!cfg.authIssuer) throw new Error('AUTH_ISSUER (or SUPABASE_URL) is required to verify tokens');
  if (cfg.authMode !== 'hs256' && !cfg.authJwksUrl) {
    throw new Error(`AUTH_MODE ${cfg.authMode} needs AUTH_JWKS_URL (or SUPABASE_URL)`);
  }
  return {
    mode: cfg.authMode,
    issuer: cfg.authIssuer,
    audience: cfg.authAudience,
    jwks: cfg.authMode !== 'hs256' && cfg.authJwksUrl ? remoteJwks(cfg.authJwksUrl) : undefined,
    hs256Secret: cfg.authMode !== 'jwks' ? () => readSecret('supabase_jwt_secret', cfg) : undefined,
  };
}

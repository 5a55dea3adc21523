/**
 * Signs an HS256 access token shaped like Supabase's (`sub`, `role`, `aud`, `iss`), for
 * local mode and tests only: the deployed API accepts it only if the legacy JWT secret it
 * was signed with is configured there.
 */
import { SignJWT } from 'jose';

export interface DevTokenOptions {
  readonly userId: string;
  readonly secret: string;
  /** `<SUPABASE_URL>/auth/v1`, as the verifier expects. */
  readonly issuer: string;
  readonly audience?: string;
  readonly ttlSeconds?: number;
  readonly email?: string;
}

export async function signDevToken(options: DevTokenOptions): Promise<string> {
  const { userId, secret, issuer, audience = 'authenticated', ttlSeconds = 3600 * 12 } = options;
  return new SignJWT({ role: 'authenticated', ...(options.email ? { email: options.email } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(new TextEncoder().encode(secret));
}

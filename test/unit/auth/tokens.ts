/** Keys and Supabase-shaped access tokens for the verifier tests. */
import { randomUUID } from 'node:crypto';
import {
  SignJWT,
  base64url,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';

export const ISSUER = 'https://abcdefghijklmnop.supabase.co/auth/v1';
export const AUDIENCE = 'authenticated';
export const HS256_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';
export const USER_ID = '3f1c2b7a-9d4e-4c21-8a6f-1b2c3d4e5f60';

export interface SigningKey {
  readonly alg: 'ES256' | 'RS256';
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly publicKey: CryptoKey;
}

export async function signingKey(alg: 'ES256' | 'RS256', kid = randomUUID()): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicKey, publicJwk };
}

export function localJwks(...keys: SigningKey[]) {
  return createLocalJWKSet({ keys: keys.map((k) => k.publicJwk) });
}

export function supabaseClaims(overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: USER_ID,
    role: 'authenticated',
    email: 'ada@example.com',
    aal: 'aal1',
    session_id: randomUUID(),
    is_anonymous: false,
    iat: now,
    exp: now + 3600,
    ...overrides,
  };
}

/** Removes claims whose override is `undefined` (SignJWT would keep the key). */
function compact(claims: JWTPayload): JWTPayload {
  return Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
}

export async function signWithKey(
  key: SigningKey,
  overrides: JWTPayload = {},
  kid = key.kid,
): Promise<string> {
  return new SignJWT(compact(supabaseClaims(overrides)))
    .setProtectedHeader({ alg: key.alg, kid, typ: 'JWT' })
    .sign(key.privateKey);
}

export async function signWithSecret(
  secret: string | Uint8Array,
  overrides: JWTPayload = {},
): Promise<string> {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  return new SignJWT(compact(supabaseClaims(overrides)))
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(bytes);
}

/** An unsigned token (`alg: none`), as an attacker would craft it. */
export function unsignedToken(overrides: JWTPayload = {}): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(supabaseClaims(overrides))}.`;
}

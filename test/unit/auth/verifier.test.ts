import { describe, expect, it } from '@jest/globals';
import { exportSPKI } from 'jose';
import { signDevToken } from '../../../lambdas/shared/dev-token';
import {
  TokenRejectedError,
  bearerToken,
  verifySupabaseToken,
  type TokenRejection,
  type VerifierConfig,
} from '../../../lambdas/authorizer/verifier';
import {
  AUDIENCE,
  HS256_SECRET,
  ISSUER,
  USER_ID,
  localJwks,
  signWithKey,
  signWithSecret,
  signingKey,
  unsignedToken,
} from './tokens';

const es256 = await signingKey('ES256');
const rs256 = await signingKey('RS256');

function verifierConfig(overrides: Partial<VerifierConfig> = {}): VerifierConfig {
  return {
    mode: 'both',
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: localJwks(es256, rs256),
    hs256Secret: async () => HS256_SECRET,
    ...overrides,
  };
}

/** The reason a token is refused (fails the test if it is accepted). */
async function rejectionOf(token: string | undefined, cfg = verifierConfig()): Promise<TokenRejection> {
  try {
    await verifySupabaseToken(token, cfg);
  } catch (error) {
    if (error instanceof TokenRejectedError) return error.reason;
    throw error;
  }
  throw new Error('the token was accepted');
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('verifySupabaseToken', () => {
  it('accepts an ES256 token signed by a key in the JWKS', async () => {
    const token = await signWithKey(es256);

    await expect(verifySupabaseToken(token, verifierConfig())).resolves.toEqual({
      userId: USER_ID,
      role: 'authenticated',
      anonymous: false,
    });
  });

  it('accepts an RS256 token signed by a key in the JWKS', async () => {
    const token = await signWithKey(rs256);

    await expect(verifySupabaseToken(token, verifierConfig())).resolves.toMatchObject({ userId: USER_ID });
  });

  it('accepts an HS256 token signed with the legacy secret', async () => {
    const token = await signWithSecret(HS256_SECRET);

    await expect(verifySupabaseToken(token, verifierConfig())).resolves.toMatchObject({ userId: USER_ID });
  });

  it('accepts the dev token signed for local mode', async () => {
    const token = await signDevToken({ userId: USER_ID, secret: HS256_SECRET, issuer: ISSUER });

    await expect(
      verifySupabaseToken(token, verifierConfig({ mode: 'hs256', jwks: undefined })),
    ).resolves.toEqual({
      userId: USER_ID,
      role: 'authenticated',
      anonymous: false,
    });
  });

  it('refuses an expired token', async () => {
    const token = await signWithKey(es256, { iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 });

    expect(await rejectionOf(token)).toBe('expired');
  });

  it('tolerates a few seconds of clock skew on expiry', async () => {
    const token = await signWithKey(es256, { exp: nowSeconds() - 3 });

    await expect(verifySupabaseToken(token, verifierConfig())).resolves.toMatchObject({ userId: USER_ID });
  });

  it('refuses a token from another issuer', async () => {
    const token = await signWithKey(es256, { iss: 'https://someone-else.supabase.co/auth/v1' });

    expect(await rejectionOf(token)).toBe('claims');
  });

  it('refuses a token for another audience', async () => {
    const token = await signWithKey(es256, { aud: 'anon' });

    expect(await rejectionOf(token)).toBe('claims');
  });

  it('refuses an unsigned token (alg none)', async () => {
    expect(await rejectionOf(unsignedToken())).toBe('algorithm_not_allowed');
  });

  it('refuses an HS256 token signed with the RSA public key as the secret (algorithm confusion)', async () => {
    // Prepare: the attacker knows the public key (it is in the JWKS) and uses its PEM as an HMAC key.
    const publicPem = await exportSPKI(rs256.publicKey);
    const forged = await signWithSecret(publicPem);

    // Act
    const withSecret = await rejectionOf(forged);
    const jwksOnly = await rejectionOf(forged, verifierConfig({ mode: 'jwks', hs256Secret: undefined }));

    // Assess
    expect(withSecret).toBe('bad_signature');
    expect(jwksOnly).toBe('algorithm_not_allowed');
  });

  it('refuses an HS256 token when only JWKS keys are allowed, even if the secret is right', async () => {
    const token = await signWithSecret(HS256_SECRET);

    expect(await rejectionOf(token, verifierConfig({ mode: 'jwks' }))).toBe('algorithm_not_allowed');
  });

  it('refuses an ES256 token when only the HS256 secret is allowed', async () => {
    const token = await signWithKey(es256);

    expect(await rejectionOf(token, verifierConfig({ mode: 'hs256' }))).toBe('algorithm_not_allowed');
  });

  it('refuses a token signed by a key that is not in the JWKS, even under a known kid', async () => {
    // Prepare
    const stranger = await signingKey('ES256');

    // Act
    const unknownKid = await rejectionOf(await signWithKey(stranger));
    const stolenKid = await rejectionOf(await signWithKey(stranger, {}, es256.kid));

    // Assess
    expect(unknownKid).toBe('no_key');
    expect(stolenKid).toBe('bad_signature');
  });

  it('refuses an HS256 token signed with a different secret', async () => {
    const token = await signWithSecret('another-projects-secret-that-is-long-enough!!');

    expect(await rejectionOf(token)).toBe('bad_signature');
  });

  it('refuses malformed tokens', async () => {
    const valid = await signWithKey(es256);
    const [header, payload] = valid.split('.');

    expect(await rejectionOf('not-a-jwt')).toBe('malformed');
    expect(await rejectionOf('a.b.c')).toBe('malformed');
    expect(await rejectionOf(`${header}.${payload}`)).toBe('malformed');
    expect(await rejectionOf(`${Buffer.from('{not json').toString('base64url')}.${payload}.c2ln`)).toBe(
      'malformed',
    );
    expect(await rejectionOf(undefined)).toBe('missing');
  });

  it('refuses a token without sub', async () => {
    const token = await signWithKey(es256, { sub: undefined });

    expect(await rejectionOf(token)).toBe('claims');
  });

  it('refuses a token whose sub is not a user id', async () => {
    const token = await signWithKey(es256, { sub: 'service-account' });

    expect(await rejectionOf(token)).toBe('claims');
  });

  it('refuses a token whose role is not authenticated (anon or service_role keys)', async () => {
    const anon = await signWithKey(es256, { role: 'anon' });
    const serviceRole = await signWithSecret(HS256_SECRET, { role: 'service_role' });

    expect(await rejectionOf(anon)).toBe('claims');
    expect(await rejectionOf(serviceRole)).toBe('claims');
  });

  it('reports an unavailable secret as a verifier problem, not a bad token', async () => {
    const token = await signWithSecret(HS256_SECRET);

    expect(await rejectionOf(token, verifierConfig({ hs256Secret: async () => undefined }))).toBe(
      'verifier_unavailable',
    );
  });
});

describe('bearerToken', () => {
  it('extracts the token of a Bearer authorization header', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc.def.ghi')).toBe('abc.def.ghi');
  });

  it('returns undefined for other schemes and empty values', () => {
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerToken('abc.def.ghi')).toBeUndefined();
    expect(bearerToken('Bearer ')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

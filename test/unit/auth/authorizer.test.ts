import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VerifierConfig } from '../../../lambdas/authorizer/verifier';
import { lambdaContext, tokenAuthorizerEvent } from '../platform/fixtures';
import {
  AUDIENCE,
  HS256_SECRET,
  ISSUER,
  USER_ID,
  signWithKey,
  signWithSecret,
  signingKey,
  type SigningKey,
} from './tokens';

// The deployed handler reads its configuration from the environment at first use.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.SUPABASE_URL = 'https://abcdefghijklmnop.supabase.co';
process.env.SUPABASE_JWT_SECRET = HS256_SECRET;
const { allowPolicy, createAuthorizer, handler, stageWildcardArn } =
  await import('../../../lambdas/authorizer/handler');
const { remoteJwks } = await import('../../../lambdas/authorizer/verifier');

const METHOD_ARN =
  'arn:aws:execute-api:eu-west-1:123456789012:abc123defg/prod/POST/functions/v1/openai-chat-completion';
const STAGE_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123defg/prod/*/*';

let server: Server;
let jwksUrl: string;
let es256: SigningKey;
let jwksRequests = 0;

beforeAll(async () => {
  es256 = await signingKey('ES256');
  // The project's JWKS endpoint, as Supabase serves it.
  server = createServer((req, res) => {
    jwksRequests += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [es256.publicJwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth/v1/.well-known/jwks.json`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function jwksVerifier(): VerifierConfig {
  return { mode: 'jwks', issuer: ISSUER, audience: AUDIENCE, jwks: remoteJwks(jwksUrl) };
}

describe('authorizer', () => {
  it('allows a valid token for every route of the stage, with the user in the context', async () => {
    // Prepare
    const authorize = createAuthorizer(jwksVerifier);
    const token = await signWithKey(es256);

    // Act
    const result = await authorize(tokenAuthorizerEvent(`Bearer ${token}`));

    // Assess
    expect(result).toEqual({
      principalId: USER_ID,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: STAGE_ARN }],
      },
      context: { userId: USER_ID, role: 'authenticated', anonymous: false },
    });
  });

  it('fetches the JWKS once and reuses it across invocations', async () => {
    // Prepare: a URL no other test used, so its key set starts cold.
    const url = `${jwksUrl}?container=fresh`;
    const authorize = createAuthorizer(() => ({ ...jwksVerifier(), jwks: remoteJwks(url) }));
    const before = jwksRequests;

    // Act
    await authorize(tokenAuthorizerEvent(`Bearer ${await signWithKey(es256)}`));
    await authorize(tokenAuthorizerEvent(`Bearer ${await signWithKey(es256)}`));
    await authorize(tokenAuthorizerEvent(`Bearer ${await signWithKey(es256)}`));

    // Assess
    expect(jwksRequests - before).toBe(1);
  });

  it("throws exactly Error('Unauthorized') for a refused token", async () => {
    // Prepare
    const authorize = createAuthorizer(jwksVerifier);
    const stranger = await signingKey('ES256');
    const token = await signWithKey(stranger);

    // Act
    const outcome = authorize(tokenAuthorizerEvent(`Bearer ${token}`));

    // Assess
    await expect(outcome).rejects.toThrow(new Error('Unauthorized'));
    await expect(outcome).rejects.toMatchObject({ name: 'Error', message: 'Unauthorized' });
  });

  it("throws Error('Unauthorized') for a header without the Bearer scheme", async () => {
    const authorize = createAuthorizer(jwksVerifier);
    const token = await signWithKey(es256);

    await expect(authorize(tokenAuthorizerEvent(token))).rejects.toThrow(new Error('Unauthorized'));
  });

  it('fails as unavailable, never as Unauthorized, when the JWKS cannot be fetched (API Gateway answers 503, the app keeps its session)', async () => {
    const authorize = createAuthorizer(() => ({
      ...jwksVerifier(),
      jwks: remoteJwks('http://127.0.0.1:9/jwks.json'),
    }));
    const token = await signWithKey(es256);

    const outcome = authorize(tokenAuthorizerEvent(`Bearer ${token}`));

    await expect(outcome).rejects.toMatchObject({ name: 'AuthorizerUnavailableError' });
    await expect(outcome).rejects.not.toThrow('Unauthorized');
  });

  it('fails as unavailable when the HS256 secret cannot be read from Secrets Manager', async () => {
    const authorize = createAuthorizer(() => ({
      mode: 'hs256' as const,
      issuer: ISSUER,
      audience: AUDIENCE,
      hs256Secret: async () => {
        throw new Error('Could not read secret mivia/jwt from Secrets Manager');
      },
    }));
    const token = await signWithSecret(HS256_SECRET);

    await expect(authorize(tokenAuthorizerEvent(`Bearer ${token}`))).rejects.toMatchObject({
      name: 'AuthorizerUnavailableError',
    });
  });

  it('tells the handlers whether the user signed in anonymously', async () => {
    const authorize = createAuthorizer(jwksVerifier);
    const anonymous = await signWithKey(es256, { is_anonymous: true });
    const registered = await signWithKey(es256, { is_anonymous: false });

    expect((await authorize(tokenAuthorizerEvent(`Bearer ${anonymous}`))).context).toMatchObject({
      anonymous: true,
    });
    expect((await authorize(tokenAuthorizerEvent(`Bearer ${registered}`))).context).toMatchObject({
      anonymous: false,
    });
  });

  it('verifies HS256 tokens with the secret from the environment in the deployed handler', async () => {
    // Prepare
    const token = await signWithSecret(HS256_SECRET, { iss: `${process.env.SUPABASE_URL}/auth/v1` });

    // Act
    const allowed = await handler(tokenAuthorizerEvent(`Bearer ${token}`), lambdaContext());
    const refused = handler(
      tokenAuthorizerEvent(`Bearer ${await signWithSecret('wrong-secret-wrong-secret-wrong-secret')}`),
      lambdaContext(),
    );

    // Assess
    expect(allowed.principalId).toBe(USER_ID);
    expect(allowed.context).toEqual({ userId: USER_ID, role: 'authenticated', anonymous: false });
    await expect(refused).rejects.toThrow(new Error('Unauthorized'));
  });
});

describe('stageWildcardArn', () => {
  it('turns a method ARN into the ARN of every method and path of its stage', () => {
    expect(stageWildcardArn(METHOD_ARN)).toBe(STAGE_ARN);
    expect(
      stageWildcardArn(
        'arn:aws-cn:execute-api:cn-north-1:123456789012:api1/dev/GET/functions/v1/openapi.json',
      ),
    ).toBe('arn:aws-cn:execute-api:cn-north-1:123456789012:api1/dev/*/*');
  });

  it('refuses something that is not an execute-api method ARN', () => {
    expect(() => stageWildcardArn('arn:aws:lambda:eu-west-1:123456789012:function:x')).toThrow();
    expect(() =>
      allowPolicy('nonsense', { userId: USER_ID, role: 'authenticated', anonymous: false }),
    ).toThrow();
  });
});

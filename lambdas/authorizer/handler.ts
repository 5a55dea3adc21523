/**
 * The API's Lambda authorizer: verifies the Supabase access token and tells API Gateway
 * who the caller is.
 *
 * Wiring (CDK, `lib/`): a **TOKEN** authorizer (`apigateway.TokenAuthorizer`) with identity
 * source `method.request.header.Authorization`, optionally `validationRegex`
 * `^Bearer [-0-9A-Za-z_.]+$`. Results may be cached (`resultsCacheTtl`): the policy allows
 * every method and resource of the stage (see `stageWildcardArn`), so one cached answer
 * serves all routes; keep the TTL short (≤ 5 min) since a cached Allow outlives the token's
 * `exp` by up to that long. Handlers read the user from `requestContext.authorizer.userId`.
 *
 * Contract with API Gateway: a refused token throws exactly `new Error('Unauthorized')`,
 * which API Gateway answers as 401. A token that cannot be checked right now (the JWKS or
 * Secrets Manager unreachable, a secret not configured) throws anything else, which API
 * Gateway answers as an authorizer failure: 503 `auth_unavailable` with `Retry-After`
 * (`lib/api.ts`), so the app retries instead of signing the user out. Nothing of the token
 * is logged.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { config } from '../shared/config';
import { loggableError, logger } from '../shared/observability';
import {
  TokenRejectedError,
  bearerToken,
  verifierConfigFrom,
  verifySupabaseToken,
  type VerifiedUser,
  type VerifierConfig,
} from './verifier';

/**
 * The ARN that covers every method and path of the API stage the request came in on: from
 * `arn:aws:execute-api:region:account:apiId/stage/GET/a/b`, the same ARN with `GET/a/b`
 * replaced by two wildcards (any method, any path).
 */
export function stageWildcardArn(methodArn: string): string {
  const parts = methodArn.split(':');
  const [apiId, stage] = (parts[5] ?? '').split('/');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'execute-api' || !apiId || !stage) {
    throw new Error('Unexpected methodArn');
  }
  return `${parts.slice(0, 5).join(':')}:${apiId}/${stage}/*/*`;
}

/** The Allow policy for `userId`, with the user in the context the handlers read. */
export function allowPolicy(methodArn: string, user: VerifiedUser) {
  return {
    principalId: user.userId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcardArn(methodArn) }],
    },
    // Context values must be strings, numbers or booleans; the handlers read `anonymous` as either.
    context: { userId: user.userId, role: user.role, anonymous: user.anonymous },
  } satisfies APIGatewayAuthorizerResult;
}

/** Thrown when the token could not be checked now; API Gateway answers 503, never 401. */
export class AuthorizerUnavailableError extends Error {
  constructor() {
    super('The token could not be verified right now');
    this.name = 'AuthorizerUnavailableError';
  }
}

/** The authorizer function; `getVerifierConfig` is injectable for tests. */
export function createAuthorizer(getVerifierConfig: () => VerifierConfig | Promise<VerifierConfig>) {
  return async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    try {
      const user = await verifySupabaseToken(
        bearerToken(event.authorizationToken),
        await getVerifierConfig(),
      );
      return allowPolicy(event.methodArn, user);
    } catch (error) {
      if (error instanceof TokenRejectedError && error.reason !== 'verifier_unavailable') {
        logger.info('token refused', { reason: error.reason, detail: error.message });
        throw new Error('Unauthorized');
      }
      // Not the caller's fault (JWKS or Secrets Manager down, bad configuration).
      logger.error('token could not be verified', { error: loggableError(error) });
      throw new AuthorizerUnavailableError();
    }
  };
}

let verifierConfig: VerifierConfig | undefined;

/** Built at first use from the environment; the remote JWKS inside keeps its cache. */
function defaultVerifierConfig(): VerifierConfig {
  verifierConfig ??= verifierConfigFrom(config());
  return verifierConfig;
}

// No early-timeout response: a timeout is an authorizer failure (503), which is what it is.
export const handler = middy<APIGatewayTokenAuthorizerEvent, APIGatewayAuthorizerResult>(
  createAuthorizer(defaultVerifierConfig),
  { timeoutEarlyInMillis: 0 },
).use(injectLambdaContext(logger, { logEvent: false, resetKeys: true }));

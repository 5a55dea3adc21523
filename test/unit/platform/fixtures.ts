/** JSON event fixtures from `test/events/`, read fresh (so cloned) for every test. */
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEvent, APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';

function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../events/${name}.json`, import.meta.url), 'utf8')) as T;
}

/** A REST proxy event as API Gateway sends it after the authorizer allowed the caller. */
export function proxyEvent(overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return { ...readFixture<APIGatewayProxyEvent>('api-gateway-proxy-event'), ...overrides };
}

export function tokenAuthorizerEvent(token: string): APIGatewayTokenAuthorizerEvent {
  return {
    ...readFixture<APIGatewayTokenAuthorizerEvent>('token-authorizer-event'),
    authorizationToken: token,
  };
}

/** A Lambda context with `remainingMs` left before the function's timeout. */
export function lambdaContext(remainingMs = 30_000): Context {
  const deadline = Date.now() + remainingMs;
  return {
    ...readFixture<Omit<Context, 'getRemainingTimeInMillis' | 'done' | 'fail' | 'succeed'>>('lambda-context'),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

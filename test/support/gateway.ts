/**
 * API Gateway in front of the real handlers, as `lib/api.ts` configures it: the Authorization
 * header checked against the TOKEN authorizer's `validationRegex`, then the real authorizer
 * (`lambdas/authorizer/handler.ts`), whose refusal is the gateway's 401 `unauthorized` and
 * whose failure is its 503 `auth_unavailable`; an allowed caller reaches the route's handler
 * with the authorizer's context, every value a string, as API Gateway passes it on.
 *
 * The gateway's request models are not applied: the handlers must hold without them (the local
 * API has none). Every answer, the gateway's own included, is checked against the OpenAPI
 * document (`contract-check.ts`).
 */
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { ERROR_CODES, type ErrorCode } from '../../lambdas/shared/contract/errors';
import { FUNCTION_TIMEOUT_SECONDS, type Route } from '../../lambdas/shared/contract/routes';
import type { LocalHandlers } from '../../local/handlers';
import { lambdaContext, proxyEvent } from '../../local/lambda-event';
import type { Reply } from './api';
import { checkAnswer } from './contract-check';

/** The TOKEN authorizer's identity validation (`lib/api.ts`): anything else is 401 before it runs. */
export const TOKEN_VALIDATION = /^[Bb]earer [-_.A-Za-z0-9]+$/;

export type Authorizer = (event: APIGatewayTokenAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

/** One request as a client sends it to the stage. */
export interface GatewayRequest {
  readonly route: Route;
  /** Header names as the client spells them (API Gateway matches the identity source case-insensitively). */
  readonly headers?: Readonly<Record<string, string>> | null;
  /** Headers sent more than once; `headers` then holds the last value, as API Gateway does. */
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[]>>;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  /** The path parameters the handler gets; absent or null: none at all. */
  readonly pathParameters?: Readonly<Record<string, string>> | null;
}

export interface Gateway {
  /** Sends the request through the gateway, the authorizer and the route's handler. */
  send(request: GatewayRequest): Promise<Reply>;
}

const STAGE_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123defg/prod';

function headerValue(headers: GatewayRequest['headers'], name: string): string | undefined {
  const found = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return found?.[1];
}

/**
 * A path parameter as it arrives: a URL carries UTF-8 bytes, so text with a lone surrogate
 * (which UTF-8 cannot encode) arrives with U+FFFD in its place, as Node's encoder writes it.
 */
function asSent(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** The path a client calls for `route` with these path parameters. */
function concretePath(route: Route, params: Readonly<Record<string, string>> | null): string {
  return route.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
    encodeURIComponent(asSent(params?.[name] ?? '')),
  );
}

/** A gateway response, shaped as `lib/api.ts` configures it from the error table. */
function gatewayAnswer(code: ErrorCode, requestId: string): Reply {
  const spec = ERROR_CODES[code];
  const retryAfter = 'gatewayRetryAfterSeconds' in spec ? spec.gatewayRetryAfterSeconds : undefined;
  return {
    status: spec.status,
    headers: {
      'content-type': 'application/json',
      'x-request-id': requestId,
      ...(retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }),
    },
    body: {
      error: spec.message,
      code,
      request_id: requestId,
      ...(retryAfter === undefined ? {} : { retry_after_seconds: retryAfter }),
    },
  };
}

/** What the authorizer decided: the context to pass on, or the gateway's own answer. */
async function authorize(
  authorizer: Authorizer,
  request: GatewayRequest,
): Promise<{ readonly context: Record<string, string> } | { readonly refused: ErrorCode }> {
  const header = headerValue(request.headers, 'authorization');
  if (header === undefined || !TOKEN_VALIDATION.test(header)) return { refused: 'unauthorized' };
  const methodArn = `${STAGE_ARN}/${request.route.method.toUpperCase()}${concretePath(request.route, request.pathParameters ?? null)}`;
  try {
    const result = await authorizer({ type: 'TOKEN', authorizationToken: header, methodArn });
    const allowed = result.policyDocument.Statement.every((s) => s.Effect === 'Allow');
    if (!allowed) return { refused: 'forbidden' };
    const context = Object.fromEntries(
      Object.entries(result.context ?? {}).map(([key, value]) => [key, String(value)]),
    );
    return { context: { principalId: result.principalId, ...context } };
  } catch (error) {
    // The authorizer's contract: exactly `Unauthorized` is a refusal, anything else a failure.
    return { refused: (error as Error).message === 'Unauthorized' ? 'unauthorized' : 'auth_unavailable' };
  }
}

function eventFor(request: GatewayRequest, requestId: string, authorizer: Record<string, string> | null) {
  const params =
    request.pathParameters === undefined || request.pathParameters === null
      ? null
      : Object.fromEntries(Object.entries(request.pathParameters).map(([k, v]) => [k, asSent(v)]));
  const event = proxyEvent({
    method: request.route.method.toUpperCase(),
    resource: request.route.path,
    path: concretePath(request.route, params),
    headers: request.headers ?? {},
    body: request.body ?? null,
    pathParameters: params,
    authorizer: null,
    requestId,
  });
  const shaped: APIGatewayProxyEvent = {
    ...event,
    headers: request.headers === null ? (null as never) : event.headers,
    multiValueHeaders: {
      ...event.multiValueHeaders,
      ...Object.fromEntries(Object.entries(request.multiValueHeaders ?? {}).map(([k, v]) => [k, [...v]])),
    },
    isBase64Encoded: request.isBase64Encoded ?? false,
    requestContext: { ...event.requestContext, authorizer: authorizer as never },
  };
  return shaped;
}

/** The stage: the authorizer in front of each JSON route function's handler (streamed routes are not staged here). */
export function gateway(authorizer: Authorizer, handlers: LocalHandlers['json']): Gateway {
  return {
    async send(request) {
      const requestId = randomUUID();
      const { route } = request;
      let context: Record<string, string> | null = null;
      if (route.auth) {
        const decision = await authorize(authorizer, request);
        if ('refused' in decision) return checked(route, gatewayAnswer(decision.refused, requestId));
        context = decision.context;
      }
      const timeoutMs = FUNCTION_TIMEOUT_SECONDS[route.function] * 1000;
      if (route.function === 'chatStream') throw new Error(`${route.operationId} streams: not staged here`);
      const result = await handlers[route.function](
        eventFor(request, requestId, context),
        lambdaContext(timeoutMs, `props-${route.function}`),
      );
      const headers = Object.fromEntries(
        Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
      );
      if (!headers['content-type']?.startsWith('application/json')) {
        throw new Error(`${route.operationId} answered ${result.statusCode} without a JSON content type`);
      }
      return checked(route, {
        status: result.statusCode,
        headers,
        body: JSON.parse(result.body) as Record<string, unknown>,
      });
    },
  };
}

function checked(route: Route, reply: Reply): Reply {
  checkAnswer({
    method: route.method,
    resource: route.path,
    status: reply.status,
    body: reply.body,
    headers: reply.headers,
  });
  return reply;
}

/**
 * Drives the real handlers (middy, Powertools, validation, error mapping) with API Gateway
 * REST proxy events, as the deployed API does after the authorizer has run.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { lambdaContext as localLambdaContext, proxyEvent as localProxyEvent } from '../../local/lambda-event';
import { checkAnswer } from './contract-check';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface EventOptions {
  readonly method?: 'GET' | 'POST';
  readonly resource: string;
  readonly path?: string;
  /** Serialized as JSON unless already a string. */
  readonly body?: unknown;
  /** The authorizer's user; `null` simulates a route reached without the authorizer context. */
  readonly userId: string | null;
  /** An anonymous sign-in (the token's `is_anonymous`), as the authorizer passes it on. */
  readonly anonymous?: boolean;
  readonly headers?: Record<string, string>;
  readonly pathParameters?: Record<string, string>;
}

export function proxyEvent(options: EventOptions): APIGatewayProxyEvent {
  const body =
    options.body === undefined
      ? null
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  return localProxyEvent({
    method: options.method ?? 'POST',
    resource: options.resource,
    path: options.path,
    headers: { 'content-type': 'application/json', ...options.headers },
    body,
    pathParameters: options.pathParameters,
    authorizer:
      options.userId === null
        ? null
        : { userId: options.userId, role: 'authenticated', anonymous: options.anonymous ?? false },
  });
}

export function lambdaContext(timeoutMs = 28_000): Context {
  return localLambdaContext(timeoutMs, 'test-function');
}

export interface Reply<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly headers: Record<string, string>;
}

/** Invokes the handler and checks its answer against the served contract (`contract-check.ts`). */
export async function invoke<T = Record<string, unknown>>(
  handler: ProxyHandler,
  options: EventOptions,
): Promise<Reply<T>> {
  const result = await handler(proxyEvent(options), lambdaContext());
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  const body = JSON.parse(result.body) as T;
  checkAnswer({
    method: options.method ?? 'POST',
    resource: options.resource,
    status: result.statusCode,
    body,
    headers,
  });
  return { status: result.statusCode, body, headers };
}

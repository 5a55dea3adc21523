/**
 * Drives the real handlers (middy, Powertools, validation, error mapping) with API Gateway
 * REST proxy events, as the deployed API does after the authorizer has run.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface EventOptions {
  readonly method?: 'GET' | 'POST';
  readonly resource: string;
  readonly path?: string;
  /** Serialized as JSON unless already a string. */
  readonly body?: unknown;
  /** The authorizer's user; `null` simulates a route reached without the authorizer context. */
  readonly userId: string | null;
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
  const headers = { 'content-type': 'application/json', ...options.headers };
  return {
    resource: options.resource,
    path: options.path ?? options.resource,
    httpMethod: options.method ?? 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: options.pathParameters ?? null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'test',
      stage: 'test',
      requestId: randomUUID(),
      resourceId: 'res',
      resourcePath: options.resource,
      httpMethod: options.method ?? 'POST',
      path: `/test${options.path ?? options.resource}`,
      protocol: 'HTTP/1.1',
      requestTimeEpoch: Date.now(),
      identity: { sourceIp: '127.0.0.1' },
      authorizer:
        options.userId === null
          ? null
          : { principalId: options.userId, userId: options.userId, role: 'authenticated' },
    },
  } as unknown as APIGatewayProxyEvent;
}

export function lambdaContext(timeoutMs = 28_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'test-function',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:test-function',
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/test-function',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  } as Context;
}

export interface Reply<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly headers: Record<string, string>;
}

export async function invoke<T = Record<string, unknown>>(
  handler: ProxyHandler,
  options: EventOptions,
): Promise<Reply<T>> {
  const result = await handler(proxyEvent(options), lambdaContext());
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  return { status: result.statusCode, body: JSON.parse(result.body) as T, headers };
}

/**
 * API Gateway REST proxy events and Lambda contexts, as the deployed API hands them to the
 * handlers after the authorizer ran. Used by the local API and by the tests, so both drive
 * the handlers with the same shape.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

export interface ProxyEventInit {
  readonly method: string;
  readonly resource: string;
  readonly path?: string;
  /** Header names lower-cased. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | null;
  readonly pathParameters?: Readonly<Record<string, string>> | null;
  readonly query?: Readonly<Record<string, string>> | null;
  /** The authorizer's context; null when the route has no authorizer (or it was bypassed). */
  readonly authorizer: {
    readonly userId: string;
    readonly role: string;
    readonly anonymous?: boolean;
  } | null;
  readonly requestId?: string;
  readonly sourceIp?: string;
}

export function proxyEvent(init: ProxyEventInit): APIGatewayProxyEvent {
  const headers = { ...init.headers };
  const path = init.path ?? init.resource;
  const query = init.query && Object.keys(init.query).length > 0 ? { ...init.query } : null;
  return {
    resource: init.resource,
    path,
    httpMethod: init.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: query,
    multiValueQueryStringParameters:
      query && Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])),
    pathParameters:
      init.pathParameters && Object.keys(init.pathParameters).length > 0 ? { ...init.pathParameters } : null,
    stageVariables: null,
    body: init.body ?? null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      stage: 'local',
      requestId: init.requestId ?? randomUUID(),
      resourceId: 'local',
      resourcePath: init.resource,
      httpMethod: init.method,
      path,
      protocol: 'HTTP/1.1',
      requestTimeEpoch: Date.now(),
      identity: { sourceIp: init.sourceIp ?? '127.0.0.1', userAgent: headers['user-agent'] ?? null },
      authorizer: init.authorizer && {
        principalId: init.authorizer.userId,
        userId: init.authorizer.userId,
        role: init.authorizer.role,
        // As API Gateway passes the authorizer's context on: every value a string.
        anonymous: String(init.authorizer.anonymous ?? false),
      },
    },
  } as unknown as APIGatewayProxyEvent;
}

/** A Lambda context whose remaining time counts down from `timeoutMs` (middy's early timeout uses it). */
export function lambdaContext(timeoutMs: number, functionName = 'mivia-local'): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  } as Context;
}

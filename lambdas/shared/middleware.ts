/**
 * The HTTP edge every API handler stands on. `httpRoute` wraps a plain async function in
 * middy with Powertools (logger context, EMF metrics) and does, once and for all
 * routes: body size limit, JSON parsing, zod validation of body and path parameters, the
 * authenticated user (from the authorizer's context only), the `user_id` compatibility
 * check, the abort signal, and the mapping of every error to the JSON error body.
 */
import { randomUUID } from 'node:crypto';
import middy, { type MiddlewareObj } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { z } from 'zod';
import { ERROR_CODES } from './contract/errors';
import type { Route } from './contract/routes';
import { MAX_BODY_BYTES } from './contract/schemas';
import { unstorableTextIn } from './contract/text';
import { AppError, appError } from './errors';
import { MetricName, loggableError, logger, metrics } from './observability';

/** What a route's function receives: validated input and the caller's identity. */
export interface HttpRequest<B, P = Record<string, string>, H = Record<string, never>> {
  readonly body: B;
  readonly params: P;
  /** The headers the route's `headers` schema names, validated (names as the schema spells them). */
  readonly validHeaders: H;
  /** The token's `sub`, from the authorizer. Empty only on routes with `auth: false`. */
  readonly userId: string;
  /** An anonymous sign-in (the token's `is_anonymous`), from the authorizer. */
  readonly anonymous: boolean;
  /** API Gateway's request id (also in every response as `x-request-id`). */
  readonly requestId: string;
  /** Request headers, names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  /** Aborted shortly before the Lambda times out; pass it to every outbound call. */
  readonly signal: AbortSignal;
}

/** What a route's function returns; `body` is serialized as JSON. */
export interface HttpResult {
  readonly statusCode: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

export interface HttpRouteOptions<
  BS extends z.ZodType | undefined,
  PS extends z.ZodType | undefined,
  HS extends z.ZodObject | undefined = undefined,
> {
  /** Route name for logs (the contract's operation id, e.g. `sendChatMessage`). */
  readonly name: string;
  /** Schema of the JSON body. Without one the body is ignored. A missing body validates as `{}`. */
  readonly body?: BS;
  /** Schema of the path parameters. */
  readonly params?: PS;
  /** Schema of the headers the route reads; matched case-insensitively. */
  readonly headers?: HS;
  /** Whether the authorizer's user is required (default true). */
  readonly auth?: boolean;
  /**
   * How long before the Lambda's timeout the abort signal fires and the request is
   * answered 503 (default 1000 ms): time to release claims, flush logs and metrics.
   */
  readonly timeoutEarlyInMillis?: number;
}

export type BodyOf<BS> = BS extends z.ZodType ? z.output<BS> : undefined;
export type ParamsOf<PS> = PS extends z.ZodType ? z.output<PS> : Record<string, string>;
export type HeadersOf<HS> = HS extends z.ZodType ? z.output<HS> : Record<string, never>;

type Schema<T> = T extends z.ZodType ? T : undefined;

/** The options of a contract route (`contract/routes.ts`), its schemas' types kept. */
export function routeOptions<R extends Route>(
  route: R,
): HttpRouteOptions<
  Schema<R extends { requestBody: { schema: infer B } } ? B : undefined>,
  Schema<R extends { params: infer P } ? P : undefined>,
  Schema<R extends { headers: infer H } ? H : undefined> & (z.ZodObject | undefined)
> {
  return {
    name: route.operationId,
    auth: route.auth,
    ...(route.requestBody ? { body: route.requestBody.schema } : {}),
    ...(route.params ? { params: route.params } : {}),
    ...(route.headers ? { headers: route.headers } : {}),
  } as never;
}

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const DEFAULT_TIMEOUT_EARLY_MS = 1_000;

const BASE_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' } as const;

/**
 * A JSON API Gateway proxy response. For handlers that do not use `httpRoute`; inside
 * `httpRoute` return `{ statusCode, body }` and let the route serialize it.
 */
export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...BASE_HEADERS, ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

/** API Gateway's request id, else Lambda's, else a fresh one (never empty). */
export function requestIdOf(
  event: Partial<APIGatewayProxyEvent> | undefined,
  context: Partial<Context> | undefined,
): string {
  return event?.requestContext?.requestId || context?.awsRequestId || randomUUID();
}

function lowerCaseHeaders(
  headers: APIGatewayProxyEvent['headers'] | null | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') out[name.toLowerCase()] = value;
  }
  return out;
}

/** The user id the authorizer put in its context. Nothing else (headers, body) is trusted. */
function authorizedUserId(event: APIGatewayProxyEvent): string | undefined {
  const value: unknown = event.requestContext?.authorizer?.userId;
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** API Gateway hands the authorizer's boolean context values over as strings. */
function authorizedAnonymous(event: APIGatewayProxyEvent): boolean {
  const value: unknown = event.requestContext?.authorizer?.anonymous;
  return value === true || value === 'true';
}

function rawBody(event: APIGatewayProxyEvent): string {
  if (event.body === null || event.body === undefined) return '';
  const buffer = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (buffer.byteLength > MAX_BODY_BYTES) throw appError('payload_too_large');
  return buffer.toString('utf8');
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw appError('invalid_json', { cause: error });
  }
}

/** One zod issue, as sent to the client. */
export interface ValidationIssue {
  readonly location: 'body' | 'params' | 'headers';
  readonly path: string;
  readonly message: string;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, '');
}

function validate<S extends z.ZodType>(
  schema: S,
  input: unknown,
  location: ValidationIssue['location'],
): z.output<S> {
  // Text the database would refuse is refused here first, whatever the schema says of it.
  const unstorable = unstorableTextIn(input);
  if (unstorable.length > 0) throw invalid(unstorable.map((i) => ({ location, ...i })));
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw invalid(
    result.error.issues.map((issue) => ({ location, path: formatPath(issue.path), message: issue.message })),
    result.error,
  );
}

function invalid(issues: readonly ValidationIssue[], cause?: unknown) {
  const message = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return appError('validation_failed', { ...(message ? { message } : {}), cause, details: { issues } });
}

/** The body's legacy `user_id`, if it sent one, must be the token's user (UUIDs compare case-insensitively). */
function assertSameUser(parsed: unknown, userId: string): void {
  if (typeof parsed !== 'object' || parsed === null || !('user_id' in parsed)) return;
  const claimed = (parsed as { user_id?: unknown }).user_id;
  if (typeof claimed !== 'string' || claimed === '') return;
  if (claimed.toLowerCase() !== userId.toLowerCase()) {
    throw appError('user_mismatch');
  }
}

function withRequestId(result: HttpResult, requestId: string): APIGatewayProxyResult {
  return json(result.statusCode, result.body, { ...result.headers, 'x-request-id': requestId });
}

/**
 * The JSON error response for any thrown value. 5xx bodies never carry internals: their
 * message is the contract's text for the code, whatever the raiser said (that is logged).
 */
export function errorResponse(error: unknown, requestId: string): APIGatewayProxyResult {
  const known = error instanceof AppError ? error : appError('internal_error', { cause: error });
  const headers: Record<string, string> = { 'x-request-id': requestId };
  const retryAfter =
    known.retryAfterSeconds === undefined ? undefined : Math.max(0, Math.ceil(known.retryAfterSeconds));
  if (retryAfter !== undefined) headers['Retry-After'] = String(retryAfter);
  const body = {
    ...(known.expose || known.status === 503 || known.status === 429 ? known.details : undefined),
    error: known.expose ? known.message : ERROR_CODES[known.code].message,
    code: known.code,
    request_id: requestId,
    // Also in the body: supabase-swift's FunctionsError drops response headers.
    ...(retryAfter === undefined ? {} : { retry_after_seconds: retryAfter }),
  };
  return json(known.status, body, headers);
}

/** Logs the request's ids on every line of the invocation (keys reset by `injectLambdaContext`). */
function requestLogKeys(route: string): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    before(request) {
      logger.appendKeys({ route, request_id: requestIdOf(request.event, request.context) });
    },
  };
}

/** Registered last so its `onError` runs first: turns any error into the response, lets the others still run. */
function errorMapper(route: string): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError(request) {
      if (request.response !== undefined && request.response !== null) return;
      const error = request.error;
      const requestId = requestIdOf(request.event, request.context);
      const response = errorResponse(error, requestId);
      if (response.statusCode >= 500) {
        metrics.addMetric(MetricName.ServerErrors, MetricUnit.Count, 1);
        logger.error('request failed', { route, status: response.statusCode, error: loggableError(error) });
      } else {
        const code = error instanceof AppError ? error.code : undefined;
        logger.info('request refused', { route, status: response.statusCode, code });
      }
      request.response = response;
    },
  };
}

/** The abort signal fired and the function did not finish in time: a 503 the client may retry. */
function timeoutEarlyResponse(): never {
  throw appError('request_timeout', { retryAfterSeconds: 2 });
}

/** The route's headers, by the names its schema spells, read case-insensitively. */
function namedHeaders(
  schema: z.ZodObject,
  headers: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = headers[name.toLowerCase()];
    // An empty header is no header (proxies and clients send `Name:` with no value).
    if (value !== undefined && value.trim() !== '') out[name] = value;
  }
  return out;
}

/**
 * A Lambda handler for one API Gateway REST proxy route.
 *
 * Order of checks: authorizer user (401), body size (413), JSON (400 `invalid_json`),
 * body schema (400 `validation_failed`), `user_id` in the body (403 `user_mismatch`), path
 * and header schemas (400 `validation_failed`). Every response is JSON with `content-type`
 * and `x-request-id`.
 */
export function httpRoute<
  BS extends z.ZodType | undefined = undefined,
  PS extends z.ZodType | undefined = undefined,
  HS extends z.ZodObject | undefined = undefined,
>(
  options: HttpRouteOptions<BS, PS, HS>,
  fn: (req: HttpRequest<BodyOf<BS>, ParamsOf<PS>, HeadersOf<HS>>) => Promise<HttpResult>,
): ProxyHandler {
  const requireAuth = options.auth ?? true;

  const route = async (
    event: APIGatewayProxyEvent,
    context: Context,
    { signal }: { signal: AbortSignal },
  ): Promise<APIGatewayProxyResult> => {
    const requestId = requestIdOf(event, context);
    const userId = authorizedUserId(event);
    if (requireAuth && userId === undefined) throw appError('unauthorized');

    const text = rawBody(event);
    let body: unknown = undefined;
    if (options.body) {
      const parsed = parseJson(text);
      body = validate(options.body, parsed, 'body');
      if (userId !== undefined) assertSameUser(parsed, userId);
    }
    const rawParams: Record<string, string> = {};
    for (const [k, v] of Object.entries(event.pathParameters ?? {}))
      if (typeof v === 'string') rawParams[k] = v;
    const params: unknown = options.params ? validate(options.params, rawParams, 'params') : rawParams;
    const headers = lowerCaseHeaders(event.headers);
    const validHeaders: unknown = options.headers
      ? validate(options.headers, namedHeaders(options.headers, headers), 'headers')
      : {};

    const result = await fn({
      body: body as BodyOf<BS>,
      params: params as ParamsOf<PS>,
      validHeaders: validHeaders as HeadersOf<HS>,
      userId: userId ?? '',
      anonymous: authorizedAnonymous(event),
      requestId,
      headers,
      signal,
    });
    return withRequestId(result, requestId);
  };

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>(route, {
    timeoutEarlyInMillis: options.timeoutEarlyInMillis ?? DEFAULT_TIMEOUT_EARLY_MS,
    timeoutEarlyResponse,
  })
    .use(injectLambdaContext(logger, { logEvent: false, resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(requestLogKeys(options.name))
    .use(errorMapper(options.name));
}

import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { z } from 'zod';
import { MAX_BODY_BYTES } from '../../../lambdas/shared/contract/schemas';
import { AppError, appError } from '../../../lambdas/shared/errors';
import { lambdaContext, proxyEvent } from './fixtures';

// Quiet logs and no EMF output; both are read when the observability module loads.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
const { httpRoute, json } = await import('../../../lambdas/shared/middleware');
const { logger } = await import('../../../lambdas/shared/observability');

const TOKEN_USER = '3f1c2b7a-9d4e-4c21-8a6f-1b2c3d4e5f60';
const OTHER_USER = '0e6f1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const API_REQUEST_ID = 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef';

const EchoBody = z
  .object({
    message: z.string().trim().min(1, 'message must not be empty'),
    chat_type: z.string().default('general'),
    user_id: z.uuid().nullish(),
  })
  .strict();

type Seen = {
  body?: unknown;
  params?: unknown;
  userId?: string;
  requestId?: string;
  headers?: unknown;
  signal?: AbortSignal;
};

/** A tiny route that records what it was given and answers 200 (or throws what it is told to). */
function echoRoute(options: { fail?: unknown } = {}) {
  const seen: Seen = {};
  const handler = httpRoute({ name: 'echo', body: EchoBody }, async (req) => {
    Object.assign(seen, req);
    if (options.fail !== undefined) throw options.fail;
    return { statusCode: 200, body: { echoed: req.body.message } };
  });
  return { handler, seen };
}

function bodyOf(result: { body: string }): Record<string, unknown> {
  return JSON.parse(result.body) as Record<string, unknown>;
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('httpRoute', () => {
  it('passes the validated body, the user, the request id and lower-cased headers to the route', async () => {
    // Prepare
    const { handler, seen } = echoRoute();

    // Act
    const result = await handler(proxyEvent(), lambdaContext());

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ echoed: 'I keep skipping my evening walk. Any ideas?' });
    expect(seen.body).toEqual({
      message: 'I keep skipping my evening walk. Any ideas?',
      chat_type: 'pillar_health',
    });
    expect(seen.userId).toBe(TOKEN_USER);
    expect(seen.requestId).toBe(API_REQUEST_ID);
    expect(seen.headers).toMatchObject({ 'idempotency-key': '5b0f4d2e-8c1a-4a53-9b7e-2f6d1c0a9e11' });
    expect(seen.signal).toBeInstanceOf(AbortSignal);
  });

  it('answers JSON with content-type and x-request-id', async () => {
    const { handler } = echoRoute();

    const result = await handler(proxyEvent(), lambdaContext());

    expect(result.headers).toMatchObject({
      'content-type': 'application/json',
      'x-request-id': API_REQUEST_ID,
    });
  });

  it('answers 400 invalid_json for a body that is not JSON', async () => {
    // Prepare
    const { handler, seen } = echoRoute();

    // Act
    const result = await handler(proxyEvent({ body: '{"message": "hi"' }), lambdaContext());

    // Assess
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual({
      error: 'The request body is not valid JSON.',
      code: 'invalid_json',
      request_id: API_REQUEST_ID,
    });
    expect(seen.userId).toBeUndefined();
  });

  it('answers 400 validation_failed naming each invalid field', async () => {
    // Prepare
    const { handler } = echoRoute();
    const body = JSON.stringify({ message: '   ', user_id: 'not-a-uuid', extra: true });

    // Act
    const result = await handler(proxyEvent({ body }), lambdaContext());

    // Assess
    expect(result.statusCode).toBe(400);
    const error = bodyOf(result);
    expect(error.code).toBe('validation_failed');
    expect(error.error).toContain('message: message must not be empty');
    expect(error.error).toContain('user_id: ');
    expect(error.error).toContain('extra');
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { location: 'body', path: 'message', message: 'message must not be empty' },
        expect.objectContaining({ location: 'body', path: 'user_id' }),
      ]),
    );
  });

  it.each([
    ['a NUL character', 'a\u0000', 'must not contain the NUL character'],
    ['a lone high surrogate', 'x\ud800', 'unpaired UTF-16 surrogate'],
    ['a lone low surrogate', '\udc00y', 'unpaired UTF-16 surrogate'],
  ])(
    'answers 400 validation_failed naming the field for text with %s, before the route runs',
    async (_what, text, why) => {
      const { handler, seen } = echoRoute();

      // JSON.stringify escapes both as `\u0000` and `\ud800`, as a client's JSON would.
      const result = await handler(proxyEvent({ body: JSON.stringify({ message: text }) }), lambdaContext());

      expect(result.statusCode).toBe(400);
      expect(bodyOf(result)).toMatchObject({
        code: 'validation_failed',
        issues: [{ location: 'body', path: 'message', message: expect.stringContaining(why) }],
      });
      expect(seen.body).toBeUndefined();
    },
  );

  it('accepts a well-formed surrogate pair (an emoji) in text', async () => {
    const { handler } = echoRoute();

    const result = await handler(
      proxyEvent({ body: '{"message":"\ud83d\ude42 better today"}' }),
      lambdaContext(),
    );

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ echoed: '🙂 better today' });
  });

  it('refuses unstorable text in an object key as well', async () => {
    const { handler } = echoRoute();

    const result = await handler(
      proxyEvent({ body: JSON.stringify({ message: 'hi', 'x\u0000': 1 }) }),
      lambdaContext(),
    );

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toMatchObject({ code: 'validation_failed', issues: [{ path: 'x\u0000' }] });
  });

  it('validates path parameters with the route schema', async () => {
    // Prepare
    const handler = httpRoute({ name: 'runs', params: z.object({ run_id: z.uuid() }) }, async (req) => ({
      statusCode: 200,
      body: { run_id: req.params.run_id },
    }));

    // Act
    const bad = await handler(
      proxyEvent({ httpMethod: 'GET', body: null, pathParameters: { run_id: '42' } }),
      lambdaContext(),
    );
    const good = await handler(
      proxyEvent({ httpMethod: 'GET', body: null, pathParameters: { run_id: OTHER_USER } }),
      lambdaContext(),
    );

    // Assess
    expect(bad.statusCode).toBe(400);
    expect(bodyOf(bad)).toMatchObject({
      code: 'validation_failed',
      issues: [expect.objectContaining({ location: 'params', path: 'run_id' })],
    });
    expect(bodyOf(good)).toEqual({ run_id: OTHER_USER });
  });

  it('answers 413 for a body over the size limit without parsing it', async () => {
    const { handler } = echoRoute();
    const body = JSON.stringify({ message: 'x'.repeat(MAX_BODY_BYTES) });

    const result = await handler(proxyEvent({ body }), lambdaContext());

    expect(result.statusCode).toBe(413);
    expect(bodyOf(result)).toMatchObject({ code: 'payload_too_large', request_id: API_REQUEST_ID });
  });

  it('answers 401 when the authorizer put no user in the request context', async () => {
    // Prepare
    const { handler, seen } = echoRoute();
    const event = proxyEvent();
    event.requestContext.authorizer = null;

    // Act
    const result = await handler(event, lambdaContext());

    // Assess
    expect(result.statusCode).toBe(401);
    expect(bodyOf(result)).toMatchObject({ code: 'unauthorized', request_id: API_REQUEST_ID });
    expect(seen.userId).toBeUndefined();
  });

  it('ignores a user id sent in a header: only the authorizer context counts', async () => {
    const { handler } = echoRoute();
    const event = proxyEvent({ headers: { 'content-type': 'application/json', 'x-user-id': TOKEN_USER } });
    event.requestContext.authorizer = { principalId: TOKEN_USER };

    const result = await handler(event, lambdaContext());

    expect(result.statusCode).toBe(401);
  });

  it("answers 403 user_mismatch when the body's user_id is not the token's user", async () => {
    // Prepare
    const { handler, seen } = echoRoute();
    const body = JSON.stringify({ message: 'hello', user_id: OTHER_USER });

    // Act
    const result = await handler(proxyEvent({ body }), lambdaContext());

    // Assess
    expect(result.statusCode).toBe(403);
    expect(bodyOf(result)).toMatchObject({ code: 'user_mismatch', request_id: API_REQUEST_ID });
    expect(seen.userId).toBeUndefined();
  });

  it("accepts the token's own user_id, whatever its letter case", async () => {
    const { handler } = echoRoute();
    const body = JSON.stringify({ message: 'hello', user_id: TOKEN_USER.toUpperCase() });

    const result = await handler(proxyEvent({ body }), lambdaContext());

    expect(result.statusCode).toBe(200);
  });

  it('maps an AppError to its status, code, message, details and Retry-After', async () => {
    // Prepare
    const { handler } = echoRoute({
      fail: appError('budget_exceeded', {
        message: 'You have reached today’s coaching limit.',
        retryAfterSeconds: 3600,
        details: { limit: 'tokens' },
      }),
    });

    // Act
    const result = await handler(proxyEvent(), lambdaContext());

    // Assess
    expect(result.statusCode).toBe(429);
    expect(result.headers).toMatchObject({ 'Retry-After': '3600', 'x-request-id': API_REQUEST_ID });
    expect(bodyOf(result)).toEqual({
      error: 'You have reached today’s coaching limit.',
      code: 'budget_exceeded',
      request_id: API_REQUEST_ID,
      limit: 'tokens',
      retry_after_seconds: 3600,
    });
  });

  it('answers 500 internal_error with a generic body for an unknown error, and logs the error', async () => {
    // Prepare
    const failure = new Error('connect ECONNREFUSED 10.0.3.7:5432 password=hunter2');
    const { handler } = echoRoute({ fail: failure });
    const logged = jest.spyOn(logger, 'error');

    // Act
    const result = await handler(proxyEvent(), lambdaContext());

    // Assess
    expect(result.statusCode).toBe(500);
    expect(bodyOf(result)).toEqual({
      error: 'Something went wrong on our side. Please try again.',
      code: 'internal_error',
      request_id: API_REQUEST_ID,
    });
    expect(result.body).not.toMatch(/ECONNREFUSED|hunter2|stack|at /);
    expect(logged).toHaveBeenCalledWith(
      'request failed',
      expect.objectContaining({
        error: expect.objectContaining({ name: 'Error', message: failure.message }),
        status: 500,
      }),
    );
  });

  it('logs a failing error without the data drivers attach to it (a row with the user message in it)', async () => {
    // Prepare: what node-postgres throws for a violated check, and the store wraps.
    const driverError = Object.assign(
      new Error('new row violates check constraint "journal_ai_chats_variant_check"'),
      {
        code: '23514',
        constraint: 'journal_ai_chats_variant_check',
        detail: 'Failing row contains (I feel hopeless about my marriage).',
        where: 'SQL statement "insert into public.journal_ai_chats …"',
      },
    );
    const failure = new Error('store call failed', { cause: driverError });
    const { handler } = echoRoute({ fail: failure });
    const logged = jest.spyOn(logger, 'error');

    // Act
    await handler(proxyEvent(), lambdaContext());

    // Assess
    const fields = logged.mock.calls.at(-1)?.[1] as { error: Record<string, unknown> };
    // A plain object survives JSON as is: everything it holds is what the log line shows.
    expect(fields.error).not.toBeInstanceOf(Error);
    expect(JSON.parse(JSON.stringify(fields.error))).toEqual(fields.error);
    expect(fields.error).toMatchObject({
      message: 'store call failed',
      cause: { code: '23514', constraint: 'journal_ai_chats_variant_check' },
    });
    expect(JSON.stringify(fields)).not.toMatch(/hopeless|Failing row|insert into/);
  });

  it('never exposes the message or cause of a 5xx AppError beyond its own safe text', async () => {
    const { handler } = echoRoute({
      fail: new AppError('database_unavailable', {
        message: 'The database is unavailable: pg: too many clients',
        cause: new Error('pg: too many clients'),
      }),
    });

    const result = await handler(proxyEvent(), lambdaContext());

    expect(result.statusCode).toBe(503);
    expect(result.body).not.toContain('too many clients');
  });

  it("falls back to Lambda's request id when API Gateway sent none", async () => {
    const { handler, seen } = echoRoute();
    const event = proxyEvent();
    event.requestContext.requestId = '';

    const result = await handler(event, lambdaContext());

    expect(seen.requestId).toBe('b3a1f7de-0c6e-4f1e-9f59-5a0c3e7d2a10');
    expect(result.headers).toMatchObject({ 'x-request-id': 'b3a1f7de-0c6e-4f1e-9f59-5a0c3e7d2a10' });
  });

  it('aborts the signal and answers 503 request_timeout shortly before the Lambda times out', async () => {
    // Prepare
    let signal: AbortSignal | undefined;
    const handler = httpRoute({ name: 'slow', timeoutEarlyInMillis: 1_000 }, async (req) => {
      signal = req.signal;
      await new Promise((resolve) => req.signal.addEventListener('abort', resolve));
      return { statusCode: 200, body: {} };
    });

    // Act
    const result = await handler(proxyEvent({ body: null }), lambdaContext(1_050));

    // Assess
    expect(signal?.aborted).toBe(true);
    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'Retry-After': '2' });
    expect(bodyOf(result)).toMatchObject({ code: 'request_timeout', request_id: API_REQUEST_ID });
  });

  it('treats a missing body as an empty JSON object', async () => {
    const handler = httpRoute(
      { name: 'context', body: z.object({ chat_type: z.string().default('general') }) },
      async (req) => ({
        statusCode: 200,
        body: req.body,
      }),
    );

    const result = await handler(proxyEvent({ body: null }), lambdaContext());

    expect(bodyOf(result)).toEqual({ chat_type: 'general' });
  });

  it('serves routes without auth to anonymous callers', async () => {
    const handler = httpRoute({ name: 'openapi', auth: false }, async (req) => ({
      statusCode: 200,
      body: { user: req.userId },
    }));
    const event = proxyEvent({ body: null });
    event.requestContext.authorizer = null;

    const result = await handler(event, lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ user: '' });
  });
});

describe('json', () => {
  it('builds a JSON proxy response', () => {
    expect(json(201, { ok: true }, { etag: '"1"' })).toEqual({
      statusCode: 201,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store', etag: '"1"' },
      body: '{"ok":true}',
    });
  });
});

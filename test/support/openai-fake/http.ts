/** HTTP plumbing: one exchange per request, JSON answers and OpenAI's error bodies, all recorded. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { newId, snapshot, type Json } from './json';
import { later, type State } from './state';
import type { FakeEndpoint, FakeErrorBehaviour, RecordedRequest } from './types';

/** One request and its answer, with what a scripted fault changed about the answer. */
export interface Exchange {
  readonly state: State;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly body: Json;
  /** Do the work, then drop the connection instead of answering (`reset_after_accept`). */
  resetOnAnswer: boolean;
  /** Hold the answer this long (`slow_first_byte` after accepting). */
  answerDelayMs: number;
  /** Cut the answer (`malformed`): JSON halfway, a stream after this many whole events. */
  malformedAfterEvents: number | null;
}

export function newExchange(
  state: State,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Json,
): Exchange {
  return { state, req, res, url, body, resetOnAnswer: false, answerDelayMs: 0, malformedAfterEvents: null };
}

/** Sends `send` now, or after the scripted delay if the client is still there; drops it on a reset. */
export function deliver(ex: Exchange, send: () => void): void {
  if (ex.resetOnAnswer) return void ex.req.socket.destroy();
  if (ex.answerDelayMs <= 0) return send();
  later(ex.state, ex.answerDelayMs, () => {
    if (!ex.req.socket.destroyed) send();
  });
}

/** Answers JSON; the body is recorded with the schema it must satisfy (a malformed one is not). */
export function sendJson(
  ex: Exchange,
  status: number,
  schema: string,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const frozen = snapshot(body);
  deliver(ex, () => {
    const json = JSON.stringify(frozen);
    const text = ex.malformedAfterEvents === null ? json : json.slice(0, Math.floor(json.length / 2));
    if (ex.malformedAfterEvents === null) recordSent(ex, status, 'json', schema, frozen);
    ex.res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-request-id': newId('req'),
      ...headers,
    });
    ex.res.end(text);
  });
}

export function sendError(
  ex: Exchange,
  status: number,
  type: string,
  code: string | null,
  message: string,
  param: string | null = null,
  headers: Record<string, string> = {},
): void {
  sendJson(ex, status, 'ErrorResponse', { error: { message, type, param, code } }, headers);
}

/** A 400 `invalid_request_error`, as the API answers a bad parameter. */
export function badRequest(
  ex: Exchange,
  message: string,
  param: string | null,
  code: string | null = null,
): void {
  sendError(ex, 400, 'invalid_request_error', code, message, param);
}

export function notFound(ex: Exchange, what: string, id: string, param: string | null = null): void {
  sendError(ex, 404, 'invalid_request_error', null, `${what} with id '${id}' not found.`, param);
}

export function sendScriptedError(ex: Exchange, behaviour: FakeErrorBehaviour): void {
  const defaults = errorDefaults(behaviour.status, behaviour.code);
  const headers: Record<string, string> = {};
  if (behaviour.retryAfterMs !== undefined) headers['retry-after-ms'] = String(behaviour.retryAfterMs);
  if (behaviour.retryAfterSeconds !== undefined) headers['retry-after'] = String(behaviour.retryAfterSeconds);
  sendError(
    ex,
    behaviour.status,
    behaviour.type ?? defaults.type,
    behaviour.code === undefined ? defaults.code : behaviour.code,
    behaviour.message ?? defaults.message,
    behaviour.param ?? null,
    headers,
  );
}

/** OpenAI's usual error bodies per status (types and messages as the service sends them). */
function errorDefaults(
  status: number,
  code: string | null | undefined,
): { type: string; code: string | null; message: string } {
  if (code === 'insufficient_quota') {
    return {
      type: 'insufficient_quota',
      code,
      message: 'You exceeded your current quota, please check your plan and billing details.',
    };
  }
  if (status === 429) {
    return {
      type: 'requests',
      code: code ?? 'rate_limit_exceeded',
      message: 'Rate limit reached for requests. Please try again in 1s.',
    };
  }
  if (status === 401)
    return {
      type: 'invalid_request_error',
      code: code ?? 'invalid_api_key',
      message: 'Incorrect API key provided.',
    };
  if (status >= 500) {
    return {
      type: 'server_error',
      code: code ?? null,
      message: 'The server had an error while processing your request. Sorry about that!',
    };
  }
  return { type: 'invalid_request_error', code: code ?? null, message: 'Invalid request.' };
}

export function recordSent(
  ex: Exchange,
  status: number,
  kind: 'json' | 'event',
  schema: string,
  body: unknown,
): void {
  ex.state.sent.push({
    method: ex.req.method ?? 'GET',
    path: ex.url.pathname,
    status,
    kind,
    schema,
    body: snapshot(body),
  });
}

export function recordRequest(
  req: IncomingMessage,
  url: URL,
  body: unknown,
  endpoint: FakeEndpoint | null,
): RecordedRequest {
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { ...req.headers },
    body,
    endpoint,
  };
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

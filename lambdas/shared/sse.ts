/**
 * Server-sent events over the HTTP edge (`./middleware.ts`): a streamed route gets the same
 * checks, refusals and error bodies as a JSON route until its first event, then writes
 * `text/event-stream`; an error after that is an `error` event. Where the bytes go is a
 * `ResponseSink`: Lambda's response stream behind API Gateway, or node:http locally.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { z } from 'zod';
import type { StreamError, StreamEventName } from './contract/stream';
import { appError } from './errors';
import {
  errorResponse,
  httpRoute,
  requestIdOf,
  type BodyOf,
  type HeadersOf,
  type HttpRequest,
  type HttpRouteOptions,
  type ParamsOf,
} from './middleware';
import { MetricName, loggableError, logger, metrics } from './observability';

/** Where a streamed response is written. */
export interface ResponseSink {
  /** Sends the status line and headers; called once, before any write. */
  open(statusCode: number, headers: Readonly<Record<string, string>>): void;
  /** Sends a chunk at once; ignored once the client has gone. */
  write(chunk: string): void;
  end(): Promise<void>;
}

/** A streamed route's Lambda-independent handler: the event, where to write, the context. */
export type StreamingProxyHandler = (
  event: APIGatewayProxyEvent,
  sink: ResponseSink,
  context: Context,
) => Promise<void>;

/** Sends a route's events; the first one opens the stream (200, `text/event-stream`). */
export interface SseWriter {
  send(event: StreamEventName, data: unknown, id?: string): void;
  /** Whether the stream has started (an error is then an `error` event, not a JSON answer). */
  readonly started: boolean;
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
} as const;

/** One event in the wire format: `id:` (optional), `event:`, `data:` (one line of JSON). */
export function sseFrame(event: string, data: unknown, id?: string): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The `error` event for any thrown value: the JSON route's error body, as the event's fields. */
export function streamErrorOf(error: unknown, requestId: string): StreamError {
  const body = JSON.parse(errorResponse(error, requestId).body) as {
    code: string;
    error: string;
    retry_after_seconds?: number;
  };
  return {
    code: body.code,
    message: body.error,
    request_id: requestId,
    ...(body.retry_after_seconds === undefined ? {} : { retry_after_seconds: body.retry_after_seconds }),
  };
}

class Stream implements SseWriter {
  private opened = false;
  private ended = false;

  constructor(
    private readonly sink: ResponseSink,
    private readonly requestId: string,
  ) {}

  get started(): boolean {
    return this.opened;
  }

  send(event: StreamEventName, data: unknown, id?: string): void {
    if (this.ended) return;
    if (!this.opened) {
      this.opened = true;
      this.sink.open(200, { ...SSE_HEADERS, 'x-request-id': this.requestId });
    }
    this.sink.write(sseFrame(event, data, id));
    // After `done` or `error` nothing more is sent (a late write of an aborted turn included).
    if (event === 'done' || event === 'error') this.ended = true;
  }

  fail(error: unknown, route: string): void {
    const data = streamErrorOf(error, this.requestId);
    const status = errorResponse(error, this.requestId).statusCode;
    if (status >= 500) {
      metrics.addMetric(MetricName.ServerErrors, MetricUnit.Count, 1);
      logger.error('stream failed', { route, status, error: loggableError(error) });
    } else {
      logger.info('stream refused', { route, status, code: data.code });
    }
    this.send('error', data);
  }

  /** Ends a stream that has not sent `done` or `error` with the answer the edge gave (its timeout). */
  closeWith(body: string): void {
    if (!this.ended) {
      const answer = JSON.parse(body) as { code: string; error: string; retry_after_seconds?: number };
      this.send('error', {
        code: answer.code,
        message: answer.error,
        request_id: this.requestId,
        ...(answer.retry_after_seconds === undefined
          ? {}
          : { retry_after_seconds: answer.retry_after_seconds }),
      });
    }
  }
}

/** A streamed request: a JSON route's, with the validated query string. */
export type StreamRequest<B, P, H, Q> = HttpRequest<B, P, H> & { readonly query: Q };

export type QueryOf<QS> = QS extends z.ZodObject ? z.output<QS> : Record<string, never>;

interface Invocation {
  readonly event: APIGatewayProxyEvent;
  readonly sink: ResponseSink;
  stream?: Stream;
}

/**
 * A streamed route: `httpRoute`'s checks and error answers (auth, body, params, headers, and
 * here the query string), then `fn` sends events. `fn` may throw before its first event (a
 * JSON refusal, as on the JSON route) or after it (an `error` event).
 */
export function sseRoute<
  BS extends z.ZodType | undefined,
  PS extends z.ZodType | undefined,
  HS extends z.ZodObject | undefined,
  QS extends z.ZodObject | undefined = undefined,
>(
  options: HttpRouteOptions<BS, PS, HS> & { readonly query?: QS },
  fn: (
    req: StreamRequest<BodyOf<BS>, ParamsOf<PS>, HeadersOf<HS>, QueryOf<QS>>,
    sse: SseWriter,
  ) => Promise<void>,
): StreamingProxyHandler {
  // One middy chain for every invocation; each invocation's sink is found by its request id.
  const invocations = new Map<string, Invocation>();
  const route = httpRoute(options, async (req) => {
    const invocation = invocations.get(req.requestId);
    if (!invocation) throw new Error('sseRoute: no sink for this request');
    // After the authorizer's and the body's checks, as a JSON route orders them.
    const query = options.query ? parseQuery(options.query, invocation.event) : {};
    const stream = new Stream(invocation.sink, req.requestId);
    invocation.stream = stream;
    try {
      await fn({ ...req, query } as never, stream);
    } catch (error) {
      if (!stream.started) throw error;
      stream.fail(error, options.name);
    }
    return { statusCode: 200, body: null };
  });

  return async (event, sink, context) => {
    const requestId = requestIdOf(event, context);
    const invocation: Invocation = { event, sink };
    invocations.set(requestId, invocation);
    try {
      const result = await route(event, context);
      if (invocation.stream?.started) {
        // The edge answered while the stream was open: only its early timeout does that.
        if (result.statusCode >= 400) invocation.stream.closeWith(result.body);
      } else {
        sink.open(result.statusCode, result.headers as Record<string, string>);
        sink.write(result.body);
      }
    } finally {
      invocations.delete(requestId);
      await sink.end();
    }
  };
}

function parseQuery(schema: z.ZodObject, event: APIGatewayProxyEvent): unknown {
  const parsed = schema.safeParse(event.queryStringParameters ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    location: 'query',
    path: issue.path.join('.'),
    message: issue.message,
  }));
  throw appError('validation_failed', {
    message: issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '),
    details: { issues },
  });
}

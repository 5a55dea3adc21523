/**
 * The streamed chat's Lambda, behind API Gateway's streamed integration (`lib/api.ts`):
 * `POST /functions/v1/openai-chat-completion/stream` (a message, answered as server-sent
 * events) and `GET /functions/v1/openai-chat-completion/runs/{run_id}/stream` (a run's events,
 * resumed). Lambda's response streaming writes the HTTP status and headers first (the
 * `HttpResponseStream` prelude API Gateway reads), then each event as it is sent.
 */
import type { Writable } from 'node:stream';
import type { APIGatewayProxyEvent, StreamifyHandler } from 'aws-lambda';
import { ROUTES } from '../shared/contract/routes';
import { CHAT_STREAM_FUNCTION_TIMEOUT_SECONDS, CHAT_TIMEOUT_EARLY_MS } from '../shared/contract/timing';
import { config } from '../shared/config';
import { routeOptions } from '../shared/middleware';
import { metricsObserver } from '../shared/observer';
import { policyFromConfig } from '../shared/policy';
import { lazyDeps } from '../shared/runtime/lazy';
import { modelFromConfig } from '../shared/runtime/model';
import { screeningFromConfig } from '../shared/runtime/screening';
import { stepFunctionsPoller } from '../shared/runtime/poller';
import { lambdaStoreCall } from '../shared/runtime/store';
import { sseRoute, type ResponseSink, type StreamingProxyHandler } from '../shared/sse';
import { pollStore } from '../poller/store';
import { runReader } from '../runs/store';
import { countedChat, turnInputOf } from './request';
import { streamChatMessage, streamRun, type StreamChatDeps } from './stream-service';
import { turnStore } from './store';

/**
 * How long a stream follows a long reply: the function's time but for the early answer and
 * room to flush. The handler's abort signal ends it first if the function runs short.
 */
export const STREAM_FOLLOW_MS = CHAT_STREAM_FUNCTION_TIMEOUT_SECONDS * 1000 - 3 * CHAT_TIMEOUT_EARLY_MS;

type Deps = Omit<StreamChatDeps, 'followMs'> & { readonly followMs?: number };

/** Both streamed routes, told apart by API Gateway's `resource` (one function serves them). */
export function createChatStreamHandler(getDeps: () => Promise<Deps>): StreamingProxyHandler {
  const deps = async (): Promise<StreamChatDeps> => {
    const base = await getDeps();
    return { ...base, followMs: base.followMs ?? STREAM_FOLLOW_MS };
  };
  const early = { timeoutEarlyInMillis: CHAT_TIMEOUT_EARLY_MS };
  const send = sseRoute({ ...routeOptions(ROUTES.streamChatMessage), ...early }, (req, sse) =>
    countedChat(req, async () => streamChatMessage(await deps(), turnInputOf(req), sse)),
  );
  const resume = sseRoute(
    { ...routeOptions(ROUTES.resumeChatStream), query: ROUTES.resumeChatStream.query, ...early },
    async (req, sse) => {
      const lastEventId = Number(req.headers['last-event-id']);
      const after = req.query.after ?? (Number.isInteger(lastEventId) ? lastEventId : -1);
      await streamRun(
        await deps(),
        { runId: req.params.run_id, userId: req.userId, after, signal: req.signal },
        sse,
      );
    },
  );
  return (event, sink, context) =>
    event.resource === ROUTES.resumeChatStream.path
      ? resume(event, sink, context)
      : send(event, sink, context);
}

/** A sink over Lambda's response stream: the prelude (status, headers) on open, then the events. */
export function lambdaResponseSink(stream: Writable): ResponseSink {
  let out: Writable = stream;
  // A client that went away is not a failure of the turn: it goes on and is recorded.
  stream.on('error', () => undefined);
  return {
    open(statusCode, headers) {
      out = awslambda.HttpResponseStream.from(stream, { statusCode, headers });
      out.on('error', () => undefined);
    },
    write(chunk) {
      if (!out.destroyed && !out.writableEnded) out.write(chunk);
    },
    end() {
      return new Promise((resolve) => {
        if (out.writableEnded) resolve();
        else out.end(() => resolve());
      });
    },
  };
}

const streamHandler = createChatStreamHandler(
  lazyDeps(async () => {
    const cfg = config();
    const [call, model, screening] = await Promise.all([
      lambdaStoreCall(cfg),
      modelFromConfig(cfg),
      screeningFromConfig(cfg),
    ]);
    return {
      store: { ...turnStore(call), ...runReader(call), ...pollStore(call) },
      model,
      // The same screening as the JSON route: the crisis reply streams like any other.
      ...screening,
      poller: cfg.pollerStateMachineArn ? stepFunctionsPoller(cfg.pollerStateMachineArn) : null,
      policy: policyFromConfig(cfg),
      observer: metricsObserver,
    };
  }),
);

/** The handler as Lambda's response streaming calls it: the event, the response stream, the context. */
const streaming: StreamifyHandler<APIGatewayProxyEvent, void> = (event, responseStream, context) =>
  streamHandler(event, lambdaResponseSink(responseStream), context);

/**
 * The Lambda entry, decorated with the Node.js runtime's `awslambda.streamifyResponse`.
 * Outside that runtime (the bundle probe, where a library may define a partial `awslambda`)
 * it is the undecorated function, so the module still loads.
 */
export const handler =
  typeof globalThis.awslambda?.streamifyResponse === 'function'
    ? awslambda.streamifyResponse(streaming)
    : streaming;

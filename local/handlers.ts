/** Each route function's handler, given the local runtime (every feature's dependencies at once). */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createAiDataHandler } from '../lambdas/ai-data/handler';
import { createChatHandler } from '../lambdas/chat/handler';
import { createChatStreamHandler } from '../lambdas/chat/stream-handler';
import { createContextHandler } from '../lambdas/context/handler';
import { createFeedbackHandler } from '../lambdas/feedback/handler';
import { handler as openapiHandler } from '../lambdas/openapi/handler';
import { createRunsHandler } from '../lambdas/runs/handler';
import { createThreadsHandler } from '../lambdas/threads/handler';
import type { RouteFunction } from '../lambdas/shared/contract/routes';
import type { StreamingProxyHandler } from '../lambdas/shared/sse';
import type { Runtime } from './runtime';

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** The functions that stream their answer (`Route.streams`), and those that answer once. */
export type StreamingFunction = Extract<RouteFunction, 'chatStream'>;

export interface LocalHandlers {
  readonly json: Readonly<Record<Exclude<RouteFunction, StreamingFunction>, ProxyHandler>>;
  readonly streaming: Readonly<Record<StreamingFunction, StreamingProxyHandler>>;
}

export function localHandlers(getRuntime: () => Promise<Runtime>): LocalHandlers {
  return { json: jsonHandlers(getRuntime), streaming: { chatStream: createChatStreamHandler(getRuntime) } };
}

function jsonHandlers(getRuntime: () => Promise<Runtime>): LocalHandlers['json'] {
  return {
    chat: createChatHandler(getRuntime),
    runs: createRunsHandler(getRuntime),
    threads: createThreadsHandler(getRuntime),
    context: createContextHandler(getRuntime),
    feedback: createFeedbackHandler(getRuntime),
    openapi: openapiHandler as ProxyHandler,
    aiData: createAiDataHandler(getRuntime),
  };
}

/** Each route function's handler, given the local runtime (every feature's dependencies at once). */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createAiDataHandler } from '../lambdas/ai-data/handler';
import { createChatHandler } from '../lambdas/chat/handler';
import { createContextHandler } from '../lambdas/context/handler';
import { createFeedbackHandler } from '../lambdas/feedback/handler';
import { handler as openapiHandler } from '../lambdas/openapi/handler';
import { createRunsHandler } from '../lambdas/runs/handler';
import { createThreadsHandler } from '../lambdas/threads/handler';
import type { RouteFunction } from '../lambdas/shared/contract/routes';
import type { Runtime } from './runtime';

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export function localHandlers(
  getRuntime: () => Promise<Runtime>,
): Readonly<Record<RouteFunction, ProxyHandler>> {
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

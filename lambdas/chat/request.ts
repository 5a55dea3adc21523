/** What the JSON and the streamed chat routes share at the edge: the turn's input and its metrics. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ChatRequest } from '../shared/contract/schemas';
import { AppError, appError } from '../shared/errors';
import type { HttpRequest } from '../shared/middleware';
import { MetricName, metrics } from '../shared/observability';
import type { ChatTurnInput } from './service';

/** A validated chat request, as either route receives it. */
export type ChatHttpRequest = HttpRequest<
  ChatRequest,
  Record<string, string>,
  { readonly 'Idempotency-Key'?: string | undefined }
>;

/** The turn a request asks for; the body's key and the `Idempotency-Key` header must agree. */
export function turnInputOf(req: ChatHttpRequest): ChatTurnInput {
  return {
    userId: req.userId,
    anonymous: req.anonymous,
    request: req.body,
    clientMessageId: idempotencyKeyOf(req.body.client_message_id, req.validHeaders['Idempotency-Key']),
    acceptLanguage: req.headers['accept-language'],
    signal: req.signal,
  };
}

/**
 * Counts a validated chat request, and its failure unless it is the user's (4xx): the error
 * rate alarm is errors / requests the coach could answer, whichever route asked.
 */
export async function countedChat<T>(req: ChatHttpRequest, answer: () => Promise<T>): Promise<T> {
  metrics.addMetric(MetricName.ChatRequests, MetricUnit.Count, 1);
  // On the EMF line too, so a slow chat found by its latency leads to its request.
  metrics.addMetadata('request_id', req.requestId);
  try {
    return await answer();
  } catch (error) {
    if (!(error instanceof AppError) || error.status >= 500) {
      metrics.addMetric(MetricName.ChatErrors, MetricUnit.Count, 1);
    }
    throw error;
  }
}

/** The body's `client_message_id` and the `Idempotency-Key` header name the same key, if both are sent. */
function idempotencyKeyOf(
  bodyKey: string | null | undefined,
  headerKey: string | undefined,
): string | undefined {
  if (headerKey !== undefined && bodyKey && bodyKey !== headerKey) throw appError('idempotency_key_mismatch');
  return headerKey ?? bodyKey ?? undefined;
}

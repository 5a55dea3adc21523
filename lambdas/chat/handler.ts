/**
 * POST /functions/v1/openai-chat-completion: send a message, get the coach's reply
 * (200), or a run to poll when the reply takes longer than the sync budget (202).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ChatRequest } from '../shared/api-schemas';
import { AppError } from '../shared/errors';
import { httpRoute } from '../shared/middleware';
import { MetricName, metrics } from '../shared/observability';
import { defaultRuntime, type Runtime } from '../shared/runtime';
import { sendChatMessage } from './service';

export function createChatHandler(getRuntime: () => Promise<Runtime>) {
  return httpRoute({ name: 'chat', body: ChatRequest }, async (req) => {
    // Validated requests only: the error rate alarm is errors / requests the coach could answer.
    metrics.addMetric(MetricName.ChatRequests, MetricUnit.Count, 1);
    // On the EMF line too, so a slow chat found by its latency leads to its request.
    metrics.addMetadata('request_id', req.requestId);
    try {
      const runtime = await getRuntime();
      const outcome = await sendChatMessage(runtime.chat, {
        userId: req.userId,
        request: req.body,
        idempotencyKey: req.headers['idempotency-key'],
        signal: req.signal,
      });
      return { statusCode: outcome.status, body: outcome.body };
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) {
        metrics.addMetric(MetricName.ChatErrors, MetricUnit.Count, 1);
      }
      throw error;
    }
  });
}

export const handler = createChatHandler(defaultRuntime);

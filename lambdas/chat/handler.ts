/**
 * POST /functions/v1/openai-chat-completion: send a message, get the coach's reply
 * (200), or a run to poll when the reply takes longer than the sync budget (202).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ROUTES } from '../shared/contract/routes';
import { CHAT_TIMEOUT_EARLY_MS } from '../shared/contract/timing';
import { config } from '../shared/config';
import { AppError, appError } from '../shared/errors';
import { httpRoute, routeOptions } from '../shared/middleware';
import { MetricName, metrics } from '../shared/observability';
import { metricsObserver } from '../shared/observer';
import { policyFromConfig } from '../shared/policy';
import { lazyDeps } from '../shared/runtime/lazy';
import { modelFromConfig } from '../shared/runtime/model';
import { crisisResourcesFromEnv, screenerFromConfig } from '../shared/runtime/screening';
import { stepFunctionsPoller } from '../shared/runtime/poller';
import { lambdaStoreCall } from '../shared/runtime/store';
import { sendChatMessage, type ChatDeps } from './service';
import { turnStore } from './store';

export function createChatHandler(getDeps: () => Promise<ChatDeps>) {
  // The early answer the sync budget's cap counts on (contract/timing.ts).
  const options = { ...routeOptions(ROUTES.sendChatMessage), timeoutEarlyInMillis: CHAT_TIMEOUT_EARLY_MS };
  return httpRoute(options, async (req) => {
    // Validated requests only: the error rate alarm is errors / requests the coach could answer.
    metrics.addMetric(MetricName.ChatRequests, MetricUnit.Count, 1);
    // On the EMF line too, so a slow chat found by its latency leads to its request.
    metrics.addMetadata('request_id', req.requestId);
    try {
      const clientMessageId = idempotencyKeyOf(
        req.body.client_message_id,
        req.validHeaders['Idempotency-Key'],
      );
      const outcome = await sendChatMessage(await getDeps(), {
        userId: req.userId,
        anonymous: req.anonymous,
        request: req.body,
        clientMessageId,
        acceptLanguage: req.headers['accept-language'],
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

/** The body's `client_message_id` and the `Idempotency-Key` header name the same key, if both are sent. */
function idempotencyKeyOf(
  bodyKey: string | null | undefined,
  headerKey: string | undefined,
): string | undefined {
  if (headerKey !== undefined && bodyKey && bodyKey !== headerKey) throw appError('idempotency_key_mismatch');
  return headerKey ?? bodyKey ?? undefined;
}

export const handler = createChatHandler(
  lazyDeps(async (): Promise<ChatDeps> => {
    const cfg = config();
    const [call, model, screener] = await Promise.all([
      lambdaStoreCall(cfg),
      modelFromConfig(cfg),
      screenerFromConfig(cfg),
    ]);
    return {
      store: turnStore(call),
      model,
      screener,
      crisisResources: crisisResourcesFromEnv(),
      poller: cfg.pollerStateMachineArn ? stepFunctionsPoller(cfg.pollerStateMachineArn) : null,
      policy: policyFromConfig(cfg),
      observer: metricsObserver,
    };
  }),
);

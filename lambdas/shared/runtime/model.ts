/** The coach model of the functions that call OpenAI (chat, poller, threads): null without a key. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createOpenAICoachModel } from '../openai/model';
import type { AppConfig } from '../config';
import { MetricName, logger, metrics } from '../observability';
import type { CoachModel } from '../ports';
import { lookupSecret } from '../secrets';

/**
 * The OpenAI coach model, or null without a key: then everyone gets the simulated coach. A
 * secret that is set up but still holds its placeholder is logged with its id, so the
 * operator sees which value to put.
 */
export async function modelFromConfig(cfg: AppConfig): Promise<CoachModel | null> {
  const secret = await lookupSecret('openai_api_key', cfg);
  if (!secret.configured) {
    if (secret.secretId) {
      logger.warn('secret not configured: the simulated coach answers until its value is put', {
        secret: 'openai_api_key',
        secret_id: secret.secretId,
        reason: secret.reason,
      });
    }
    return null;
  }
  const apiKey = secret.value;
  return createOpenAICoachModel({
    apiKey,
    baseURL: cfg.openaiBaseUrl,
    timeoutMs: cfg.openaiTimeoutMs,
    maxRetries: cfg.openaiMaxRetries,
    onRetry: () => metrics.addMetric(MetricName.OpenAIRetries, MetricUnit.Count, 1),
  });
}

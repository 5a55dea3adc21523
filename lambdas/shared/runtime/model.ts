/** The coach model of the functions that call OpenAI (chat, poller, threads): null without a key. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createOpenAICoachModel } from '../openai/model';
import type { AppConfig } from '../config';
import { MetricName, metrics } from '../observability';
import type { CoachModel } from '../ports';
import { getSecret } from '../secrets';

export async function modelFromConfig(cfg: AppConfig): Promise<CoachModel | null> {
  const apiKey = await getSecret('openai_api_key', cfg);
  if (!apiKey) return null;
  return createOpenAICoachModel({
    apiKey,
    baseURL: cfg.openaiBaseUrl,
    timeoutMs: cfg.openaiTimeoutMs,
    maxRetries: cfg.openaiMaxRetries,
    onRetry: () => metrics.addMetric(MetricName.OpenAIRetries, MetricUnit.Count, 1),
  });
}

/**
 * The Step Functions poll task. Input and output are the state machine's state (see
 * lib/poller.ts); no user data passes through it, only ids, counters and an outcome.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { defaultRuntime, metricsObserver, type Runtime } from '../shared/runtime';
import { logger, metrics } from '../shared/observability';
import { pollRun, type PollTaskInput, type PollTaskOutput } from './service';

export function createPollHandler(getRuntime: () => Promise<Runtime>) {
  return async (event: PollTaskInput): Promise<PollTaskOutput> => {
    const runtime = await getRuntime();
    if (!runtime.model) throw new Error('The poller needs an OpenAI key: no model is configured');
    const result = await pollRun(
      { store: runtime.store, model: runtime.model, fallbackEnabled: runtime.fallbackEnabled, observer: metricsObserver },
      event,
    );
    logger.info('poll step', { run_id: result.run_id, outcome: result.outcome, attempt: result.attempt });
    return result;
  };
}

export const handler = middy(createPollHandler(defaultRuntime))
  .use(injectLambdaContext(logger, { logEvent: false }))
  .use(logMetrics(metrics));

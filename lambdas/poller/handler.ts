/**
 * The Step Functions poll task (the `Poll`, `TimeOut` and `MarkFailed` states of
 * lib/poller.ts). Input and output are the state machine's state: ids, counters and an
 * outcome, never user data. The execution history keeps every state and every task error,
 * so an error leaves this handler as a `PollStepFailed` that names only the failure's kind;
 * the real error is logged here, with the run id.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { config } from '../shared/config';
import { loggableError, logger, metrics } from '../shared/observability';
import { metricsObserver, type TurnObserver } from '../shared/observer';
import { policyFromConfig, type Policy } from '../shared/policy';
import type { CoachModel } from '../shared/ports';
import { lazyDeps } from '../shared/runtime/lazy';
import { modelFromConfig } from '../shared/runtime/model';
import { screeningFromConfig } from '../shared/runtime/screening';
import { lambdaStoreCall } from '../shared/runtime/store';
import type { SafetyDeps } from '../chat/safety';
import type { PollStore } from './ports';
import { POLL_FOLLOW_MS, PollTaskInput, pollRun, type PollTaskOutput } from './service';
import { pollStore } from './store';

/** The poll task's dependencies; the model is null only when no OpenAI key is configured (a fault here). */
export interface PollHandlerDeps extends SafetyDeps {
  readonly store: PollStore;
  readonly model: CoachModel | null;
  readonly policy: Pick<Policy, 'flags'>;
  readonly observer?: TurnObserver;
  /** How long a step follows the response's stream (`POLL_FOLLOW_MS` in Lambda); absent: one look per step. */
  readonly followMs?: number;
}

/** What the execution history records of a failed poll step: a kind, no details. */
export class PollStepFailed extends Error {
  constructor(kind: string, options?: { readonly cause?: unknown }) {
    super(`The poll step failed (${kind}); details are in the poll function's log`, options);
    this.name = 'PollStepFailed';
  }
}

/** The poll task; `getDeps` is the Lambda's composition, or a test's or the local server's. */
export function createPollHandler(getDeps: () => Promise<PollHandlerDeps>) {
  return async (event: unknown): Promise<PollTaskOutput> => {
    const parsed = PollTaskInput.safeParse(event);
    if (!parsed.success) {
      logger.error('poll step: invalid input', {
        issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`),
      });
      throw new PollStepFailed('invalid_input');
    }
    const input = parsed.data;
    try {
      const deps = await getDeps();
      if (!deps.model) throw new Error('The poller needs an OpenAI key: no model is configured');
      const result = await pollRun(
        { ...deps, model: deps.model, observer: deps.observer ?? metricsObserver },
        input,
      );
      logger.info('poll step', {
        run_id: result.run_id,
        action: input.action ?? 'poll',
        outcome: result.outcome,
        attempt: result.attempt,
        ...(input.error ? { failed_step_error: input.error } : {}),
      });
      return result;
    } catch (error) {
      logger.error('poll step failed', {
        run_id: input.run_id,
        action: input.action ?? 'poll',
        error: loggableError(error),
      });
      throw new PollStepFailed(error instanceof Error ? error.name : 'unknown', { cause: error });
    }
  };
}

export const handler = middy(
  createPollHandler(
    lazyDeps(async (): Promise<PollHandlerDeps> => {
      const cfg = config();
      const [call, model, screening] = await Promise.all([
        lambdaStoreCall(cfg),
        modelFromConfig(cfg),
        screeningFromConfig(cfg),
      ]);
      return {
        store: pollStore(call),
        model,
        ...screening,
        policy: policyFromConfig(cfg),
        observer: metricsObserver,
        followMs: POLL_FOLLOW_MS,
      };
    }),
  ),
)
  .use(injectLambdaContext(logger, { logEvent: false }))
  .use(logMetrics(metrics));

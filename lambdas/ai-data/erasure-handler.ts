/**
 * The erasure state machine's task (the `Erase`, `MarkFailed` and `GiveUp` states of
 * lib/erasure.ts). Input and output are the state machine's state: the erasure id and
 * counters, never any user data. An error leaves this handler as an `EraseStepFailed` that
 * names only its kind (the execution history keeps every error); the real error is logged
 * here with the erasure id.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import * as z from 'zod';
import { config } from '../shared/config';
import { loggableError, logger, metrics } from '../shared/observability';
import { lazyDeps } from '../shared/runtime/lazy';
import { lambdaStoreCall } from '../shared/runtime/store';
import { ErasureStepError, runErasure, type ErasureDeps, type ErasureRunOutcome } from './erasure';
import { eraserFromConfig } from './runtime';
import { aiDataStore } from './store';

/** How long one `Erase` step deletes before it hands back to the state machine (the function has 120 s). */
export const ERASURE_STEP_BUDGET_MS = 30_000;
/** How long the state machine waits while a turn of the user is still being answered. */
export const COLLECT_WAIT_SECONDS = 5;

/**
 * The task's input: the StartExecution input (`erasure_id`, `attempt`, `steps: 0`,
 * `started_at`), then the previous step's output; `MarkFailed` and `GiveUp` add `action:
 * 'fail'` and `error`, the failure's name. Unknown keys are dropped.
 */
export const ErasureTaskInput = z.object({
  erasure_id: z.uuid(),
  attempt: z.int().positive().optional(),
  steps: z.int().nonnegative().optional(),
  started_at: z.iso.datetime({ offset: true }).optional(),
  action: z.enum(['erase', 'fail']).optional(),
  error: z.string().max(200).optional(),
});
export type ErasureTaskInput = z.input<typeof ErasureTaskInput>;

/** The task's output: the state the state machine's `Check` reads, and the next step's input. */
export interface ErasureTaskOutput {
  readonly erasure_id: string;
  readonly attempt: number;
  readonly steps: number;
  readonly started_at: string;
  /** `done`: completed, failed or unknown; `more`: go on at once; `waiting`: wait `wait_seconds` first. */
  readonly state: 'done' | 'more' | 'waiting';
  readonly wait_seconds: number;
  readonly outcome: ErasureRunOutcome | 'marked_failed';
}

/** What the execution history records of a failed step: a kind, no details. */
export class EraseStepFailed extends Error {
  constructor(kind: string, options?: { readonly cause?: unknown }) {
    super(`The erasure step failed (${kind}); details are in the erasure function's log`, options);
    this.name = 'EraseStepFailed';
  }
}

/** Options of the task (tests and local mode). */
export interface ErasureTaskOptions {
  /** Default `ERASURE_STEP_BUDGET_MS`. */
  readonly budgetMs?: number;
  /** Listing page size (tests use small pages to exercise pagination). */
  readonly pageSize?: number;
}

/** The task; `getDeps` is the Lambda's composition, or a test's or the local server's. */
export function createErasureTaskHandler(
  getDeps: () => Promise<ErasureDeps>,
  options: ErasureTaskOptions = {},
) {
  return async (
    event: unknown,
    _context?: unknown,
    extra?: { signal?: AbortSignal },
  ): Promise<ErasureTaskOutput> => {
    const parsed = ErasureTaskInput.safeParse(event);
    if (!parsed.success) {
      logger.error('erasure step: invalid input', {
        issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`),
      });
      throw new EraseStepFailed('invalid_input');
    }
    const input = parsed.data;
    const out = (
      state: ErasureTaskOutput['state'],
      outcome: ErasureTaskOutput['outcome'],
    ): ErasureTaskOutput => ({
      erasure_id: input.erasure_id,
      attempt: input.attempt ?? 1,
      steps: (input.steps ?? 0) + 1,
      started_at: input.started_at ?? new Date().toISOString(),
      state,
      wait_seconds: state === 'waiting' ? COLLECT_WAIT_SECONDS : 0,
      outcome,
    });
    try {
      const deps = await getDeps();
      if (input.action === 'fail') {
        await deps.store.failErasure({ erasure_id: input.erasure_id, failure_code: input.error ?? 'failed' });
        logger.error('erasure failed', { erasure_id: input.erasure_id, failed_step_error: input.error });
        return out('done', 'marked_failed');
      }
      const outcome = await runErasure(deps, input.erasure_id, {
        budgetMs: options.budgetMs ?? ERASURE_STEP_BUDGET_MS,
        ...(options.pageSize ? { pageSize: options.pageSize } : {}),
        ...(extra?.signal ? { signal: extra.signal } : {}),
      });
      logger.info('erasure step', { erasure_id: input.erasure_id, outcome, steps: (input.steps ?? 0) + 1 });
      if (outcome === 'more') return out('more', outcome);
      if (outcome === 'waiting') return out('waiting', outcome);
      return out('done', outcome);
    } catch (error) {
      // A warning: the state machine retries the step; the erasure failing for good is the error above.
      logger.warn('erasure step failed', { erasure_id: input.erasure_id, error: loggableError(error) });
      const kind =
        error instanceof ErasureStepError ? error.kind : error instanceof Error ? error.name : 'unknown';
      throw new EraseStepFailed(kind, { cause: error });
    }
  };
}

/** The erasure function's entry: the task, with the Lambda's dependencies and Powertools. */
export const handler = middy(
  createErasureTaskHandler(
    lazyDeps(async (): Promise<ErasureDeps> => {
      const cfg = config();
      const [call, eraser] = await Promise.all([lambdaStoreCall(cfg), eraserFromConfig(cfg)]);
      return { store: aiDataStore(call), eraser };
    }),
  ),
  {
    // The signal fires 10 s before the timeout: the step records what it did and returns.
    timeoutEarlyInMillis: 10_000,
    timeoutEarlyResponse: () => {
      throw new EraseStepFailed('timeout');
    },
  },
)
  .use(injectLambdaContext(logger, { logEvent: false }))
  .use(logMetrics(metrics));

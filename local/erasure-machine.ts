/**
 * The erasure state machine for local mode and the tests, as it runs in AWS: the
 * `ErasureRunner` definition synthesized from the CDK construct (lib/erasure.ts), executed
 * in-process by aws-local-stepfunctions, every task state bound to the real erasure task
 * (`createErasureTaskHandler`). Started with the input the Lambda's starter sends.
 */
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { ErasureStarter } from '../lambdas/ai-data/ports';
import { erasureExecutionInput, erasureExecutionName } from '../lambdas/ai-data/runtime';
import {
  localExecutions,
  localTaskRunOptions,
  type ExecutionTiming,
  type LocalExecutions,
  type LocalTask,
} from './step-functions';

/** The synthesized definition and the ARN its task states call. */
export interface ErasureDefinition {
  readonly definition: StateMachineDefinition;
  /** The ARN the definition's task states call; every such state is bound to the erasure task. */
  readonly erasureFunctionArn: string;
}

/** Synthesizes `ErasureRunner` (lib/erasure.ts) and returns its Amazon States Language definition. */
export async function loadErasureDefinition(): Promise<ErasureDefinition> {
  const { erasureStateMachineDefinition, LOCAL_ERASURE_FUNCTION_ARN } = await import('../lib/erasure');
  const definition = erasureStateMachineDefinition({ erasureFunctionArn: LOCAL_ERASURE_FUNCTION_ARN });
  return {
    definition: definition as unknown as StateMachineDefinition,
    erasureFunctionArn: LOCAL_ERASURE_FUNCTION_ARN,
  };
}

/** The local erasure state machine: a starter, and ways to wait for or stop its executions. */
export interface LocalErasureMachine
  extends ErasureStarter, Pick<LocalExecutions, 'ready' | 'idle' | 'stop'> {}

/**
 * An `ErasureStarter` for local mode: each start executes the synthesized definition with
 * `task` bound to its task states; a second start of an attempt still running is a no-op,
 * as with Step Functions and the same execution name.
 */
export function localErasureMachine(
  task: LocalTask,
  options: ExecutionTiming & { readonly onError?: (error: unknown, executionName: string) => void } = {},
): LocalErasureMachine {
  // Built at the first erasure: most local sessions never start one.
  const executions = localExecutions(
    () =>
      loadErasureDefinition().then((erasure) => ({
        machine: new StateMachine(erasure.definition),
        runOptions: localTaskRunOptions(erasure.definition, erasure.erasureFunctionArn, task, options),
      })),
    { lazy: true, onError: options.onError },
  );
  return {
    ready: executions.ready,
    start: ({ erasure_id, attempt }) =>
      executions.start(erasureExecutionName(erasure_id, attempt), erasureExecutionInput(erasure_id, attempt)),
    idle: executions.idle,
    stop: executions.stop,
  };
}

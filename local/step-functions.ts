/**
 * The long-run poller for local mode, as it runs in AWS: the `RunPoller` state machine
 * definition synthesized from the CDK construct (lib/poller.ts, never a hand-written copy),
 * executed in-process by aws-local-stepfunctions, with every Lambda task state bound to the
 * real poll task code. Integration tests execute the definition through the same functions.
 *
 * Synthesizing the definition loads aws-cdk-lib (about a second on an idle machine), so it
 * is done once, in the background, and only when a poller is needed (an OpenAI key is set).
 */
import { StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { RunPollerStarter } from '../lambdas/shared/ports';
import type { PollTaskOutput } from '../lambdas/poller/service';

/** The poll task as the state machine calls it: `createPollHandler(getRuntime)`. */
export type PollTask = (event: unknown) => Promise<PollTaskOutput>;

type TaskOverrides = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type DelayOverrides = NonNullable<NonNullable<RunOptions['overrides']>['waitTimeOverrides']>;

export interface PollerDefinition {
  readonly definition: StateMachineDefinition;
  /** The ARN the definition's task states call; every such state is bound to the poll task. */
  readonly pollerFunctionArn: string;
  readonly maxPollSeconds: number;
}

export interface PollerDefinitionOptions {
  /** The poll budget baked into the definition's `Check` state. @default the construct's (600 s) */
  readonly maxPollSeconds?: number;
}

/** Synthesizes `RunPoller` (lib/poller.ts) and returns its Amazon States Language definition. */
export async function loadPollerDefinition(options: PollerDefinitionOptions = {}): Promise<PollerDefinition> {
  const { pollerStateMachineDefinition, LOCAL_POLLER_FUNCTION_ARN, DEFAULT_MAX_POLL_SECONDS } =
    await import('../lib/poller');
  const maxPollSeconds = options.maxPollSeconds ?? DEFAULT_MAX_POLL_SECONDS;
  const definition = pollerStateMachineDefinition({
    pollerFunctionArn: LOCAL_POLLER_FUNCTION_ARN,
    maxPollSeconds,
  });
  return {
    definition: definition as unknown as StateMachineDefinition,
    pollerFunctionArn: LOCAL_POLLER_FUNCTION_ARN,
    maxPollSeconds,
  };
}

export interface ExecutionTiming {
  /**
   * Milliseconds every `Wait` state pauses, instead of the task's `wait_seconds`
   * (aws-local-stepfunctions replaces a Wait's duration, it cannot scale it).
   * @default the real `wait_seconds`
   */
  readonly waitMs?: number;
  /** Milliseconds before a failed task state is retried. @default the definition's backoff */
  readonly retryMs?: number;
}

/** A Lambda task as a locally executed state machine calls it. */
export type LocalTask = (event: unknown) => Promise<unknown>;

/**
 * The run options that execute `definition` locally: each task state whose resource is
 * `functionArn` runs `task`. A task state calling anything else would be sent to real AWS by
 * aws-local-stepfunctions, so it is refused here instead.
 */
export function localTaskRunOptions(
  definition: StateMachineDefinition,
  functionArn: string,
  task: LocalTask,
  timing: ExecutionTiming = {},
): RunOptions {
  const tasks: TaskOverrides = {};
  const waits: DelayOverrides = {};
  const retries: Record<string, number> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Task') {
      if (state.Resource !== functionArn) {
        throw new Error(`State "${name}" calls ${state.Resource}, which has no local binding`);
      }
      tasks[name] = (input) => task(input) as unknown as ReturnType<TaskOverrides[string]>;
    }
    if (state.Type === 'Wait' && timing.waitMs !== undefined) waits[name] = timing.waitMs;
    if ('Retry' in state && state.Retry && timing.retryMs !== undefined) retries[name] = timing.retryMs;
  }
  return {
    overrides: {
      taskResourceLocalHandlers: tasks,
      waitTimeOverrides: waits,
      retryIntervalOverrides: retries,
    },
    noThrowOnAbort: true,
  };
}

/** The run options that execute `poller` locally, its task states bound to `task`. */
export function pollerRunOptions(
  poller: PollerDefinition,
  task: PollTask,
  timing: ExecutionTiming = {},
): RunOptions {
  return localTaskRunOptions(poller.definition, poller.pollerFunctionArn, task, timing);
}

/** Builds the local state machine from a loaded definition (validated by aws-local-stepfunctions). */
export function pollerStateMachine(poller: PollerDefinition): StateMachine {
  return new StateMachine(poller.definition);
}

export interface LocalStateMachineOptions extends ExecutionTiming, PollerDefinitionOptions {
  /** An execution ended in failure (its `Fail` state, or a task that kept failing). */
  readonly onError?: (error: unknown, runId: string) => void;
}

export interface LocalStateMachinePoller extends RunPollerStarter {
  /** Resolves once the definition is synthesized and the state machine built (rejects if that failed). */
  ready(): Promise<void>;
  /** Resolves when no execution is running. */
  idle(): Promise<void>;
  /** Aborts running executions (their runs stay `pending`, as after a StopExecution). */
  stop(): Promise<void>;
}

/** Executions of one local state machine, at most one running per name (as Step Functions names them). */
export interface LocalExecutions {
  /** Resolves once the machine is built (rejects if that failed). */
  ready(): Promise<void>;
  /** Starts an execution unless one of this name is running; returns at once. */
  start(name: string, input: Record<string, unknown>): Promise<void>;
  /** Resolves when no execution is running. */
  idle(): Promise<void>;
  /** Aborts running executions. */
  stop(): Promise<void>;
}

/**
 * Runs executions of a state machine that `prepare` builds (synthesizing its definition takes
 * about a second): at once in the background, or at the first `start` when `lazy`; a `start`
 * before it is ready waits for it. `onError` hears of an execution that ended in failure.
 */
export function localExecutions(
  prepare: () => Promise<{ readonly machine: StateMachine; readonly runOptions: RunOptions }>,
  options: { readonly lazy?: boolean; readonly onError?: (error: unknown, name: string) => void } = {},
): LocalExecutions {
  let preparing: Promise<{ readonly machine: StateMachine; readonly runOptions: RunOptions }> | undefined;
  const prepared = () => {
    if (!preparing) {
      preparing = prepare();
      // Reported by `ready()` and `start()`; never an unhandled rejection at boot.
      preparing.catch(() => undefined);
    }
    return preparing;
  };
  if (!options.lazy) prepared();
  const running = new Map<string, { readonly abort: () => void; readonly done: Promise<void> }>();

  const idle = async (): Promise<void> => {
    while (running.size > 0) await Promise.all([...running.values()].map((r) => r.done));
  };

  return {
    async ready() {
      await prepared();
    },
    async start(name, input) {
      const { machine, runOptions } = await prepared();
      if (running.has(name)) return;
      const execution = machine.run(input as Parameters<StateMachine['run']>[0], runOptions);
      const done = execution.result
        .then(
          () => undefined,
          (error: unknown) => options.onError?.(error, name),
        )
        .finally(() => running.delete(name));
      running.set(name, { abort: execution.abort, done });
    },
    idle,
    async stop() {
      for (const execution of running.values()) execution.abort();
      await idle();
    },
  };
}

/**
 * A `RunPollerStarter` for local mode: starts an execution of the synthesized `RunPoller`
 * definition with the same input the Lambda's `stepFunctionsPoller` sends. Like Step
 * Functions with the run id as execution name, a second start for a run whose execution is
 * still running is a no-op.
 *
 * Returns at once; the definition is synthesized in the background (about a second) and a
 * `start` before it is ready waits for it, so the server does not wait at boot.
 */
export function localStateMachinePoller(
  task: PollTask,
  options: LocalStateMachineOptions = {},
): LocalStateMachinePoller {
  const executions = localExecutions(
    () =>
      loadPollerDefinition(options).then((poller) => ({
        machine: pollerStateMachine(poller),
        runOptions: pollerRunOptions(poller, task, options),
      })),
    { onError: options.onError },
  );
  return {
    ready: executions.ready,
    start: ({ run_id, response_id }) =>
      executions.start(run_id, { run_id, response_id, attempt: 0, started_at: new Date().toISOString() }),
    idle: executions.idle,
    stop: executions.stop,
  };
}

/**
 * The `RunPoller` state machine as integration tests run it: the Amazon States Language
 * definition synthesized from the CDK construct (lib/poller.ts), executed by
 * aws-local-stepfunctions, every Lambda task state bound to the real poll handler
 * (`createPollHandler`) on a test runtime (real store on the test Postgres, real OpenAI
 * adapter against the fake). Wait states and retry pauses are shortened to 0 ms, so a test
 * never sleeps for the seconds the definition asks for; nothing here measures time.
 */
import type { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { StateMachine } from 'aws-local-stepfunctions';
import { createPollHandler } from '../../lambdas/poller/handler';
import type { PollTaskOutput } from '../../lambdas/poller/service';
import type { RunPollerStarter } from '../../lambdas/shared/ports';
import { stepFunctionsPoller } from '../../lambdas/shared/runtime/poller';
import type { Runtime } from '../../local/runtime';
import {
  loadPollerDefinition,
  pollerRunOptions,
  pollerStateMachine,
  type PollTask,
  type PollerDefinition,
} from '../../local/step-functions';

type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** A state's input or output as the execution history records it. */
export interface StateRecord {
  readonly name: string;
  readonly event: 'entered' | 'exited' | 'failed' | 'retried' | 'caught';
  readonly input: unknown;
  readonly output: unknown;
  /** For `failed`: the error name and cause the history keeps. */
  readonly error: { readonly name: string; readonly cause: unknown } | null;
}

export interface ExecutionOutcome {
  readonly status: 'SUCCEEDED' | 'FAILED';
  /** The execution's output (SUCCEEDED). */
  readonly output: unknown;
  /** The error that failed the execution (FAILED): the `Fail` state's, or a task's. */
  readonly error: { readonly name: string; readonly cause: string } | null;
  /** State names in the order they were entered, e.g. Poll, Check, Wait, Poll, Check, Done. */
  readonly path: readonly string[];
  /** What the real poll handler returned to each task state, in order. */
  readonly taskOutputs: readonly PollTaskOutput[];
  /** Every state event, with its input and output: the execution history. */
  readonly history: readonly StateRecord[];
}

export interface StartInput {
  readonly run_id: string;
  readonly response_id: string;
  readonly attempt?: number;
  readonly started_at?: string;
}

export interface PollerMachine {
  readonly poller: PollerDefinition;
  /** The real poll handler bound to the task states. */
  readonly pollTask: PollTask;
  /**
   * Runs one execution to its end with `input` (as the chat's StartExecution sends it).
   * A failed execution resolves with status FAILED instead of throwing. `wrapTask` puts
   * something between the state machine and the real handler (e.g. a Lambda that crashes).
   */
  execute(
    input: StartInput | Record<string, unknown>,
    options?: { readonly wrapTask?: (task: PollTask) => PollTask },
  ): Promise<ExecutionOutcome>;
}

/** Loads the synthesized definition (once per call: a test file calls it in `beforeAll`). */
export async function startPollerMachine(options: {
  readonly getRuntime: () => Promise<Runtime>;
  readonly maxPollSeconds?: number;
}): Promise<PollerMachine> {
  const poller = await loadPollerDefinition({ maxPollSeconds: options.maxPollSeconds });
  const machine = pollerStateMachine(poller);
  const pollTask = createPollHandler(options.getRuntime);

  return {
    poller,
    pollTask,
    async execute(input, executeOptions = {}) {
      // What the real handler returned, even when a wrapper then loses it (a replay test).
      const taskOutputs: PollTaskOutput[] = [];
      const recording: PollTask = async (event) => {
        const output = await pollTask(event);
        taskOutputs.push(output);
        return output;
      };
      const task = executeOptions.wrapTask?.(recording) ?? recording;
      const execution = machine.run(
        input as Parameters<StateMachine['run']>[0],
        pollerRunOptions(poller, task, { waitMs: 0, retryMs: 0 }),
      );

      let status: ExecutionOutcome['status'] = 'SUCCEEDED';
      let output: unknown = null;
      let error: ExecutionOutcome['error'] = null;
      try {
        output = await execution.result;
      } catch (failure) {
        status = 'FAILED';
        const cause = (failure as { cause?: { name?: string; message?: string } }).cause;
        error = {
          name: cause?.name ?? String((failure as Error).name),
          cause: cause?.message ?? String((failure as Error).message),
        };
      }

      const history: StateRecord[] = [];
      for await (const event of execution.eventLogs as AsyncGenerator<EventLog>) {
        const kind = STATE_EVENTS[event.type];
        if (!kind || !('state' in event)) continue;
        history.push({
          name: event.state.name,
          event: kind,
          input: event.state.input,
          output: event.state.output ?? null,
          error: 'Error' in event ? { name: event.Error, cause: event.Cause } : null,
        });
      }
      const path = history.filter((h) => h.event === 'entered').map((h) => h.name);
      return { status, output, error, path, taskOutputs, history };
    },
  };
}

const STATE_EVENTS: Readonly<Record<string, StateRecord['event']>> = {
  StateEntered: 'entered',
  StateExited: 'exited',
  StateFailed: 'failed',
  StateRetried: 'retried',
  StateCaught: 'caught',
};

/** A `StartExecution` the chat handler sent, as Step Functions would receive it. */
export interface RecordedStart {
  readonly stateMachineArn: string;
  readonly name: string;
  /** The parsed execution input. */
  readonly input: Record<string, unknown>;
}

export const TEST_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:RunPoller';

/**
 * The Lambda's real starter (`stepFunctionsPoller`) with the AWS SDK client replaced by one
 * that records each `StartExecution` instead of sending it: the test then executes the
 * recorded input on the local state machine, when it chooses to.
 */
export function recordingStepFunctionsStarter(): {
  readonly starter: RunPollerStarter;
  readonly starts: RecordedStart[];
  inputFor(runId: string): Record<string, unknown>;
} {
  const starts: RecordedStart[] = [];
  const client = {
    async send(command: StartExecutionCommand) {
      const { stateMachineArn = '', name = '', input = '{}' } = command.input;
      starts.push({ stateMachineArn, name, input: JSON.parse(input) as Record<string, unknown> });
      return {
        executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`,
        startDate: new Date(),
      };
    },
  } as unknown as SFNClient;
  return {
    starter: stepFunctionsPoller(TEST_STATE_MACHINE_ARN, client),
    starts,
    inputFor(runId) {
      const start = starts.find((s) => s.name === runId);
      if (!start) throw new Error(`No execution was started for run ${runId}`);
      return start.input;
    },
  };
}

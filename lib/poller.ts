/**
 * `RunPoller`: the Standard state machine that follows a long OpenAI response (the chat's
 * 202 case) to its end. The poll task decides everything that needs data (done or not, how
 * long to wait, with backoff and jitter); the state machine only loops, bounds the loop by
 * time, and hands repeated failures to a task that marks the run failed.
 *
 * ```
 * Poll ──▶ Check ── state = done ──────────────────▶ Done
 *  ▲  │          ├─ elapsed_seconds ≥ max ─▶ TimeOut ─▶ Done
 *  │  │          └─ otherwise ─▶ Wait (SecondsPath $.wait_seconds) ─┐
 *  └──┼──────────────────────────────────────────────────────────────┘
 *     └─ error (after retries) ─▶ MarkFailed ─▶ Failed
 * ```
 */
import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { acknowledgeTaskRole, synthesizedDefinition } from './definition';

/** Default poll budget: after this long the run is timed out, the response cancelled. */
export const DEFAULT_MAX_POLL_SECONDS = 600;
/** The state machine's own timeout is this much above the poll budget (room for the last steps). */
export const STATE_MACHINE_TIMEOUT_MARGIN_SECONDS = 300;

/** Errors that mean Lambda (not our code) failed: always worth another try. */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
];

export interface RunPollerProps {
  /** The poll task (lambdas/poller/handler.ts). */
  readonly pollerFunction: lambda.IFunction;
  /** @default 600 */
  readonly maxPollSeconds?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

export class RunPoller extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly maxPollSeconds: number;

  constructor(scope: Construct, id: string, props: RunPollerProps) {
    super(scope, id);
    this.maxPollSeconds = props.maxPollSeconds ?? DEFAULT_MAX_POLL_SECONDS;
    const fn = props.pollerFunction;

    const retry = (task: tasks.LambdaInvoke): tasks.LambdaInvoke => {
      task.addRetry({
        errors: [...LAMBDA_SERVICE_ERRORS, sfn.Errors.TASKS_FAILED, sfn.Errors.TIMEOUT],
        interval: Duration.seconds(2),
        backoffRate: 2,
        maxAttempts: 3,
        maxDelay: Duration.seconds(20),
        jitterStrategy: sfn.JitterType.FULL,
      });
      return task;
    };

    // The whole state is the task's input: { run_id, response_id, attempt, started_at, ... }.
    const poll = retry(
      new tasks.LambdaInvoke(this, 'Poll', {
        lambdaFunction: fn,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        comment: 'Looks at the response once: records it when done, else says how long to wait',
      }),
    );

    const timeOut = retry(
      new tasks.LambdaInvoke(this, 'TimeOut', {
        lambdaFunction: fn,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        comment: 'Cancels the response, marks the run timed out and stores the fallback',
        payload: sfn.TaskInput.fromObject({
          run_id: sfn.JsonPath.stringAt('$.run_id'),
          response_id: sfn.JsonPath.stringAt('$.response_id'),
          attempt: sfn.JsonPath.numberAt('$.attempt'),
          started_at: sfn.JsonPath.stringAt('$.started_at'),
          action: 'timeout',
        }),
      }),
    );

    // Only the ids and the error name: the error's Cause could quote upstream text.
    const markFailed = retry(
      new tasks.LambdaInvoke(this, 'MarkFailed', {
        lambdaFunction: fn,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        comment: 'The poll step kept failing: marks the run failed and stores the fallback',
        payload: sfn.TaskInput.fromObject({
          run_id: sfn.JsonPath.stringAt('$.run_id'),
          response_id: sfn.JsonPath.stringAt('$.response_id'),
          action: 'fail',
          error: sfn.JsonPath.stringAt('$.error.Error'),
        }),
      }),
    );

    const done = new sfn.Succeed(this, 'Done');
    const failed = new sfn.Fail(this, 'Failed', {
      error: 'PollFailed',
      cause: 'The poll task kept failing; the run was marked failed',
    });
    const wait = new sfn.Wait(this, 'Wait', { time: sfn.WaitTime.secondsPath('$.wait_seconds') });

    poll.addCatch(markFailed.next(failed), { errors: [sfn.Errors.ALL], resultPath: '$.error' });

    const definition = poll.next(
      new sfn.Choice(this, 'Check')
        .when(sfn.Condition.stringEquals('$.state', 'done'), done)
        .when(
          sfn.Condition.numberGreaterThanEquals('$.elapsed_seconds', this.maxPollSeconds),
          timeOut.next(done),
        )
        .otherwise(wait.next(poll)),
    );

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      comment: 'Follows a long coach reply to its end: poll with backoff, time out, or mark failed',
      timeout: Duration.seconds(this.maxPollSeconds + STATE_MACHINE_TIMEOUT_MARGIN_SECONDS),
      tracingEnabled: true,
      // Every event, but never the data: inputs and outputs are ids only today, and must not
      // start leaking user text into logs if that ever changes.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });

    acknowledgeTaskRole(this.stateMachine, fn, 'poll');
  }

  /**
   * Lets `fn` start executions (the chat's 202 path) and tells it which state machine to
   * start through `POLLER_STATE_MACHINE_ARN`.
   */
  connectStarter(fn: lambda.Function): iam.Grant {
    fn.addEnvironment('POLLER_STATE_MACHINE_ARN', this.stateMachine.stateMachineArn);
    return this.stateMachine.grantStartExecution(fn);
  }
}

/** Options for `pollerStateMachineDefinition`. */
export interface PollerDefinitionOptions {
  /** The ARN the three task states call; a local test binds it to the real handler. */
  readonly pollerFunctionArn?: string;
  /** @default 600 */
  readonly maxPollSeconds?: number;
}

/** The ARN used for the poll task when none is given. */
export const LOCAL_POLLER_FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:mivia-coach-poller';

/**
 * The poller's Amazon States Language definition, exactly as `RunPoller` synthesizes it,
 * with the poll task's ARN as a plain string. For executing the real definition locally
 * (aws-local-stepfunctions) against the real poll handler.
 */
export function pollerStateMachineDefinition(options: PollerDefinitionOptions = {}): Record<string, unknown> {
  return synthesizedDefinition(
    'Poller',
    options.pollerFunctionArn ?? LOCAL_POLLER_FUNCTION_ARN,
    (scope, fn) => {
      new RunPoller(scope, 'RunPoller', { pollerFunction: fn, maxPollSeconds: options.maxPollSeconds });
    },
  );
}

/**
 * `ErasureRunner`: the Standard state machine that runs an erasure of a user's AI data to its
 * end (the `delete` of POST /functions/v1/ai-data, docs/safety.md). The erasure task decides
 * everything that needs data (what remains, one bounded batch at a time, within a time
 * budget); the state machine loops, retries a failing step with backoff, bounds the loop,
 * and hands a step that keeps failing to a task that marks the erasure failed. Its alarm
 * fires on any execution that does not succeed.
 *
 * ```
 * Erase ──▶ Check ── state = done ─────────────────────────▶ Done
 *  ▲  │           ├─ steps ≥ max ─▶ GiveUp ─────────────────▶ Failed
 *  │  │           ├─ state = waiting ─▶ Wait (SecondsPath) ─┐
 *  │  │           └─ otherwise ─────────────────────────────┤
 *  └──┼──────────────────────────────────────────────────────┘
 *     └─ error (after retries with backoff) ─▶ MarkFailed ─▶ Failed
 * ```
 */
import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { acknowledgeTaskRole, synthesizedDefinition } from './definition';

/** How long an erasure may run in all: far beyond any user's data, and below the history's event limit. */
export const ERASURE_TIMEOUT_HOURS = 24;
/** Steps (Erase task runs) one execution may take before it gives up and marks the erasure failed. */
export const MAX_ERASURE_STEPS = 1_000;

/** A failing step is retried this way: 5 s, doubling, capped at 5 minutes, 8 retries (at most about 15 minutes in all, with jitter). */
export const ERASE_RETRY = {
  intervalSeconds: 5,
  backoffRate: 2,
  maxAttempts: 8,
  maxDelaySeconds: 300,
} as const;

/** Errors that mean Lambda (not our code) failed: always worth another try. */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
];

/** What the erasure runner is built from. */
export interface ErasureRunnerProps {
  /** The erasure task (lambdas/ai-data/erasure-handler.ts). */
  readonly erasureFunction: lambda.IFunction;
  /** Where the alarm goes (the monitoring's topic). Without one the alarm notifies nobody. */
  readonly alarmTopic?: sns.ITopic;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/** The erasure state machine, its log group and its alarm (the diagram above). */
export class ErasureRunner extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  /** Any execution that failed, timed out or was aborted: an erasure that is not done. */
  readonly failedAlarm: cw.Alarm;

  constructor(scope: Construct, id: string, props: ErasureRunnerProps) {
    super(scope, id);
    const fn = props.erasureFunction;

    const invoke = (name: string, comment: string, payload?: Record<string, unknown>) =>
      new tasks.LambdaInvoke(this, name, {
        lambdaFunction: fn,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        comment,
        ...(payload ? { payload: sfn.TaskInput.fromObject(payload) } : {}),
      });

    // The whole state is the task's input: { erasure_id, attempt, steps, started_at, ... }.
    const erase = invoke('Erase', 'Deletes one time-bounded batch after another; says whether more remains');
    erase.addRetry({
      errors: [...LAMBDA_SERVICE_ERRORS, sfn.Errors.TASKS_FAILED, sfn.Errors.TIMEOUT],
      interval: Duration.seconds(ERASE_RETRY.intervalSeconds),
      backoffRate: ERASE_RETRY.backoffRate,
      maxAttempts: ERASE_RETRY.maxAttempts,
      maxDelay: Duration.seconds(ERASE_RETRY.maxDelaySeconds),
      jitterStrategy: sfn.JitterType.FULL,
    });
    // Only the ids and the error name: the error's Cause could quote upstream text.
    const failure = (name: string, comment: string, error: string) => {
      const task = invoke(name, comment, {
        erasure_id: sfn.JsonPath.stringAt('$.erasure_id'),
        action: 'fail',
        error,
      });
      task.addRetry({
        errors: [...LAMBDA_SERVICE_ERRORS, sfn.Errors.TASKS_FAILED, sfn.Errors.TIMEOUT],
        interval: Duration.seconds(2),
        backoffRate: 2,
        maxAttempts: 3,
        jitterStrategy: sfn.JitterType.FULL,
      });
      return task;
    };
    const markFailed = failure(
      'MarkFailed',
      'The erase step kept failing: marks the erasure failed (a new delete request resumes it)',
      sfn.JsonPath.stringAt('$.error.Error'),
    );
    const giveUp = failure('GiveUp', 'Too many steps: marks the erasure failed', 'too_many_steps');

    const done = new sfn.Succeed(this, 'Done');
    const failed = new sfn.Fail(this, 'Failed', {
      error: 'ErasureFailed',
      cause: 'The erasure was marked failed; its work list keeps what remains',
    });
    const wait = new sfn.Wait(this, 'Wait', { time: sfn.WaitTime.secondsPath('$.wait_seconds') });

    erase.addCatch(markFailed.next(failed), { errors: [sfn.Errors.ALL], resultPath: '$.error' });
    const definition = erase.next(
      new sfn.Choice(this, 'Check')
        .when(sfn.Condition.stringEquals('$.state', 'done'), done)
        .when(sfn.Condition.numberGreaterThanEquals('$.steps', MAX_ERASURE_STEPS), giveUp.next(failed))
        .when(sfn.Condition.stringEquals('$.state', 'waiting'), wait.next(erase))
        .otherwise(erase),
    );

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      comment:
        "Erases a user's AI data here and at OpenAI: batch by batch, retried with backoff, or marked failed",
      timeout: Duration.hours(ERASURE_TIMEOUT_HOURS),
      tracingEnabled: true,
      // Every event, never the data: the state is ids and counters, and must stay so.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });

    const period = Duration.minutes(5);
    const sum = { period, statistic: 'Sum' };
    this.failedAlarm = new cw.Alarm(this, 'ErasureFailedAlarm', {
      alarmDescription:
        'An erasure of a user’s AI data did not complete (execution failed, timed out or was aborted): see docs/safety.md, "On call"',
      metric: new cw.MathExpression({
        expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
        usingMetrics: {
          failed: this.stateMachine.metricFailed(sum),
          timedOut: this.stateMachine.metricTimedOut(sum),
          aborted: this.stateMachine.metricAborted(sum),
        },
        period,
        label: 'erasures not completed',
      }),
      threshold: 1,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic) {
      this.failedAlarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
      this.failedAlarm.addOkAction(new cwActions.SnsAction(props.alarmTopic));
    }

    acknowledgeTaskRole(this.stateMachine, fn, 'erasure');
  }

  /**
   * Lets `fn` start executions (the ai-data function's `delete`) and tells it which state
   * machine to start through `ERASURE_STATE_MACHINE_ARN`.
   */
  connectStarter(fn: lambda.Function): iam.Grant {
    fn.addEnvironment('ERASURE_STATE_MACHINE_ARN', this.stateMachine.stateMachineArn);
    return this.stateMachine.grantStartExecution(fn);
  }
}

/** The ARN used for the erasure task when none is given. */
export const LOCAL_ERASURE_FUNCTION_ARN =
  'arn:aws:lambda:us-east-1:123456789012:function:mivia-coach-erasure';

/**
 * The erasure state machine's Amazon States Language definition, exactly as `ErasureRunner`
 * synthesizes it, with the task's ARN as a plain string: for executing the real definition
 * locally (aws-local-stepfunctions) against the real erasure task.
 */
export function erasureStateMachineDefinition(
  options: { readonly erasureFunctionArn?: string } = {},
): Record<string, unknown> {
  return synthesizedDefinition(
    'Erasure',
    options.erasureFunctionArn ?? LOCAL_ERASURE_FUNCTION_ARN,
    (scope, fn) => {
      new ErasureRunner(scope, 'ErasureRunner', { erasureFunction: fn });
    },
  );
}

/**
 * The poller's exported Amazon States Language definition: its shape, and how it behaves when
 * executed locally (aws-local-stepfunctions) with a scripted poll task in place of the Lambda.
 */
import { describe, expect, it } from '@jest/globals';
import { StateMachine } from 'aws-local-stepfunctions';
import { LOCAL_POLLER_FUNCTION_ARN, pollerStateMachineDefinition } from '../../../lib/poller';

type State = Record<string, unknown>;
type Definition = { StartAt: string; TimeoutSeconds: number; States: Record<string, State> };

const definition = pollerStateMachineDefinition() as Definition;
const start = {
  run_id: '7f1d3c2a-1b2c-4d5e-8f90-123456789abc',
  response_id: 'resp_123',
  attempt: 0,
  started_at: '2026-11-24T10:00:00.000Z',
};

/** A scripted poll task: answers pending for `pendingSteps` calls, then done; records every call. */
function scriptedTask(options: { pendingSteps: number; elapsedPerStep?: number; failWith?: string }) {
  const calls: Array<Record<string, unknown>> = [];
  const handler = (input: unknown) => {
    const event = input as Record<string, unknown>;
    calls.push(event);
    if (options.failWith && event.action === undefined)
      throw Object.assign(new Error('boom'), { name: options.failWith });
    const attempt = Number(event.attempt ?? 0) + 1;
    const pending = event.action === undefined && attempt <= options.pendingSteps;
    return {
      run_id: event.run_id,
      response_id: event.response_id,
      attempt,
      started_at: event.started_at ?? start.started_at,
      state: pending ? 'pending' : 'done',
      wait_seconds: 3,
      elapsed_seconds: attempt * (options.elapsedPerStep ?? 5),
    };
  };
  return { calls, handler };
}

function run(task: ReturnType<typeof scriptedTask>) {
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  return machine.run(start, {
    overrides: {
      // The scripted task returns plain JSON; the library types it as its own JSONValue.
      taskResourceLocalHandlers: {
        Poll: task.handler,
        TimeOut: task.handler,
        MarkFailed: task.handler,
      } as never,
      waitTimeOverrides: { Wait: 0 },
      retryIntervalOverrides: { Poll: 0, TimeOut: 0, MarkFailed: 0 },
    },
  }).result;
}

describe('poller state machine definition', () => {
  it('is plain JSON: every task calls the given function ARN and nothing is left unresolved', () => {
    const text = JSON.stringify(definition);
    expect(text).not.toMatch(/\$\{Token|Fn::|"Ref"/);
    for (const name of ['Poll', 'TimeOut', 'MarkFailed']) {
      expect(definition.States[name]).toMatchObject({ Type: 'Task', Resource: LOCAL_POLLER_FUNCTION_ARN });
    }
    const custom = pollerStateMachineDefinition({
      pollerFunctionArn: 'arn:aws:lambda:eu-central-1:111122223333:function:poll',
    }) as Definition;
    expect(custom.States.Poll!.Resource).toBe('arn:aws:lambda:eu-central-1:111122223333:function:poll');
  });

  it('polls, checks, waits for the task-computed seconds and loops', () => {
    expect(definition.StartAt).toBe('Poll');
    expect(definition.States.Poll).toMatchObject({ Next: 'Check' });
    expect(definition.States.Check).toEqual({
      Type: 'Choice',
      Choices: [
        { Variable: '$.state', StringEquals: 'done', Next: 'Done' },
        { Variable: '$.elapsed_seconds', NumericGreaterThanEquals: 600, Next: 'TimeOut' },
      ],
      Default: 'Wait',
    });
    expect(definition.States.Wait).toEqual({ Type: 'Wait', SecondsPath: '$.wait_seconds', Next: 'Poll' });
    expect(definition.States.TimeOut).toMatchObject({
      Next: 'Done',
      Parameters: expect.objectContaining({ action: 'timeout' }),
    });
    expect(definition.States.Done).toEqual({ Type: 'Succeed' });
  });

  it('retries a failing poll with exponential backoff and full jitter, then hands it to MarkFailed', () => {
    expect(definition.States.Poll!.Retry).toEqual([
      expect.objectContaining({
        ErrorEquals: expect.arrayContaining([
          'Lambda.ServiceException',
          'Lambda.TooManyRequestsException',
          'States.TaskFailed',
        ]),
        IntervalSeconds: 2,
        BackoffRate: 2,
        MaxAttempts: 3,
        MaxDelaySeconds: 20,
        JitterStrategy: 'FULL',
      }),
    ]);
    expect(definition.States.Poll!.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'MarkFailed' },
    ]);
    expect(definition.States.MarkFailed).toMatchObject({
      Next: 'Failed',
      Parameters: {
        'run_id.$': '$.run_id',
        'response_id.$': '$.response_id',
        action: 'fail',
        'error.$': '$.error.Error',
      },
    });
    expect(definition.States.Failed).toMatchObject({ Type: 'Fail', Error: 'PollFailed' });
  });

  it('gives the whole execution a timeout a margin above the poll budget', () => {
    expect(definition.TimeoutSeconds).toBe(900);
    const short = pollerStateMachineDefinition({ maxPollSeconds: 120 }) as Definition;
    expect(short.TimeoutSeconds).toBe(420);
    expect(JSON.stringify(short.States.Check)).toContain('"NumericGreaterThanEquals":120');
  });
});

describe('poller state machine, executed locally', () => {
  it('loops while the task says pending and ends when it says done', async () => {
    const task = scriptedTask({ pendingSteps: 2 });

    const output = await run(task);

    expect(task.calls.map((c) => c.attempt)).toEqual([0, 1, 2]);
    expect(output).toMatchObject({ state: 'done', attempt: 3, run_id: start.run_id });
  });

  it('calls the task with action "timeout" once the poll budget is spent, then succeeds', async () => {
    const task = scriptedTask({ pendingSteps: 1_000, elapsedPerStep: 250 });

    const output = await run(task);

    expect(task.calls).toHaveLength(4);
    expect(task.calls[3]).toEqual({ ...start, attempt: 3, action: 'timeout' });
    expect(output).toMatchObject({ state: 'done' });
  });

  it('marks the run failed and fails the execution when the poll step keeps failing', async () => {
    expect.assertions(3);
    const task = scriptedTask({ pendingSteps: 0, failWith: 'UpstreamBroken' });

    await expect(run(task)).rejects.toThrow(/the run was marked failed/);
    // One poll and its three retries, then MarkFailed with only the ids and the error name.
    expect(task.calls.map((c) => c.action ?? 'poll')).toEqual(['poll', 'poll', 'poll', 'poll', 'fail']);
    expect(task.calls.at(-1)).toEqual({
      run_id: start.run_id,
      response_id: start.response_id,
      action: 'fail',
      error: 'UpstreamBroken',
    });
  });
});

/**
 * The erasure state machine's exported Amazon States Language definition: its shape, and how
 * it behaves when executed locally (aws-local-stepfunctions) with a scripted erasure task in
 * place of the Lambda: it loops while there is more, waits while a turn is being answered,
 * retries a failing step with backoff (so a step that fails a few times still completes),
 * and marks the erasure failed when the step keeps failing or the steps run out.
 */
import { describe, expect, it } from '@jest/globals';
import { StateMachine } from 'aws-local-stepfunctions';
import {
  ERASE_RETRY,
  LOCAL_ERASURE_FUNCTION_ARN,
  MAX_ERASURE_STEPS,
  erasureStateMachineDefinition,
} from '../../../lib/erasure';

type State = Record<string, unknown>;
type Definition = { StartAt: string; TimeoutSeconds: number; States: Record<string, State> };

const definition = erasureStateMachineDefinition() as Definition;
const start = {
  erasure_id: '9d4e2b7a-6c1f-4a38-b5e0-3f7a1c9d2e64',
  attempt: 1,
  steps: 0,
  started_at: '2026-11-24T20:00:00.000Z',
};

type Step = 'more' | 'waiting' | 'done' | 'fail';

/** A scripted erasure task: answers each call with the next scripted step (the last one repeats); records every call. */
function scriptedTask(script: readonly Step[]) {
  const calls: Array<Record<string, unknown>> = [];
  let erases = 0;
  const handler = (input: unknown) => {
    const event = input as Record<string, unknown>;
    calls.push(event);
    if (event.action === 'fail')
      return { erasure_id: event.erasure_id, state: 'done', outcome: 'marked_failed' };
    const step = script[Math.min(erases++, script.length - 1)]!;
    if (step === 'fail') throw Object.assign(new Error('boom'), { name: 'EraseStepFailed' });
    return {
      erasure_id: event.erasure_id,
      attempt: event.attempt,
      steps: Number(event.steps ?? 0) + 1,
      started_at: event.started_at,
      state: step,
      wait_seconds: step === 'waiting' ? 5 : 0,
    };
  };
  return { calls, handler };
}

function run(task: ReturnType<typeof scriptedTask>, input: Record<string, unknown> = start) {
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  const execution = machine.run(input as never, {
    overrides: {
      // The scripted task returns plain JSON; the library types it as its own JSONValue.
      taskResourceLocalHandlers: {
        Erase: task.handler,
        MarkFailed: task.handler,
        GiveUp: task.handler,
      } as never,
      waitTimeOverrides: { Wait: 0 },
      retryIntervalOverrides: { Erase: 0, MarkFailed: 0, GiveUp: 0 },
    },
  });
  return execution.result;
}

describe('erasure state machine definition', () => {
  it('is plain JSON: every task calls the given function ARN and nothing is left unresolved', () => {
    expect(JSON.stringify(definition)).not.toMatch(/\$\{Token|Fn::|"Ref"/);
    for (const name of ['Erase', 'MarkFailed', 'GiveUp']) {
      expect(definition.States[name]).toMatchObject({ Type: 'Task', Resource: LOCAL_ERASURE_FUNCTION_ARN });
    }
    const custom = erasureStateMachineDefinition({
      erasureFunctionArn: 'arn:aws:lambda:eu-central-1:111122223333:function:erase',
    }) as Definition;
    expect(custom.States.Erase!.Resource).toBe('arn:aws:lambda:eu-central-1:111122223333:function:erase');
  });

  it('erases, checks, and loops at once while there is more, after a wait while a turn is answered', () => {
    expect(definition.StartAt).toBe('Erase');
    expect(definition.States.Erase).toMatchObject({ Next: 'Check' });
    expect(definition.States.Check).toEqual({
      Type: 'Choice',
      Choices: [
        { Variable: '$.state', StringEquals: 'done', Next: 'Done' },
        { Variable: '$.steps', NumericGreaterThanEquals: MAX_ERASURE_STEPS, Next: 'GiveUp' },
        { Variable: '$.state', StringEquals: 'waiting', Next: 'Wait' },
      ],
      Default: 'Erase',
    });
    expect(definition.States.Wait).toEqual({ Type: 'Wait', SecondsPath: '$.wait_seconds', Next: 'Erase' });
    expect(definition.States.Done).toEqual({ Type: 'Succeed' });
    expect(definition.TimeoutSeconds).toBe(24 * 3600);
  });

  it('retries a failing step with exponential backoff and full jitter, then hands it to MarkFailed', () => {
    expect(definition.States.Erase!.Retry).toEqual([
      expect.objectContaining({
        ErrorEquals: expect.arrayContaining([
          'Lambda.ServiceException',
          'States.TaskFailed',
          'States.Timeout',
        ]),
        IntervalSeconds: ERASE_RETRY.intervalSeconds,
        BackoffRate: ERASE_RETRY.backoffRate,
        MaxAttempts: ERASE_RETRY.maxAttempts,
        MaxDelaySeconds: ERASE_RETRY.maxDelaySeconds,
        JitterStrategy: 'FULL',
      }),
    ]);
    expect(definition.States.Erase!.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'MarkFailed' },
    ]);
    expect(definition.States.MarkFailed).toMatchObject({
      Next: 'Failed',
      Parameters: { 'erasure_id.$': '$.erasure_id', action: 'fail', 'error.$': '$.error.Error' },
    });
    expect(definition.States.GiveUp).toMatchObject({
      Next: 'Failed',
      Parameters: { 'erasure_id.$': '$.erasure_id', action: 'fail', error: 'too_many_steps' },
    });
    expect(definition.States.Failed).toMatchObject({ Type: 'Fail', Error: 'ErasureFailed' });
  });
});

describe('erasure state machine, executed locally', () => {
  it('goes on while the task says more or waiting, and succeeds when it says done', async () => {
    const task = scriptedTask(['more', 'waiting', 'more', 'done']);

    const output = await run(task);

    expect(task.calls.map((c) => c.steps)).toEqual([0, 1, 2, 3]);
    expect(output).toMatchObject({ state: 'done', steps: 4, erasure_id: start.erasure_id });
  });

  it('retries a step that fails a few times and completes', async () => {
    const task = scriptedTask(['more', 'fail', 'fail', 'fail', 'done']);

    const output = await run(task);

    expect(task.calls.every((c) => c.action === undefined)).toBe(true);
    expect(task.calls).toHaveLength(5);
    expect(output).toMatchObject({ state: 'done' });
  });

  it('marks the erasure failed, with only its id and the error name, and fails the execution when the step keeps failing', async () => {
    expect.assertions(3);
    const task = scriptedTask(['fail']);

    await expect(run(task)).rejects.toThrow(/marked failed/);
    // One step and its retries, then MarkFailed.
    expect(task.calls.map((c) => c.action ?? 'erase')).toEqual([
      ...Array.from({ length: ERASE_RETRY.maxAttempts + 1 }, () => 'erase'),
      'fail',
    ]);
    expect(task.calls.at(-1)).toEqual({
      erasure_id: start.erasure_id,
      action: 'fail',
      error: 'EraseStepFailed',
    });
  });

  it('gives up and marks the erasure failed once the steps run out', async () => {
    expect.assertions(2);
    const task = scriptedTask(['more']);

    await expect(run(task, { ...start, steps: MAX_ERASURE_STEPS - 1 })).rejects.toThrow(/marked failed/);
    expect(task.calls.at(-1)).toEqual({
      erasure_id: start.erasure_id,
      action: 'fail',
      error: 'too_many_steps',
    });
  });
});

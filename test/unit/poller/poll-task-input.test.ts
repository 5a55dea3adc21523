/**
 * What the poll task accepts from the state machine: the chat's StartExecution input, then
 * its own previous output, then the TimeOut / MarkFailed parameters (lib/poller.ts).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { PollTaskInput } from '../../../lambdas/poller/service';

const start = () => ({
  run_id: randomUUID(),
  response_id: 'resp_abc123',
  attempt: 0,
  started_at: new Date().toISOString(),
});

describe('the poll task input', () => {
  it('accepts the input the chat starts the execution with', () => {
    const input = start();

    expect(PollTaskInput.parse(input)).toEqual(input);
  });

  it("accepts the previous step's output and keeps only what the task reads", () => {
    const previous = {
      ...start(),
      attempt: 3,
      state: 'pending',
      wait_seconds: 4,
      elapsed_seconds: 9,
      outcome: 'waiting',
    };

    const parsed = PollTaskInput.parse(previous);

    expect(Object.keys(parsed).sort()).toEqual(['attempt', 'response_id', 'run_id', 'started_at']);
  });

  it('accepts the MarkFailed parameters, which carry the error name but no attempt or start time', () => {
    const input = {
      run_id: randomUUID(),
      response_id: 'resp_abc123',
      action: 'fail',
      error: 'PollStepFailed',
    };

    expect(PollTaskInput.parse(input)).toEqual(input);
  });

  it.each([
    ['a run id that is not a UUID', { run_id: 'run-1' }],
    ['an empty response id', { response_id: '' }],
    [
      'a start time that is not a timestamp (the poll budget is measured from it)',
      { started_at: 'yesterday' },
    ],
    ['a negative attempt', { attempt: -1 }],
    ['a fractional attempt', { attempt: 1.5 }],
    ['an unknown action', { action: 'retry' }],
  ])('refuses %s', (_name, change) => {
    expect(PollTaskInput.safeParse({ ...start(), ...change }).success).toBe(false);
  });
});

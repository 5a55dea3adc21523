/** Starts the Step Functions poller (the chat's 202 path). */
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { RunPollerStarter } from '../ports';

/** The execution name is the run id, so a second start for the same run is a no-op. */
export function stepFunctionsPoller(stateMachineArn: string, client = new SFNClient({})): RunPollerStarter {
  return {
    async start({ run_id, response_id }) {
      try {
        await client.send(
          new StartExecutionCommand({
            stateMachineArn,
            name: run_id,
            input: JSON.stringify({ run_id, response_id, attempt: 0, started_at: new Date().toISOString() }),
          }),
        );
      } catch (error) {
        if (error instanceof ExecutionAlreadyExists) return;
        throw error;
      }
    },
  };
}

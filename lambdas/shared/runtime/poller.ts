/** Starts the Step Functions poller (the chat's 202 path). */
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { RunPollerStarter } from '../ports';

/**
 * The Step Functions client (the Lambda runtime's AWS SDK, lib/functions.ts) is loaded at the
 * first long run, not when the chat function starts: most chat containers never answer 202.
 */
const loadStepFunctionsSdk = () => import('@aws-sdk/client-sfn');

let defaultClient: SFNClient | undefined;

/**
 * The execution name is the run id, so a second start for the same run is a no-op.
 * `client` is for tests; the default is built once per container, at first use.
 */
export function stepFunctionsPoller(stateMachineArn: string, client?: SFNClient): RunPollerStarter {
  return {
    async start({ run_id, response_id }) {
      const { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } = await loadStepFunctionsSdk();
      const sfn = client ?? (defaultClient ??= new SFNClient({}));
      try {
        await sfn.send(
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

/**
 * The long-run poller for local mode: the same poll task code the Step Functions state
 * machine runs in AWS, driven by the same loop (poll → wait `wait_seconds` → poll … until
 * done, or the poll budget is spent → timeout step). Runs in-process, in the background.
 */
import type { RunPollerStarter } from '../lambdas/chat/service';
import { pollRun, type PollerDeps } from '../lambdas/poller/service';

export interface LocalPollerOptions {
  /** Total polling budget before the run is cancelled and marked timed out. */
  readonly maxPollSeconds?: number;
  /** Scales waits down for demos and tests (1 = real seconds). */
  readonly timeScale?: number;
  readonly onError?: (error: unknown) => void;
}

export function localRunPoller(
  deps: PollerDeps,
  options: LocalPollerOptions = {},
): RunPollerStarter & { idle(): Promise<void> } {
  const maxPollSeconds = options.maxPollSeconds ?? 600;
  const scale = options.timeScale ?? 1;
  const active = new Set<Promise<void>>();

  async function drive(runId: string, responseId: string): Promise<void> {
    let state = await pollRun(deps, { run_id: runId, response_id: responseId, attempt: 0 });
    while (state.state === 'pending') {
      if (state.elapsed_seconds >= maxPollSeconds) {
        await pollRun(deps, { ...state, action: 'timeout' });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, state.wait_seconds * 1000 * scale));
      state = await pollRun(deps, state);
    }
  }

  return {
    async start({ run_id, response_id }) {
      const job = drive(run_id, response_id)
        .catch(async (error: unknown) => {
          options.onError?.(error);
          await pollRun(deps, { run_id, response_id, action: 'fail' }).catch(() => undefined);
        })
        .finally(() => active.delete(job));
      active.add(job);
    },
    async idle() {
      while (active.size > 0) await Promise.all([...active]);
    },
  };
}

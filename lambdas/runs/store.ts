/** The runs route's port: a run as its owner sees it. */
import type { RunState } from '../shared/contract/schemas';
import type { StoreCall, StoreCallOptions } from '../shared/store/transport';

export interface RunReader {
  /** The run as its owner sees it; null if unknown or not the user's. */
  getRun(
    input: { readonly run_id: string; readonly user_id: string },
    options?: StoreCallOptions,
  ): Promise<RunState | null>;
}

export function runReader(call: StoreCall): RunReader {
  return { getRun: (input, options) => call('coach_get_run', input, options) };
}

/** The poller's port bound to the store's functions. */
import { exchangeRecorder } from '../shared/store/recording';
import type { StoreCall } from '../shared/store/transport';
import type { PollStore } from './ports';

export function pollStore(call: StoreCall): PollStore {
  return {
    ...exchangeRecorder(call),
    getPendingRun: (input, options) => call('coach_get_pending_run', input, options),
  };
}

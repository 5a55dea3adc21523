/** The chat turn's port bound to the store's functions. */
import { exchangeRecorder } from '../shared/store/recording';
import type { StoreCall } from '../shared/store/transport';
import type { TurnStore } from './ports';

export function turnStore(call: StoreCall): TurnStore {
  return {
    ...exchangeRecorder(call),
    prepareTurn: (input, options) => call('coach_prepare_turn', input, options),
    releaseTurn: async (input, options) => {
      await call('coach_release_turn', input, options);
    },
    beginPendingRun: (input, options) => call('coach_begin_pending_run', input, options),
    saveThreadConversation: (input, options) => call('coach_save_thread_conversation', input, options),
  };
}

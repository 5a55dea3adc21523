/** The ai-data feature's port bound to the store's functions. */
import type { StoreCall } from '../shared/store/transport';
import type { AiDataStore } from './ports';

/** `AiDataStore` over the store's `coach_*` functions. */
export function aiDataStore(call: StoreCall): AiDataStore {
  return {
    exportAiData: (input, options) => call('coach_export_ai_data', input, options),
    beginErasure: (input, options) => call('coach_begin_erasure', input, options),
    erasureStep: (input, options) => call('coach_erasure_step', input, options),
    getErasure: (input, options) => call('coach_get_erasure', input, options),
    failErasure: (input, options) => call('coach_fail_erasure', input, options),
  };
}

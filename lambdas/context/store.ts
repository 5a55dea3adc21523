/** The context route's port: what the database knows about the user that the coach may see. */
import type { CoachContextData } from '../shared/contract/schemas';
import type { StoreCall, StoreCallOptions } from '../shared/store/transport';

export interface ContextStore {
  getContextData(
    input: { readonly user_id: string; readonly goal_id: string | null; readonly recent_limit: number },
    options?: StoreCallOptions,
  ): Promise<CoachContextData>;
}

export function contextStore(call: StoreCall): ContextStore {
  return { getContextData: (input, options) => call('coach_context_data', input, options) };
}

/** The thread-manager's port: the user's threads, bound to the store's functions. */
import type { CoachProfileId, UserAssistantThread } from '../shared/contract/schemas';
import type { ThreadConversationSaver } from '../shared/ports';
import type { StoreCall, StoreCallOptions } from '../shared/store/transport';

export interface ThreadStore extends ThreadConversationSaver {
  /** The user's thread for this assistant type, or null. */
  getThread(
    input: { readonly user_id: string; readonly assistant_type: CoachProfileId },
    options?: StoreCallOptions,
  ): Promise<UserAssistantThread | null>;
  /** `last_interaction_at = now()`; refuses (404) a thread that is not the user's. */
  touchThread(
    input: { readonly user_id: string; readonly thread_id: string },
    options?: StoreCallOptions,
  ): Promise<UserAssistantThread>;
  listThreads(
    input: { readonly user_id: string },
    options?: StoreCallOptions,
  ): Promise<UserAssistantThread[]>;
}

export function threadStore(call: StoreCall): ThreadStore {
  return {
    getThread: (input, options) => call('coach_get_thread', input, options),
    saveThreadConversation: (input, options) => call('coach_save_thread_conversation', input, options),
    touchThread: (input, options) => call('coach_touch_thread', input, options),
    listThreads: (input, options) => call('coach_list_threads', input, options),
  };
}

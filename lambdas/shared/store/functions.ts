/**
 * The names of the Postgres functions behind `ChatStore` (docs/data-model.md). Transports
 * only ever call a name from this list, so a name can never carry SQL.
 */
export const CHAT_STORE_FUNCTIONS = [
  'coach_prepare_turn',
  'coach_record_exchange',
  'coach_release_turn',
  'coach_begin_pending_run',
  'coach_get_pending_run',
  'coach_fail_run',
  'coach_get_run',
  'coach_get_thread',
  'coach_save_thread_conversation',
  'coach_touch_thread',
  'coach_list_threads',
  'coach_context_data',
  'coach_record_feedback',
] as const;

export type ChatStoreFunction = (typeof CHAT_STORE_FUNCTIONS)[number];

const KNOWN: ReadonlySet<string> = new Set(CHAT_STORE_FUNCTIONS);

/** Throws unless `name` is one of the store's functions. */
export function assertChatStoreFunction(name: string): asserts name is ChatStoreFunction {
  if (!KNOWN.has(name)) throw new Error(`Unknown store function: ${JSON.stringify(name)}`);
}

/**
 * How the store reaches the database: call `public.<name>(p)` and return its JSON result.
 * Throws `StoreUnavailableError` when the database cannot be reached or timed out; any
 * other failure is rethrown with its cause.
 */
export interface StoreTransport {
  callFunction(name: ChatStoreFunction, p: unknown): Promise<unknown>;
}

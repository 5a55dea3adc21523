/** The database adapter: one `ChatStore` over the `coach_*` Postgres functions, three transports. */
export { FunctionChatStore } from './function-chat-store';
export {
  CHAT_STORE_FUNCTIONS,
  assertChatStoreFunction,
  type ChatStoreFunction,
  type StoreTransport,
} from './functions';
export { isConnectionFailure, pgliteTransport, pgTransport } from './sql-transports';
export {
  createSupabaseChatStore,
  DEFAULT_STORE_TIMEOUT_MS,
  fetchWithTimeout,
  StoreCallError,
  supabaseTransport,
  type SupabaseChatStoreOptions,
} from './supabase-transport';

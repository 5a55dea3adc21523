/**
 * The one `ChatStore`: each method is one call of its Postgres function, whatever the
 * transport (supabase-js in production, `pg` or PGlite locally and in tests). The functions
 * return the port's JSON shapes as they are, so nothing is validated twice here; the only
 * translation is a refusal (`{"error": {status, code, message}}`) into an `AppError`.
 */
import type {
  ChatReply,
  CoachContextData,
  FeedbackReply,
  RunState,
  UserAssistantThread,
} from '../api-schemas';
import { AppError, badRequest, conflict, forbidden, notFound } from '../errors';
import type { ChatStore, PendingRunDetails, PendingRunRecorded, PreparedTurn } from '../ports';
import type { ChatStoreFunction, StoreTransport } from './functions';

interface Refusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** A refusal is `{"error": {...}}`; a failed run's state has `error` too, but as a string. */
function refusalOf(result: unknown): Refusal | null {
  if (typeof result !== 'object' || result === null || !('error' in result)) return null;
  const error = (result as { error: unknown }).error;
  if (typeof error !== 'object' || error === null) return null;
  const { status, code, message } = error as Record<string, unknown>;
  if (typeof status !== 'number' || typeof code !== 'string') return null;
  return { status, code, message: typeof message === 'string' ? message : code };
}

function toAppError(name: ChatStoreFunction, refusal: Refusal): AppError {
  const options = { cause: { function: name, ...refusal } };
  switch (refusal.status) {
    case 400:
      return badRequest(refusal.code, refusal.message, options);
    case 403:
      return forbidden(refusal.code, refusal.message, options);
    case 404:
      return notFound(refusal.code, refusal.message, options);
    case 409:
      return conflict(refusal.code, refusal.message, options);
    default:
      return new AppError(refusal.status, refusal.code, refusal.message, options);
  }
}

export class FunctionChatStore implements ChatStore {
  constructor(private readonly transport: StoreTransport) {}

  private async call<T>(name: ChatStoreFunction, p: object): Promise<T> {
    const result = await this.transport.callFunction(name, p);
    const refusal = refusalOf(result);
    if (refusal) throw toAppError(name, refusal);
    return result as T;
  }

  prepareTurn(input: Parameters<ChatStore['prepareTurn']>[0]): Promise<PreparedTurn> {
    return this.call('coach_prepare_turn', input);
  }

  recordExchange(input: Parameters<ChatStore['recordExchange']>[0]): Promise<ChatReply> {
    return this.call('coach_record_exchange', input);
  }

  async releaseTurn(input: Parameters<ChatStore['releaseTurn']>[0]): Promise<void> {
    await this.call('coach_release_turn', input);
  }

  beginPendingRun(input: Parameters<ChatStore['beginPendingRun']>[0]): Promise<PendingRunRecorded> {
    return this.call('coach_begin_pending_run', input);
  }

  getPendingRun(input: Parameters<ChatStore['getPendingRun']>[0]): Promise<PendingRunDetails | null> {
    return this.call('coach_get_pending_run', input);
  }

  failRun(input: Parameters<ChatStore['failRun']>[0]): Promise<RunState> {
    return this.call('coach_fail_run', input);
  }

  getRun(input: Parameters<ChatStore['getRun']>[0]): Promise<RunState | null> {
    return this.call('coach_get_run', input);
  }

  getThread(input: Parameters<ChatStore['getThread']>[0]): Promise<UserAssistantThread | null> {
    return this.call('coach_get_thread', input);
  }

  saveThreadConversation(
    input: Parameters<ChatStore['saveThreadConversation']>[0],
  ): Promise<UserAssistantThread> {
    return this.call('coach_save_thread_conversation', input);
  }

  touchThread(input: Parameters<ChatStore['touchThread']>[0]): Promise<UserAssistantThread> {
    return this.call('coach_touch_thread', input);
  }

  listThreads(input: Parameters<ChatStore['listThreads']>[0]): Promise<UserAssistantThread[]> {
    return this.call('coach_list_threads', input);
  }

  getContextData(input: Parameters<ChatStore['getContextData']>[0]): Promise<CoachContextData> {
    return this.call('coach_context_data', input);
  }

  recordFeedback(input: Parameters<ChatStore['recordFeedback']>[0]): Promise<FeedbackReply> {
    return this.call('coach_record_feedback', input);
  }
}

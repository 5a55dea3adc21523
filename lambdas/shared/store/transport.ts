/**
 * The database surface: a few `public.coach_*(p jsonb) returns jsonb` functions
 * (`db/functions/`, docs/data-model.md), reached through a transport (PostgREST `.rpc()` in the
 * Lambdas, SQL locally and in tests). `storeCaller` is the one place that calls them and turns
 * a refusal (`{"error": {status, code, message}}`) into an `AppError`; each feature binds the
 * functions it uses to its own narrow port (`lambdas/<feature>/store.ts`).
 */
import { isErrorCode } from '../contract/errors';
import { AppError } from '../errors';

/** The names of the Postgres functions behind the ports. A transport calls only these. */
export const STORE_FUNCTIONS = [
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
  'coach_export_ai_data',
  'coach_begin_erasure',
  'coach_erasure_step',
  'coach_get_erasure',
  'coach_fail_erasure',
] as const;

export type StoreFunction = (typeof STORE_FUNCTIONS)[number];

const KNOWN: ReadonlySet<string> = new Set(STORE_FUNCTIONS);

/** Throws unless `name` is one of the store's functions, so a name can never carry SQL. */
export function assertStoreFunction(name: string): asserts name is StoreFunction {
  if (!KNOWN.has(name)) throw new Error(`Unknown store function: ${JSON.stringify(name)}`);
}

export interface StoreCallOptions {
  /** The request's abort signal: the call is abandoned (and its transport request aborted) when it fires. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * How the store reaches the database: call `public.<name>(p)` and return its JSON result.
 * Throws `StoreUnavailableError` when the database cannot be reached, timed out or the call
 * was aborted; any other failure is rethrown with its cause.
 */
export interface StoreTransport {
  callFunction(name: StoreFunction, p: unknown, options?: StoreCallOptions): Promise<unknown>;
}

/** Calls one store function and returns its result, a refusal thrown as an `AppError`. */
export type StoreCall = <T>(name: StoreFunction, p: object, options?: StoreCallOptions) => Promise<T>;

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

/** The function's refusal as the contract's error (a code the contract lacks is a fault). */
function toAppError(name: StoreFunction, refusal: Refusal): AppError {
  const cause = { function: name, ...refusal };
  if (!isErrorCode(refusal.code)) {
    return new AppError('internal_error', {
      cause: new Error(`${name} refused with unknown code ${refusal.code}`, { cause }),
    });
  }
  return new AppError(refusal.code, { message: refusal.message, cause });
}

/**
 * A write for a user whose account is gone: every backend table's `user_id` references
 * auth.users, and a Supabase access token stays valid until it expires after its account was
 * deleted. The token is stale, not the service broken: 401, and the app signs the user out.
 * Both transports carry Postgres' SQLSTATE and message (`… foreign key constraint
 * "<table>_user_id_fkey"`).
 */
function isWriteForMissingUser(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (
    code === '23503' &&
    typeof message === 'string' &&
    /foreign key constraint "\w+_user_id_fkey"/.test(message)
  );
}

/** The one way to call the store's functions over a transport. */
export function storeCaller(transport: StoreTransport): StoreCall {
  return async <T>(name: StoreFunction, p: object, options?: StoreCallOptions): Promise<T> => {
    let result: unknown;
    try {
      result = await transport.callFunction(name, p, options);
    } catch (error) {
      if (!isWriteForMissingUser(error)) throw error;
      throw new AppError('unauthorized', { message: 'This account no longer exists.', cause: error });
    }
    const refusal = refusalOf(result);
    if (refusal) throw toAppError(name, refusal);
    return result as T;
  };
}

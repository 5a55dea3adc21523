/**
 * The production transport: supabase-js `.rpc(name, { p })` with the service-role key
 * (PostgREST runs the function as `service_role`, the only role allowed to).
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { StoreUnavailableError } from '../errors';
import { FunctionChatStore } from './function-chat-store';
import { assertChatStoreFunction, type StoreTransport } from './functions';

/** A PostgREST error that is not an outage (e.g. permission denied, a constraint): a fault. */
export class StoreCallError extends Error {
  constructor(
    readonly functionName: string,
    readonly status: number,
    readonly code: string,
    message: string,
    options: { readonly cause: unknown },
  ) {
    super(`${functionName} failed (${status} ${code}): ${message}`, options);
    this.name = 'StoreCallError';
  }
}

interface RpcError {
  readonly message: string;
  readonly code?: string;
  readonly details?: string | null;
  readonly hint?: string | null;
}

/**
 * Outages: no HTTP response at all (supabase-js reports status 0 for a fetch failure, an
 * abort or our timeout), any 5xx (PostgREST answers 503 when it cannot reach Postgres, 504
 * when its pool timed out, 500 for a statement timeout), and PostgREST's connection codes.
 */
function isOutage(status: number, error: RpcError): boolean {
  return status === 0 || status >= 500 || /^PGRST00\d$/.test(error.code ?? '') || error.code === '57014';
}

/** A fetch that rejected before supabase-js could turn it into `{ error, status: 0 }`. */
function isFetchFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'AbortError' ||
    error.name === 'TimeoutError' ||
    (error.name === 'TypeError' && /fetch/i.test(error.message))
  );
}

export function supabaseTransport(client: Pick<SupabaseClient, 'rpc'>): StoreTransport {
  return {
    async callFunction(name, p) {
      assertChatStoreFunction(name);
      let response: { data: unknown; error: RpcError | null; status: number };
      try {
        response = await client.rpc(name, { p });
      } catch (error) {
        if (isFetchFailure(error))
          throw new StoreUnavailableError(`The database could not answer ${name}.`, { cause: error });
        throw error;
      }
      const { data, error, status } = response;
      if (!error) return data ?? null;
      if (isOutage(status, error)) {
        throw new StoreUnavailableError(`The database could not answer ${name}.`, { cause: error });
      }
      throw new StoreCallError(name, status, error.code ?? '', error.message, { cause: error });
    },
  };
}

export interface SupabaseChatStoreOptions {
  readonly url: string;
  readonly serviceRoleKey: string;
  /** For tests: a fetch to use instead of the global one. */
  readonly fetch?: typeof fetch;
  /** Per-request budget; well under the Lambda timeout. */
  readonly timeoutMs?: number;
}

export const DEFAULT_STORE_TIMEOUT_MS = 5_000;

/** A fetch that aborts each request after `timeoutMs` (and still honours the caller's signal). */
export function fetchWithTimeout(baseFetch: typeof fetch, timeoutMs: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return baseFetch(input, { ...init, signal });
  };
}

/** The ChatStore of the Lambdas: the service-role client, no session, a timeout per request. */
export function createSupabaseChatStore(options: SupabaseChatStoreOptions): FunctionChatStore {
  const client = createClient(options.url, options.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: {
      fetch: fetchWithTimeout(
        options.fetch ?? globalThis.fetch,
        options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS,
      ),
    },
  });
  return new FunctionChatStore(supabaseTransport(client));
}

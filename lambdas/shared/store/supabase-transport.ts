/**
 * The production transport: `.rpc(name, { p })` on Supabase's Data API with the service-role
 * key (PostgREST runs the function as `service_role`, the only role allowed to).
 *
 * The client is postgrest-js's `PostgrestClient`, which is what supabase-js's `.rpc()` runs
 * (`createClient(…).rest`), at the version supabase-js locks. supabase-js itself would also
 * bundle its auth, realtime, storage and functions clients, about 210 kB that no function
 * runs; the headers it would add for a service-role key without a session are set here.
 */
import { PostgrestClient } from '@supabase/postgrest-js';
import { StoreUnavailableError } from '../errors';
import { assertStoreFunction, type StoreTransport } from './transport';

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

/** The one method of the client the transport calls (tests may pass another client). */
export interface RpcClient {
  rpc: PostgrestClient['rpc'];
}

export function supabaseTransport(client: RpcClient): StoreTransport {
  return {
    async callFunction(name, p, options = {}) {
      assertStoreFunction(name);
      let response: { data: unknown; error: RpcError | null; status: number };
      try {
        const call = client.rpc(name, { p });
        response = await (options.signal ? call.abortSignal(options.signal) : call);
      } catch (error) {
        if (isFetchFailure(error))
          throw new StoreUnavailableError(`The database could not answer ${name}.`, { cause: error });
        throw error;
      }
      const { data, error, status } = response;
      if (!error) return data ?? null;
      if (isOutage(status, error)) {
        throw new StoreUnavailableError(`The database could not answer ${name}.`, {
          cause: outageCause(error),
        });
      }
      throw new StoreCallError(name, status, error.code ?? '', error.message, { cause: error });
    },
  };
}

/**
 * An outage's cause as an `Error` the logs can show: supabase-js reports a fetch failure as a
 * plain object whose `details` name the reason (`ENOTFOUND`, a timeout, an abort). Only for
 * outages: a refusal's `details` may quote a row, so they are never copied there.
 */
function outageCause(error: RpcError): Error {
  const reason = [error.message, error.details].filter(Boolean).join(': ').slice(0, 300);
  return Object.assign(new Error(reason || 'PostgREST could not be reached'), {
    name: 'PostgrestOutage',
    ...(error.code ? { code: error.code } : {}),
  });
}

export interface SupabaseTransportOptions {
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

/**
 * The transport of the Lambdas: the Data API of the project (`<url>/rest/v1`), the service-role
 * key as supabase-js sends it without a session (`apikey` and `Authorization: Bearer`, new
 * `sb_secret_…` keys included), the `public` schema, a timeout per request.
 */
export function createSupabaseTransport(options: SupabaseTransportOptions): StoreTransport {
  const client = new PostgrestClient(new URL('rest/v1', `${options.url.replace(/\/+$/, '')}/`).href, {
    headers: { apikey: options.serviceRoleKey, Authorization: `Bearer ${options.serviceRoleKey}` },
    schema: 'public',
    fetch: fetchWithTimeout(options.fetch ?? globalThis.fetch, options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS),
  });
  return supabaseTransport(client);
}

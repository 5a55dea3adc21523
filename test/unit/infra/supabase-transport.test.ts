/**
 * The Lambdas' store transport uses postgrest-js alone instead of supabase-js: its requests
 * must be the ones supabase-js's `.rpc()` sends with the same key, byte for byte where
 * PostgREST reads them.
 */
import { describe, expect, it } from '@jest/globals';
import { createClient } from '@supabase/supabase-js';
import { createSupabaseTransport } from '../../../lambdas/shared/store/supabase-transport';

interface Captured {
  readonly method: string;
  readonly url: string;
  readonly body: string;
  readonly headers: Record<string, string>;
}

/** A fetch that records the request and answers as PostgREST does for a function returning jsonb. */
function recordingFetch(into: Captured[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    into.push({
      method: request.method,
      url: request.url,
      body: await request.text(),
      headers: Object.fromEntries(request.headers),
    });
    return new Response(JSON.stringify({ ok: true }), {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
  };
}

/** What PostgREST reads of a request: everything but supabase-js's own client banner. */
function asPostgrestSeesIt({ headers, ...rest }: Captured) {
  const { 'x-client-info': _banner, ...read } = headers;
  return { ...rest, headers: read };
}

describe('the supabase transport', () => {
  it.each([
    ['a legacy service-role JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl'],
    ['a new secret key', 'sb_secret_0123456789abcdefghijklmn'],
  ])('sends with %s the request supabase-js .rpc() sends', async (_kind, key) => {
    const ours: Captured[] = [];
    const theirs: Captured[] = [];
    const p = { user_id: '5f0c2d4e-0000-4000-8000-000000000001', thread_id: null };

    const result = await createSupabaseTransport({
      url: 'https://project.supabase.co/',
      serviceRoleKey: key,
      fetch: recordingFetch(ours),
    }).callFunction('coach_list_threads', p);
    await createClient('https://project.supabase.co/', key, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      global: { fetch: recordingFetch(theirs) },
    }).rpc('coach_list_threads', { p });

    expect(result).toEqual({ ok: true });
    expect(ours).toHaveLength(1);
    expect(asPostgrestSeesIt(ours[0]!)).toEqual(asPostgrestSeesIt(theirs[0]!));
    expect(ours[0]).toMatchObject({
      method: 'POST',
      url: 'https://project.supabase.co/rest/v1/rpc/coach_list_threads',
      headers: { apikey: key, authorization: `Bearer ${key}` },
    });
  });
});

/**
 * The streamed chat route as a client reads it (`npm run chat`, and what the iOS app's
 * `URLSession.bytes` loop does): `POST …/openai-chat-completion/stream`, its server-sent
 * events parsed as they arrive, each delta handed on at once. A refusal before the stream is
 * the JSON route's error answer; a stream that breaks is reported as such, with the run it
 * was answering, so the caller can fall back to the JSON route or the run.
 */
import type { ChatReply } from '../lambdas/shared/contract/schemas';

/** One parsed event. */
export interface ReadEvent {
  readonly event: string;
  readonly id: string | null;
  readonly data: unknown;
}

/** How a streamed request ended. */
export type StreamOutcome =
  | { readonly kind: 'done'; readonly reply: unknown; readonly runId: string | null }
  | { readonly kind: 'error'; readonly error: Record<string, unknown>; readonly runId: string | null }
  /** The connection ended before `done` or `error`. */
  | { readonly kind: 'broken'; readonly runId: string | null }
  /** Not a stream: the JSON answer (a refusal, or a server without the stream route). */
  | { readonly kind: 'json'; readonly response: Response };

/** The events of an SSE body as they arrive (`event:`, `id:`, `data:` lines; a blank line ends one). */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ReadEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const parsed = parseFrame(frame);
      if (parsed) yield parsed;
    }
  }
}

function parseFrame(frame: string): ReadEvent | null {
  let event = 'message';
  let id: string | null = null;
  const data: string[] = [];
  for (const line of frame.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const field = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return null;
  try {
    return { event, id, data: JSON.parse(data.join('\n')) as unknown };
  } catch {
    return null;
  }
}

/** Sends a message on the stream route and follows its events, relaying each delta's text. */
export async function streamMessage(
  fetchImpl: typeof fetch,
  url: string,
  init: { readonly token: string; readonly body: unknown; readonly signal: AbortSignal },
  onDelta: (text: string) => void,
): Promise<StreamOutcome> {
  const response = await fetchImpl(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${init.token}`,
      accept: 'text/event-stream',
      'content-type': 'application/json',
    },
    body: JSON.stringify(init.body),
    signal: init.signal,
  });
  if (!response.headers.get('content-type')?.startsWith('text/event-stream') || !response.body) {
    return { kind: 'json', response };
  }
  let runId: string | null = null;
  try {
    for await (const { event, data } of readEvents(response.body)) {
      const fields = (data ?? {}) as Record<string, unknown>;
      if (event === 'meta' && typeof fields.run_id === 'string') runId = fields.run_id;
      else if (event === 'delta' && typeof fields.text === 'string') onDelta(fields.text);
      else if (event === 'done') return { kind: 'done', reply: data as ChatReply, runId };
      else if (event === 'error') return { kind: 'error', error: fields, runId };
    }
  } catch (error) {
    if (init.signal.aborted) throw error;
  }
  return { kind: 'broken', runId };
}

/**
 * A fake OpenAI server: a real HTTP server on 127.0.0.1 speaking the Responses and
 * Conversations APIs as the official description (`openai-openapi.yaml`) shapes them, so the
 * real `openai` SDK, the local server and the Step Functions poller can all use it as
 * `baseURL`. Its JSON bodies and every streamed event are checked against that description
 * in `test/integration/openai/fake-conformance.test.ts`, so it cannot drift from the real API.
 *
 * Implemented: `POST /v1/conversations`, `GET /v1/conversations/{id}`,
 * `GET /v1/conversations/{id}/items`, `POST /v1/responses` (JSON, or SSE with `stream: true`),
 * `GET /v1/responses/{id}` (JSON, or SSE with `?stream=true&starting_after=N`),
 * `POST /v1/responses/{id}/cancel`. Requests need `Authorization: Bearer <apiKey>`.
 *
 * Like the real service:
 * - a response with a `conversation` sees the conversation's stored items (its usage grows
 *   with them) and appends the user input at creation and the assistant output when done;
 * - a create on a conversation whose response is still running gets 400 `conversation_locked`;
 * - background responses keep running when the client disconnects; `response.model` is the
 *   dated snapshot (`gpt-6.1-sol` → `gpt-6.1-sol-2026-10-02`) unless `snapshotModels: false`;
 * - in-progress responses carry no `usage` (the description's `usage` is not nullable).
 *
 * Scriptable per test: `script(...)` queues behaviours for the next `POST /v1/responses`
 * calls (default: answer normally), `scriptConversations(...)` and `scriptRetrieves(...)`
 * do the same for conversation creates and response retrieves. Every request is recorded
 * (`requests`), every body and event sent too (`sent`, with the schema it must satisfy).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FakeBehaviour =
  /** Answer normally: `text` (default "Coach reply to: <first 40 chars of the input>"). */
  | { readonly kind: 'ok'; readonly text?: string }
  /** Refuse before accepting, with OpenAI's error body; `retryAfterMs` sets `retry-after-ms`. */
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly code?: string | null;
      readonly type?: string;
      readonly message?: string;
      readonly param?: string | null;
      readonly retryAfterMs?: number;
      readonly retryAfterSeconds?: number;
    }
  /** Never answer (the client's timeout fires); nothing is created. */
  | { readonly kind: 'hang' }
  /** Create the response (it runs to completion) then destroy the socket before answering. */
  | { readonly kind: 'reset_after_accept'; readonly text?: string }
  /** Destroy the socket without creating anything. */
  | { readonly kind: 'reset_before_accept' }
  /** Stay `in_progress` for `pollsUntilDone` retrieves; a stream sends created/in_progress and holds. */
  | { readonly kind: 'slow'; readonly pollsUntilDone: number; readonly text?: string }
  /** The response fails (`response.failed`, `error.code`). */
  | { readonly kind: 'fail'; readonly code?: string; readonly message?: string }
  /** The response ends incomplete (`response.incomplete`, `incomplete_details.reason`). */
  | { readonly kind: 'incomplete'; readonly reason?: 'max_output_tokens' | 'content_filter' }
  /** The response completes upstream, but the stream breaks after `afterEvents` events. */
  | { readonly kind: 'break_stream'; readonly afterEvents: number; readonly text?: string }
  /** The stream carries an `error` event and the response fails. */
  | { readonly kind: 'stream_error'; readonly code?: string; readonly message?: string };

export type FakeSimpleBehaviour = Extract<
  FakeBehaviour,
  { kind: 'ok' | 'error' | 'hang' | 'reset_after_accept' }
>;

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/v1/responses`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed JSON body, or undefined when there was none. */
  readonly body: unknown;
}

export interface SentMessage {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** `json` body or one SSE `event`. */
  readonly kind: 'json' | 'event';
  /** The component schema of openai-openapi.yaml this body must satisfy. */
  readonly schema: string;
  readonly body: unknown;
}

type Json = Record<string, unknown>;

export interface FakeResponse {
  readonly id: string;
  readonly request: Json;
  readonly conversationId: string | null;
  readonly background: boolean;
  /** The current Response object, as `GET /v1/responses/{id}` returns it. */
  response: Json;
  /** Every event of this response so far, in sequence order (replayed by `starting_after`). */
  readonly events: Json[];
  /** How many conversation items the response saw before its input (0 on a first turn). */
  readonly contextItemCount: number;
  retrieves: number;
}

export interface OpenAIFake {
  /** `http://127.0.0.1:<port>/v1`: the SDK's `baseURL`. */
  readonly baseURL: string;
  readonly apiKey: string;
  readonly requests: RecordedRequest[];
  readonly sent: SentMessage[];
  readonly responses: Map<string, FakeResponse>;
  readonly conversations: Map<string, { readonly resource: Json; readonly items: Json[] }>;
  /** Queue behaviours for the next `POST /v1/responses` calls. */
  script(...behaviours: FakeBehaviour[]): void;
  scriptConversations(...behaviours: FakeSimpleBehaviour[]): void;
  scriptRetrieves(...behaviours: Array<Extract<FakeBehaviour, { kind: 'ok' | 'error' | 'hang' }>>): void;
  /** Finish a `slow` response now, as if its last poll had happened. */
  finish(responseId: string): void;
  /** The recorded requests matching a method and path (`/v1/responses`, or a RegExp). */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[];
  /** Forget requests, scripts, responses and conversations. */
  reset(): void;
  close(): Promise<void>;
}

export interface OpenAIFakeOptions {
  readonly apiKey?: string;
  /** Report dated model snapshots like the real API (default true). */
  readonly snapshotModels?: boolean;
}

const SNAPSHOT_SUFFIX = '-2026-10-02';

interface State {
  readonly apiKey: string;
  readonly snapshotModels: boolean;
  readonly requests: RecordedRequest[];
  readonly sent: SentMessage[];
  readonly responses: Map<string, FakeResponse>;
  readonly conversations: Map<string, { readonly resource: Json; readonly items: Json[] }>;
  readonly createScript: FakeBehaviour[];
  readonly conversationScript: FakeSimpleBehaviour[];
  readonly retrieveScript: Array<Extract<FakeBehaviour, { kind: 'ok' | 'error' | 'hang' }>>;
  readonly cacheKeys: Set<string>;
  /** What remains to happen to a running response, and the open streams waiting for it. */
  readonly pending: Map<
    string,
    { readonly plan: Plan; pollsUntilDone: number; readonly listeners: Set<StreamListener> }
  >;
}

type Plan =
  | { readonly outcome: 'completed'; readonly text: string }
  | {
      readonly outcome: 'incomplete';
      readonly text: string;
      readonly reason: 'max_output_tokens' | 'content_filter';
    }
  | { readonly outcome: 'failed'; readonly code: string; readonly message: string }
  | { readonly outcome: 'error_event'; readonly code: string; readonly message: string };

interface StreamListener {
  write(event: Json): void;
  end(): void;
}

export async function startOpenAIFake(options: OpenAIFakeOptions = {}): Promise<OpenAIFake> {
  const state: State = {
    apiKey: options.apiKey ?? `sk-test-${randomBytes(12).toString('hex')}`,
    snapshotModels: options.snapshotModels ?? true,
    requests: [],
    sent: [],
    responses: new Map(),
    conversations: new Map(),
    createScript: [],
    conversationScript: [],
    retrieveScript: [],
    cacheKeys: new Set(),
    pending: new Map(),
  };
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(state, req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(state, req, res, 500, 'server_error', null, String(error));
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    apiKey: state.apiKey,
    requests: state.requests,
    sent: state.sent,
    responses: state.responses,
    conversations: state.conversations,
    script: (...behaviours) => void state.createScript.push(...behaviours),
    scriptConversations: (...behaviours) => void state.conversationScript.push(...behaviours),
    scriptRetrieves: (...behaviours) => void state.retrieveScript.push(...behaviours),
    finish: (responseId) => finishResponse(state, responseId),
    requestsTo: (method, path) =>
      state.requests.filter(
        (r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
      ),
    reset() {
      for (const pending of state.pending.values()) for (const listener of pending.listeners) listener.end();
      state.requests.length = 0;
      state.sent.length = 0;
      state.responses.clear();
      state.conversations.clear();
      state.createScript.length = 0;
      state.conversationScript.length = 0;
      state.retrieveScript.length = 0;
      state.cacheKeys.clear();
      state.pending.clear();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handle(state: State, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake.local');
  const raw = await readBody(req);
  let body: unknown;
  if (raw !== '') {
    try {
      body = JSON.parse(raw) as unknown;
    } catch {
      state.requests.push(record(req, url, raw));
      return sendError(
        state,
        req,
        res,
        400,
        'invalid_request_error',
        null,
        'We could not parse the JSON body of your request.',
      );
    }
  }
  state.requests.push(record(req, url, body));

  if (req.headers.authorization !== `Bearer ${state.apiKey}`) {
    return sendError(
      state,
      req,
      res,
      401,
      'invalid_request_error',
      'invalid_api_key',
      'Incorrect API key provided.',
    );
  }

  const path = url.pathname;
  const method = req.method ?? 'GET';
  let match: RegExpExecArray | null;
  if (method === 'POST' && path === '/v1/conversations')
    return createConversation(state, req, res, asObject(body));
  if (method === 'GET' && (match = /^\/v1\/conversations\/([^/]+)$/.exec(path))) {
    const conversation = state.conversations.get(decodeURIComponent(match[1] ?? ''));
    if (!conversation) return notFound(state, req, res, 'Conversation', match[1] ?? '');
    return sendJson(state, req, res, 200, 'ConversationResource', conversation.resource);
  }
  if (method === 'GET' && (match = /^\/v1\/conversations\/([^/]+)\/items$/.exec(path))) {
    return listItems(state, req, res, decodeURIComponent(match[1] ?? ''), url.searchParams);
  }
  if (method === 'POST' && path === '/v1/responses') return createResponse(state, req, res, asObject(body));
  if (method === 'GET' && (match = /^\/v1\/responses\/([^/]+)$/.exec(path))) {
    return retrieveResponse(state, req, res, decodeURIComponent(match[1] ?? ''), url.searchParams);
  }
  if (method === 'POST' && (match = /^\/v1\/responses\/([^/]+)\/cancel$/.exec(path))) {
    return cancelResponse(state, req, res, decodeURIComponent(match[1] ?? ''));
  }
  return sendError(state, req, res, 404, 'invalid_request_error', null, `Invalid URL (${method} ${path})`);
}

// ---------------------------------------------------------------------------------------
// Conversations
// ---------------------------------------------------------------------------------------

function createConversation(state: State, req: IncomingMessage, res: ServerResponse, body: Json): void {
  const behaviour = state.conversationScript.shift() ?? { kind: 'ok' };
  if (behaviour.kind === 'error') return sendScriptedError(state, req, res, behaviour);
  if (behaviour.kind === 'hang') return;
  const resource = {
    id: newId('conv'),
    object: 'conversation',
    created_at: nowSeconds(),
    metadata: isObject(body.metadata) ? body.metadata : {},
  };
  const items = Array.isArray(body.items) ? body.items.flatMap((item) => inputItems(item)) : [];
  state.conversations.set(resource.id, { resource, items });
  if (behaviour.kind === 'reset_after_accept') return void req.socket.destroy();
  sendJson(state, req, res, 200, 'ConversationResource', resource);
}

function listItems(
  state: State,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
  query: URLSearchParams,
): void {
  const conversation = state.conversations.get(id);
  if (!conversation) return notFound(state, req, res, 'Conversation', id);
  const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 20) || 20));
  const order = query.get('order') === 'asc' ? 'asc' : 'desc';
  let items = order === 'asc' ? [...conversation.items] : [...conversation.items].reverse();
  const after = query.get('after');
  if (after) items = items.slice(items.findIndex((item) => item.id === after) + 1);
  const data = items.slice(0, limit);
  sendJson(state, req, res, 200, 'ConversationItemList', {
    object: 'list',
    data,
    // The description requires both ids as strings, even for an empty page.
    first_id: String(data[0]?.id ?? ''),
    last_id: String(data[data.length - 1]?.id ?? ''),
    has_more: items.length > limit,
  });
}

/** The conversation items an input (string, message or message list) becomes. */
function inputItems(input: unknown): Json[] {
  if (typeof input === 'string') return [userMessage(input)];
  if (Array.isArray(input)) return input.flatMap((item) => inputItems(item));
  if (!isObject(input) || (input.type !== undefined && input.type !== 'message')) return [];
  const role = typeof input.role === 'string' ? input.role : 'user';
  const content =
    typeof input.content === 'string'
      ? [{ type: role === 'assistant' ? 'output_text' : 'input_text', text: input.content }]
      : Array.isArray(input.content)
        ? input.content
        : [];
  return [
    {
      type: 'message',
      id: newId('msg'),
      status: 'completed',
      role,
      content: content.map((part: unknown) =>
        isObject(part) && part.type === 'output_text' ? { annotations: [], logprobs: [], ...part } : part,
      ),
    },
  ];
}

function userMessage(text: string): Json {
  return {
    type: 'message',
    id: newId('msg'),
    status: 'completed',
    role: 'user',
    content: [{ type: 'input_text', text }],
  };
}

// ---------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------

function createResponse(state: State, req: IncomingMessage, res: ServerResponse, body: Json): void {
  const behaviour = state.createScript.shift() ?? { kind: 'ok' };
  if (behaviour.kind === 'error') return sendScriptedError(state, req, res, behaviour);
  if (behaviour.kind === 'hang') return;
  if (behaviour.kind === 'reset_before_accept') return void req.socket.destroy();

  if (typeof body.model !== 'string' || body.model === '') {
    return sendError(
      state,
      req,
      res,
      400,
      'invalid_request_error',
      'missing_required_parameter',
      "Missing required parameter: 'model'.",
      'model',
    );
  }
  const conversationId =
    typeof body.conversation === 'string'
      ? body.conversation
      : isObject(body.conversation) && typeof body.conversation.id === 'string'
        ? body.conversation.id
        : null;
  if (conversationId !== null && body.previous_response_id) {
    return sendError(
      state,
      req,
      res,
      400,
      'invalid_request_error',
      null,
      'Cannot use both conversation and previous_response_id.',
      'conversation',
    );
  }
  const conversation = conversationId === null ? undefined : state.conversations.get(conversationId);
  if (conversationId !== null && !conversation) {
    return sendError(
      state,
      req,
      res,
      404,
      'invalid_request_error',
      null,
      `Conversation with id '${conversationId}' not found.`,
      'conversation',
    );
  }
  if (
    conversationId !== null &&
    [...state.responses.values()].some((r) => r.conversationId === conversationId && isRunning(r))
  ) {
    return sendError(
      state,
      req,
      res,
      400,
      'invalid_request_error',
      'conversation_locked',
      'Another process is currently operating on this conversation. Please retry in a few seconds.',
      'conversation',
    );
  }

  const background = body.background === true;
  const stream = body.stream === true;
  const inputText = textOfInput(body.input);
  const plan = planFor(behaviour, inputText);
  const created: FakeResponse = {
    id: newId('resp'),
    request: body,
    conversationId,
    background,
    response: {},
    events: [],
    contextItemCount: conversation?.items.length ?? 0,
    retrieves: 0,
  };
  created.response = responseObject(state, created, background ? 'queued' : 'in_progress');
  const accepted = snapshot(created.response);
  state.responses.set(created.id, created);
  conversation?.items.push(...inputItems(body.input ?? ''));
  const slow = behaviour.kind === 'slow' && behaviour.pollsUntilDone > 0;
  state.pending.set(created.id, {
    plan,
    pollsUntilDone: behaviour.kind === 'slow' ? Math.max(0, behaviour.pollsUntilDone) : 0,
    listeners: new Set(),
  });
  emit(created, { type: 'response.created', response: accepted });
  created.response = { ...created.response, status: 'in_progress' };
  emit(created, { type: 'response.in_progress', response: snapshot(created.response) });

  if (behaviour.kind === 'reset_after_accept') {
    // Accepted upstream: the response runs on, but the client never hears of it.
    finishResponse(state, created.id);
    return void req.socket.destroy();
  }
  if (!stream) {
    if (!slow) finishResponse(state, created.id);
    // A background create answers at once with the queued response; a foreground one when done.
    return sendJson(state, req, res, 200, 'Response', background ? accepted : created.response);
  }
  const cutAfter = behaviour.kind === 'break_stream' ? behaviour.afterEvents : Infinity;
  openStream(state, req, res, created, -1, cutAfter);
  if (!slow) finishResponse(state, created.id);
}

function retrieveResponse(
  state: State,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
  query: URLSearchParams,
): void {
  const found = state.responses.get(id);
  const behaviour = state.retrieveScript.shift() ?? { kind: 'ok' };
  if (behaviour.kind === 'error') return sendScriptedError(state, req, res, behaviour);
  if (behaviour.kind === 'hang') return;
  if (!found) return notFound(state, req, res, 'Response', id);
  found.retrieves += 1;
  const pending = state.pending.get(id);
  if (pending && found.retrieves >= pending.pollsUntilDone) finishResponse(state, id);

  if (query.get('stream') === 'true') {
    const startingAfter = Number(query.get('starting_after') ?? -1);
    return openStream(state, req, res, found, Number.isFinite(startingAfter) ? startingAfter : -1, Infinity);
  }
  sendJson(state, req, res, 200, 'Response', found.response);
}

function cancelResponse(state: State, req: IncomingMessage, res: ServerResponse, id: string): void {
  const found = state.responses.get(id);
  if (!found) return notFound(state, req, res, 'Response', id);
  if (!found.background) {
    return sendError(
      state,
      req,
      res,
      400,
      'invalid_request_error',
      null,
      'Only responses created with background=true can be cancelled.',
    );
  }
  const status = found.response.status;
  if (status === 'completed' || status === 'failed' || status === 'incomplete') {
    return sendError(
      state,
      req,
      res,
      400,
      'invalid_request_error',
      null,
      `Cannot cancel a response with status '${String(status)}'.`,
    );
  }
  if (status !== 'cancelled') {
    found.response = { ...found.response, status: 'cancelled' };
    const pending = state.pending.get(id);
    state.pending.delete(id);
    for (const listener of pending?.listeners ?? []) listener.end();
  }
  sendJson(state, req, res, 200, 'Response', found.response);
}

/** Streams the response's events after `startingAfter`, then follows it until it ends (or the client leaves). */
function openStream(
  state: State,
  req: IncomingMessage,
  res: ServerResponse,
  target: FakeResponse,
  startingAfter: number,
  cutAfter: number,
): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-request-id': newId('req'),
  });
  let written = 0;
  const listener: StreamListener = {
    write(event) {
      // After the cut nothing more is sent; the socket is destroyed once the cut is flushed.
      if (res.destroyed || written >= cutAfter) return;
      recordSent(state, req, 200, 'event', schemaForEvent(String(event.type)), event);
      written += 1;
      const cut = written >= cutAfter;
      res.write(`event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`, () => {
        if (cut) res.destroy();
      });
    },
    end() {
      if (!res.destroyed && written < cutAfter) res.end();
    },
  };
  for (const event of target.events) if (Number(event.sequence_number) > startingAfter) listener.write(event);
  const pending = state.pending.get(target.id);
  if (!pending) return listener.end();
  pending.listeners.add(listener);
  req.on('close', () => pending.listeners.delete(listener));
  res.on('close', () => pending.listeners.delete(listener));
}

function isRunning(response: FakeResponse): boolean {
  return response.response.status === 'queued' || response.response.status === 'in_progress';
}

function planFor(behaviour: FakeBehaviour, inputText: string): Plan {
  const text = ('text' in behaviour && behaviour.text) || `Coach reply to: ${inputText.slice(0, 40)}`;
  switch (behaviour.kind) {
    case 'fail':
      return {
        outcome: 'failed',
        code: behaviour.code ?? 'server_error',
        message: behaviour.message ?? 'The model failed to generate a response.',
      };
    case 'stream_error':
      return {
        outcome: 'error_event',
        code: behaviour.code ?? 'server_error',
        message: behaviour.message ?? 'An error occurred while processing your request.',
      };
    case 'incomplete':
      return { outcome: 'incomplete', text, reason: behaviour.reason ?? 'max_output_tokens' };
    default:
      return { outcome: 'completed', text };
  }
}

/** Runs the rest of a response's life: output events, usage, the final status, the conversation items. */
function finishResponse(state: State, id: string): void {
  const target = state.responses.get(id);
  const pending = state.pending.get(id);
  if (!target || !pending) return;
  state.pending.delete(id);
  const { plan } = pending;
  const write = (event: Json) => {
    const sent = emit(target, event);
    for (const listener of pending.listeners) listener.write(sent);
  };

  if (plan.outcome === 'failed' || plan.outcome === 'error_event') {
    const error = { code: plan.code, message: plan.message };
    target.response = { ...target.response, status: 'failed', error };
    if (plan.outcome === 'error_event')
      write({ type: 'error', code: plan.code, message: plan.message, param: null });
    else write({ type: 'response.failed', response: snapshot(target.response) });
    for (const listener of pending.listeners) listener.end();
    return;
  }

  const text =
    plan.outcome === 'incomplete' ? plan.text.slice(0, Math.ceil(plan.text.length / 2)) : plan.text;
  const itemId = newId('msg');
  const itemStatus = plan.outcome === 'incomplete' ? 'incomplete' : 'completed';
  const part = (t: string) => ({ type: 'output_text', text: t, annotations: [], logprobs: [] });
  const item = (status: string, content: Json[]) => ({
    id: itemId,
    type: 'message',
    status,
    role: 'assistant',
    content,
  });

  write({ type: 'response.output_item.added', output_index: 0, item: item('in_progress', []) });
  write({
    type: 'response.content_part.added',
    item_id: itemId,
    output_index: 0,
    content_index: 0,
    part: part(''),
  });
  for (const delta of chunks(text)) {
    write({
      type: 'response.output_text.delta',
      item_id: itemId,
      output_index: 0,
      content_index: 0,
      delta,
      logprobs: [],
    });
  }
  write({
    type: 'response.output_text.done',
    item_id: itemId,
    output_index: 0,
    content_index: 0,
    text,
    logprobs: [],
  });
  write({
    type: 'response.content_part.done',
    item_id: itemId,
    output_index: 0,
    content_index: 0,
    part: part(text),
  });
  const done = item(itemStatus, [part(text)]);
  write({ type: 'response.output_item.done', output_index: 0, item: done });

  target.response = {
    ...target.response,
    status: plan.outcome,
    output: [done],
    usage: usageFor(state, target, text),
    ...(plan.outcome === 'completed'
      ? { completed_at: nowSeconds() }
      : { incomplete_details: { reason: plan.reason } }),
  };
  if (target.conversationId) state.conversations.get(target.conversationId)?.items.push(snapshot(done));
  write({
    type: plan.outcome === 'completed' ? 'response.completed' : 'response.incomplete',
    response: snapshot(target.response),
  });
  for (const listener of pending.listeners) listener.end();
}

/** Numbers shaped like real usage: input grows with instructions and history, output includes reasoning. */
function usageFor(state: State, target: FakeResponse, text: string): Json {
  const request = target.request;
  const tokens = (s: string) => Math.ceil(s.length / 4);
  const instructions = typeof request.instructions === 'string' ? request.instructions : '';
  const history = target.conversationId
    ? (state.conversations.get(target.conversationId)?.items ?? []).map((item) => textOfItem(item)).join(' ')
    : textOfInput(request.input);
  const inputTokens = 12 + tokens(instructions) + tokens(history);
  const prefix = Math.floor(tokens(instructions) / 128) * 128;
  const cacheKey = typeof request.prompt_cache_key === 'string' ? request.prompt_cache_key : null;
  const warm = cacheKey !== null && state.cacheKeys.has(cacheKey);
  if (cacheKey !== null) state.cacheKeys.add(cacheKey);
  const effort = isObject(request.reasoning) ? request.reasoning.effort : null;
  const reasoning =
    ({ none: 0, minimal: 16, low: 64, medium: 192, high: 512 } as Record<string, number>)[String(effort)] ??
    0;
  const outputTokens = tokens(text) + reasoning;
  return {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: warm ? prefix : 0, cache_write_tokens: warm ? 0 : prefix },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: inputTokens + outputTokens,
  };
}

function responseObject(state: State, target: FakeResponse, status: string): Json {
  const request = target.request;
  const model = String(request.model);
  const reasoning = isObject(request.reasoning) ? request.reasoning : {};
  return {
    id: target.id,
    object: 'response',
    created_at: nowSeconds(),
    status,
    background: target.background,
    completed_at: null,
    conversation: target.conversationId ? { id: target.conversationId } : null,
    error: null,
    incomplete_details: null,
    instructions: typeof request.instructions === 'string' ? request.instructions : null,
    max_output_tokens: typeof request.max_output_tokens === 'number' ? request.max_output_tokens : null,
    max_tool_calls: null,
    model: state.snapshotModels && !/-\d{4}-\d{2}-\d{2}$/.test(model) ? `${model}${SNAPSHOT_SUFFIX}` : model,
    output: [],
    parallel_tool_calls: true,
    previous_response_id: null,
    prompt_cache_key: typeof request.prompt_cache_key === 'string' ? request.prompt_cache_key : null,
    reasoning: { effort: typeof reasoning.effort === 'string' ? reasoning.effort : null, summary: null },
    safety_identifier: typeof request.safety_identifier === 'string' ? request.safety_identifier : null,
    service_tier: 'default',
    store: request.store !== false,
    temperature: typeof request.temperature === 'number' ? request.temperature : 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_logprobs: 0,
    top_p: typeof request.top_p === 'number' ? request.top_p : 1,
    truncation: 'disabled',
    metadata: isObject(request.metadata) ? request.metadata : {},
  };
}

/** Adds the next sequence number, stores the event for replay, returns it. */
function emit(target: FakeResponse, event: Json): Json {
  const full = { ...event, sequence_number: target.events.length };
  target.events.push(full);
  return full;
}

function schemaForEvent(type: string): string {
  const names: Record<string, string> = {
    'response.created': 'ResponseCreatedEvent',
    'response.queued': 'ResponseQueuedEvent',
    'response.in_progress': 'ResponseInProgressEvent',
    'response.output_item.added': 'ResponseOutputItemAddedEvent',
    'response.content_part.added': 'ResponseContentPartAddedEvent',
    'response.output_text.delta': 'ResponseTextDeltaEvent',
    'response.output_text.done': 'ResponseTextDoneEvent',
    'response.content_part.done': 'ResponseContentPartDoneEvent',
    'response.output_item.done': 'ResponseOutputItemDoneEvent',
    'response.completed': 'ResponseCompletedEvent',
    'response.failed': 'ResponseFailedEvent',
    'response.incomplete': 'ResponseIncompleteEvent',
    error: 'ResponseErrorEvent',
  };
  return names[type] ?? 'ResponseStreamEvent';
}

// ---------------------------------------------------------------------------------------
// HTTP plumbing
// ---------------------------------------------------------------------------------------

function sendJson(
  state: State,
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  schema: string,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  recordSent(state, req, status, 'json', schema, body);
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-request-id': newId('req'),
    ...headers,
  });
  res.end(text);
}

function sendError(
  state: State,
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  type: string,
  code: string | null,
  message: string,
  param: string | null = null,
  headers: Record<string, string> = {},
): void {
  sendJson(state, req, res, status, 'ErrorResponse', { error: { message, type, param, code } }, headers);
}

function sendScriptedError(
  state: State,
  req: IncomingMessage,
  res: ServerResponse,
  behaviour: Extract<FakeBehaviour, { kind: 'error' }>,
): void {
  const defaults = errorDefaults(behaviour.status, behaviour.code);
  const headers: Record<string, string> = {};
  if (behaviour.retryAfterMs !== undefined) headers['retry-after-ms'] = String(behaviour.retryAfterMs);
  if (behaviour.retryAfterSeconds !== undefined) headers['retry-after'] = String(behaviour.retryAfterSeconds);
  sendError(
    state,
    req,
    res,
    behaviour.status,
    behaviour.type ?? defaults.type,
    behaviour.code === undefined ? defaults.code : behaviour.code,
    behaviour.message ?? defaults.message,
    behaviour.param ?? null,
    headers,
  );
}

/** OpenAI's usual error bodies per status (types and messages as the service sends them). */
function errorDefaults(
  status: number,
  code: string | null | undefined,
): { type: string; code: string | null; message: string } {
  if (code === 'insufficient_quota') {
    return {
      type: 'insufficient_quota',
      code,
      message: 'You exceeded your current quota, please check your plan and billing details.',
    };
  }
  if (status === 429) {
    return {
      type: 'requests',
      code: code ?? 'rate_limit_exceeded',
      message: 'Rate limit reached for requests. Please try again in 1s.',
    };
  }
  if (status === 401)
    return {
      type: 'invalid_request_error',
      code: code ?? 'invalid_api_key',
      message: 'Incorrect API key provided.',
    };
  if (status >= 500) {
    return {
      type: 'server_error',
      code: code ?? null,
      message: 'The server had an error while processing your request. Sorry about that!',
    };
  }
  return { type: 'invalid_request_error', code: code ?? null, message: 'Invalid request.' };
}

function notFound(state: State, req: IncomingMessage, res: ServerResponse, what: string, id: string): void {
  sendError(state, req, res, 404, 'invalid_request_error', null, `${what} with id '${id}' not found.`);
}

function recordSent(
  state: State,
  req: IncomingMessage,
  status: number,
  kind: 'json' | 'event',
  schema: string,
  body: unknown,
): void {
  const url = new URL(req.url ?? '/', 'http://fake.local');
  state.sent.push({
    method: req.method ?? 'GET',
    path: url.pathname,
    status,
    kind,
    schema,
    body: snapshot(body),
  });
}

function record(req: IncomingMessage, url: URL, body: unknown): RecordedRequest {
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { ...req.headers },
    body,
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------

function textOfInput(input: unknown): string {
  if (typeof input === 'string') return input;
  return inputItems(input)
    .map((item) => textOfItem(item))
    .join('\n');
}

function textOfItem(item: Json): string {
  if (!Array.isArray(item.content)) return '';
  return item.content
    .map((part: unknown) => (isObject(part) && typeof part.text === 'string' ? part.text : ''))
    .join('');
}

/** A reply split into a few deltas at word boundaries, like a real stream. */
function chunks(text: string): string[] {
  const words = text.split(/(?<= )/);
  const size = Math.max(1, Math.ceil(words.length / 4));
  const out: string[] = [];
  for (let i = 0; i < words.length; i += size) out.push(words.slice(i, i + size).join(''));
  return out.length > 0 ? out : [''];
}

function newId(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('hex')}`;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function snapshot<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: unknown): Json {
  return isObject(value) ? value : {};
}

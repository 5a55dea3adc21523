/**
 * A fake OpenAI server: a real HTTP server on 127.0.0.1 speaking the Responses,
 * Conversations and Moderations APIs as the official description (`openai-openapi.yaml`)
 * shapes them, so the real `openai` SDK, the local server and the Step Functions poller can
 * all use it as `baseURL`. Its JSON bodies and every streamed event are checked against that
 * description in `test/integration/openai/fake-conformance.test.ts`, so it cannot drift from
 * the real API.
 *
 * Implemented (the route table below names each by its SDK method): conversations create,
 * retrieve, delete; conversation items list (`order`, `limit`, `after`), retrieve, delete;
 * responses create (JSON, or SSE with `stream: true`), retrieve (JSON, or SSE with
 * `?stream=true&starting_after=N`), cancel, delete, compact; moderations create. Requests
 * need `Authorization: Bearer <apiKey>`.
 *
 * Like the real service:
 * - a response with a `conversation` sees the conversation's stored items and appends the
 *   user input at creation and its output when done; input tokens follow one rule
 *   (`tokens.ts`), and `context_management` compaction works as `context.ts` describes;
 * - a create on a conversation whose response is still running gets 400 `conversation_locked`;
 * - background responses keep running when the client disconnects; `response.model` is the
 *   dated snapshot (`gpt-6.1-sol` → `gpt-6.1-sol-2026-10-02`) unless `snapshotModels: false`;
 * - in-progress responses carry no `usage` (the description's `usage` is not nullable);
 * - deleting a conversation keeps its items (`stored()` still lists them); responses created
 *   with `store: false` cannot be retrieved; every deleted thing 404s with OpenAI's error body.
 *
 * Scriptable per test: `script(...)` queues behaviours for the next `POST /v1/responses`
 * calls (default: answer normally, at the server's timing), `scriptConversations`,
 * `scriptRetrieves` and `scriptModerations` do the same for their endpoints, and
 * `scriptFaults(endpoint, ...)` puts faults in front of any endpoint. Every request is
 * recorded (`requests`, counted by `count`), every body and event sent too (`sent`, with the
 * schema it must satisfy).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  createConversation,
  deleteConversation,
  deleteItem,
  listItems,
  retrieveConversation,
  retrieveItem,
} from './conversations';
import { compactResponse } from './compact';
import { applyFault } from './faults';
import { badRequest, newExchange, readBody, recordRequest, sendError, type Exchange } from './http';
import { asObject } from './json';
import { createModeration } from './moderation';
import { cancelResponse, createResponse, deleteResponse, retrieveResponse } from './responses';
import { finishResponse } from './run';
import { storedState } from './stored';
import { clearTimers, createState, resetState, type State } from './state';
import { FAKE_ENDPOINTS, type FakeEndpoint, type OpenAIFake, type OpenAIFakeOptions } from './types';

export { FAKE_ENDPOINTS } from './types';
export { FLAG_SCORE, MODERATION_CATEGORIES } from './moderation';
export { DEFAULT_COMPACT_THRESHOLD } from './context';
export {
  CHARS_PER_TOKEN,
  COMPACTION_RATIO,
  MIN_SUMMARY_TOKENS,
  TOKENS_PER_ITEM,
  TOKENS_PER_REQUEST,
  summaryTokens,
  tokensOfContext,
  tokensOfItem,
  tokensOfText,
} from './tokens';
export type {
  FakeBehaviour,
  FakeCompaction,
  FakeConversation,
  FakeEndpoint,
  FakeFault,
  FakeModerationBehaviour,
  FakeResponse,
  FakeResponseTiming,
  FakeSimpleBehaviour,
  FakeStored,
  FakeTiming,
  ModerationCategory,
  OpenAIFake,
  OpenAIFakeOptions,
  RecordedRequest,
  SentMessage,
} from './types';

interface Route {
  readonly endpoint: FakeEndpoint;
  readonly method: string;
  readonly pattern: RegExp;
  handle(ex: Exchange, ...params: string[]): void;
}

const route = (endpoint: FakeEndpoint, method: string, path: string, handle: Route['handle']): Route => ({
  endpoint,
  method,
  pattern: new RegExp(`^${path.replaceAll('{id}', '([^/]+)')}$`),
  handle,
});

const ROUTES: readonly Route[] = [
  route('conversations.create', 'POST', '/v1/conversations', createConversation),
  route('conversations.retrieve', 'GET', '/v1/conversations/{id}', retrieveConversation),
  route('conversations.delete', 'DELETE', '/v1/conversations/{id}', deleteConversation),
  route('conversations.items.list', 'GET', '/v1/conversations/{id}/items', listItems),
  route('conversations.items.retrieve', 'GET', '/v1/conversations/{id}/items/{id}', retrieveItem),
  route('conversations.items.delete', 'DELETE', '/v1/conversations/{id}/items/{id}', deleteItem),
  route('responses.create', 'POST', '/v1/responses', createResponse),
  route('responses.compact', 'POST', '/v1/responses/compact', compactResponse),
  route('responses.retrieve', 'GET', '/v1/responses/{id}', retrieveResponse),
  route('responses.delete', 'DELETE', '/v1/responses/{id}', deleteResponse),
  route('responses.cancel', 'POST', '/v1/responses/{id}/cancel', cancelResponse),
  route('moderations.create', 'POST', '/v1/moderations', createModeration),
];

function routeFor(method: string, path: string): { route: Route; params: string[] } | null {
  for (const candidate of ROUTES) {
    const match = candidate.method === method ? candidate.pattern.exec(path) : null;
    if (match) return { route: candidate, params: match.slice(1).map((param) => decodeURIComponent(param)) };
  }
  return null;
}

export async function startOpenAIFake(options: OpenAIFakeOptions = {}): Promise<OpenAIFake> {
  const state = createState({
    apiKey: options.apiKey ?? `sk-test-${randomBytes(12).toString('hex')}`,
    snapshotModels: options.snapshotModels ?? true,
    compactThreshold: options.compactThreshold ?? null,
    timing: { firstTokenMs: options.firstTokenMs, latencyMs: options.latencyMs },
  });
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(state, req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      const url = new URL(req.url ?? '/', 'http://fake.local');
      sendError(newExchange(state, req, res, url, {}), 500, 'server_error', null, String(error));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
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
    scriptModerations: (...behaviours) => void state.moderationScript.push(...behaviours),
    finish: (responseId) => finishResponse(state, responseId),
    setTiming(timing) {
      state.timing = { ...timing };
    },
    scriptFaults(endpoint, ...faults) {
      const queue = state.faults.get(endpoint) ?? [];
      queue.push(...faults);
      state.faults.set(endpoint, queue);
    },
    count: (endpoint) => state.requests.filter((r) => r.endpoint === endpoint).length,
    counts: () =>
      Object.fromEntries(
        FAKE_ENDPOINTS.map((endpoint) => [
          endpoint,
          state.requests.filter((r) => r.endpoint === endpoint).length,
        ]),
      ) as Record<FakeEndpoint, number>,
    requestsTo: (method, path) =>
      state.requests.filter(
        (r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
      ),
    stored: (owner) => storedState(state, owner),
    reset: () => resetState(state),
    async close() {
      clearTimers(state);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handle(state: State, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake.local');
  const method = req.method ?? 'GET';
  const found = routeFor(method, url.pathname);
  const raw = await readBody(req);
  let body: unknown;
  if (raw !== '') {
    try {
      body = JSON.parse(raw) as unknown;
    } catch {
      state.requests.push(recordRequest(req, url, raw, found?.route.endpoint ?? null));
      const ex = newExchange(state, req, res, url, {});
      return badRequest(ex, 'We could not parse the JSON body of your request.', null);
    }
  }
  state.requests.push(recordRequest(req, url, body, found?.route.endpoint ?? null));
  const ex = newExchange(state, req, res, url, asObject(body));

  if (req.headers.authorization !== `Bearer ${state.apiKey}`) {
    return sendError(ex, 401, 'invalid_request_error', 'invalid_api_key', 'Incorrect API key provided.');
  }
  if (!found)
    return sendError(ex, 404, 'invalid_request_error', null, `Invalid URL (${method} ${url.pathname})`);
  const { route: matched, params } = found;
  const fault = state.faults.get(matched.endpoint)?.shift();
  if (fault) return applyFault(ex, fault, () => matched.handle(ex, ...params));
  matched.handle(ex, ...params);
}

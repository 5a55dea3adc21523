/**
 * The streamed chat over HTTP, as the app uses it: the local API (`local/server.ts`, real
 * handlers and state machine) on a test database and the OpenAI fake, every answer checked
 * against the contract (an event stream event by event); a reader of its events as they come.
 */
import { LOCAL_DEFAULTS, signLocalDevToken } from '../../../local/auth';
import type { LocalApi } from '../../../local/server';
import { answerBody, checkAnswer, parseEvents, type SentEvent } from '../../support/contract-check';
import type { TestDatabase } from '../../support/database';
import type { OpenAIFake } from '../../support/openai-fake';
import { insertUser } from '../../support/users';

export const CHAT = '/openai-chat-completion';
export const STREAM = '/openai-chat-completion/stream';
export const runStream = (runId: string) => `/openai-chat-completion/runs/${runId}/stream`;

export async function startStreamApi(
  db: TestDatabase,
  fake: OpenAIFake,
  env: Readonly<Record<string, string>> = {},
): Promise<LocalApi> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const { startLocalApi } = await import('../../../local/server');
  return startLocalApi({
    port: 0,
    pollerWaitMs: 20,
    env: {
      DATABASE_URL: db.url,
      OPENAI_API_KEY: fake.apiKey,
      OPENAI_BASE_URL: fake.baseURL,
      OPENAI_TIMEOUT_MS: '5000',
      RATE_LIMIT_PER_MINUTE: '1000',
      ...env,
    },
    onAnswer: ({ route, status, body, headers }) =>
      checkAnswer({
        method: route.method,
        resource: route.path,
        status,
        body: answerBody(body, headers),
        headers,
      }),
  });
}

export interface StreamUser {
  readonly id: string;
  readonly token: string;
}

export async function streamUser(db: TestDatabase): Promise<StreamUser> {
  const { id } = await insertUser(db.pool);
  return { id, token: await signLocalDevToken(LOCAL_DEFAULTS, id) };
}

export interface StreamAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly events: SentEvent[];
  /** The JSON body of an answer that is not a stream (a refusal before the first event). */
  readonly json: Record<string, unknown> | null;
}

/** A request to a route, read to its end: a stream's events, or a JSON body. */
export async function request(
  api: LocalApi,
  user: StreamUser,
  path: string,
  init: { readonly body?: unknown; readonly headers?: Record<string, string> } = {},
): Promise<StreamAnswer> {
  const res = await fetch(`${api.url}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${user.token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const contentType = res.headers.get('content-type') ?? '';
  const text = await res.text();
  const streamed = contentType.startsWith('text/event-stream');
  return {
    status: res.status,
    contentType,
    events: streamed ? parseEvents(text) : [],
    json: streamed ? null : (JSON.parse(text) as Record<string, unknown>),
  };
}

/** Reads a stream until `enough` says so, then drops the connection (a client going away). */
export async function readThenLeave(
  api: LocalApi,
  user: StreamUser,
  body: unknown,
  enough: (events: SentEvent[]) => boolean,
): Promise<SentEvent[]> {
  const controller = new AbortController();
  const res = await fetch(`${api.url}${STREAM}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: controller.signal,
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    const complete = text.slice(0, text.lastIndexOf('\n\n') + 2);
    const events = parseEvents(complete);
    if (enough(events)) {
      controller.abort();
      return events;
    }
  }
  return parseEvents(text);
}

export const deltasOf = (events: readonly SentEvent[]) => events.filter((e) => e.event === 'delta');
export const textOf = (events: readonly SentEvent[]) =>
  deltasOf(events)
    .map((e) => (e.data as { text: string }).text)
    .join('');
export const eventNames = (events: readonly SentEvent[]) => [...new Set(events.map((e) => e.event))];
export const dataOf = (events: readonly SentEvent[], name: string) =>
  events.find((e) => e.event === name)?.data as Record<string, unknown> | undefined;

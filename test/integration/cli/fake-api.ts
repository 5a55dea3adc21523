/**
 * A scripted stand-in for the chat API on 127.0.0.1, for the terminal client's tests: it
 * checks the bearer token and the request body with the real zod schemas, records every
 * request, and answers each chat message with whatever the test scripted (a reply, a 202
 * and run states to poll, an error), so paths the real API only takes under load or
 * failure (202, 409, failed runs) can be driven deterministically.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChatRequest, type ChatReply, type RunState } from '../../../lambdas/shared/contract/schemas';

export interface FakeResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

/** What the fake answers to one chat POST: a response, or a 202 followed by run states. */
export type ChatScript = (
  request: ChatRequest,
  attempt: number,
) => FakeResponse | { readonly run: readonly RunState[] };

export interface FakeApi {
  /** The functions base URL, like the real API's `…/functions/v1`. */
  readonly url: string;
  readonly token: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

const USER_MESSAGE_ID = '7d3c9b1e-2a4f-4c6d-9e8b-1f2a3b4c5d6e';

/** A stored reply as the real API returns it. */
export function reply(text: string, overrides: Partial<ChatReply> = {}): ChatReply {
  return {
    response: text,
    thread_id: 'thread_local_fake',
    tokens_used: 42,
    model_used: 'mivia-simulated-coach',
    cost_estimate: 0.0000123,
    message_id: randomUUID(),
    user_message_id: USER_MESSAGE_ID,
    response_time_ms: 12,
    variant: 'simulated',
    fallback: false,
    disclosure: null,
    ...overrides,
  };
}

export function errorResponse(
  status: number,
  code: string,
  error: string,
  headers?: Record<string, string>,
): FakeResponse {
  return { status, body: { error, code, request_id: randomUUID() }, ...(headers ? { headers } : {}) };
}

/** The default script: the coach echoes the message. */
export const echo: ChatScript = (request) => ({ status: 200, body: reply(`You said: ${request.message}`) });

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeApi(script: ChatScript = echo): Promise<FakeApi> {
  const token = `fake-token-${randomUUID()}`;
  const requests: RecordedRequest[] = [];
  const attempts = new Map<string, number>();
  const runs = new Map<string, RunState[]>();

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const text = await readBody(req);
      const body: unknown = text === '' ? undefined : JSON.parse(text);
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        authorization: req.headers.authorization,
        body,
      });

      const send = ({ status, body: out, headers }: FakeResponse) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(out));
      };
      if (req.headers.authorization !== `Bearer ${token}`) {
        return send(errorResponse(401, 'unauthorized', 'A valid Supabase access token is required.'));
      }

      const run = /^\/functions\/v1\/openai-chat-completion\/runs\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && run) {
        const states = runs.get(run[1] ?? '');
        if (!states) return send(errorResponse(404, 'run_not_found', 'No such run.'));
        // Each poll moves one state on; the last one repeats.
        const state = states.length > 1 ? states.shift()! : states[0]!;
        return send({ status: 200, body: state });
      }

      if (req.method === 'POST' && url.pathname === '/functions/v1/openai-chat-completion') {
        const parsed = ChatRequest.safeParse(body);
        if (!parsed.success) return send(errorResponse(400, 'validation_failed', parsed.error.message));
        const key = parsed.data.client_message_id ?? randomUUID();
        const attempt = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, attempt);
        const answer = script(parsed.data, attempt);
        if ('run' in answer) {
          const runId = randomUUID();
          runs.set(runId, [...answer.run]);
          return send({
            status: 202,
            body: {
              status: 'pending',
              run_id: runId,
              thread_id: 'thread_local_fake',
              user_message_id: USER_MESSAGE_ID,
              retry_after_ms: 10,
            },
          });
        }
        return send(answer);
      }
      return send(errorResponse(404, 'not_found', 'No such route.'));
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: String(error), code: 'internal_error', request_id: 'fake' }));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/functions/v1`,
    token,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

const RUN_ID = '3f9a6c1e-5b2d-4e7f-a8c9-0d1e2f3a4b5c';

/** A run still being answered. */
export function pendingRun(): RunState {
  return {
    status: 'pending',
    run_id: RUN_ID,
    thread_id: 'thread_local_fake',
    user_message_id: USER_MESSAGE_ID,
    retry_after_ms: 10,
  };
}

export function completedRun(answer: ChatReply): RunState {
  return { status: 'completed', run_id: RUN_ID, ...answer };
}

export function failedRun(code: string, error: string, fallback: ChatReply | null): RunState {
  return {
    status: 'failed',
    run_id: RUN_ID,
    thread_id: 'thread_local_fake',
    user_message_id: USER_MESSAGE_ID,
    code,
    error,
    reply: fallback,
  };
}

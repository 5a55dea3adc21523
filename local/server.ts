/**
 * The local API: every route of the deployed API on http://127.0.0.1:<port>, through the
 * same handlers and token verifier, in API Gateway's REST proxy event shape. Embedded
 * PGlite (baseline + migrations + demo user, applied on boot) unless DATABASE_URL is set;
 * the simulated coach unless OPENAI_API_KEY is set (then OpenAI, honouring OPENAI_BASE_URL).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createChatHandler } from '../lambdas/chat/handler';
import { createRunsHandler } from '../lambdas/chat/runs-handler';
import { createContextHandler } from '../lambdas/context/handler';
import { createFeedbackHandler } from '../lambdas/feedback/handler';
import { handler as openapiHandler } from '../lambdas/openapi/handler';
import { createThreadsHandler } from '../lambdas/threads/handler';
import { loadConfig } from '../lambdas/shared/config';
import { createPollHandler } from '../lambdas/poller/handler';
import { assembleRuntime, modelFromConfig, type Runtime } from '../lambdas/shared/runtime';
import { openLocalDatabase, type LocalDatabase } from './database';
import { localStateMachinePoller } from './step-functions';
import { localAuthenticator, LOCAL_DEFAULTS, signLocalDevToken } from './auth';
import { lambdaContext, proxyEvent } from './lambda-event';

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

interface Route {
  readonly method: 'GET' | 'POST';
  readonly resource: string;
  readonly pattern: RegExp;
  readonly params: readonly string[];
  readonly handler: ProxyHandler;
  readonly auth: boolean;
  readonly timeoutMs: number;
}

export interface LocalApiOptions {
  readonly port?: number;
  readonly host?: string;
  /** Overrides of process.env for this server (tests pass their own). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Each Wait of the poller state machine lasts this many ms (default: the real backoff). */
  readonly pollerWaitMs?: number;
}

export interface LocalApi {
  /** Base URL of the functions, e.g. http://127.0.0.1:3000/functions/v1 */
  readonly url: string;
  readonly origin: string;
  /** A dev token for the demo user. */
  readonly token: string;
  readonly userId: string;
  readonly database: LocalDatabase;
  readonly runtime: Runtime;
  /** Resolves when no long run is being polled. */
  pollerIdle(): Promise<void>;
  close(): Promise<void>;
}

const MAX_LOCAL_BODY_BYTES = 1024 * 1024;

function route(
  method: Route['method'],
  resource: string,
  handler: ProxyHandler,
  auth = true,
  timeoutMs = 10_000,
): Route {
  const params: string[] = [];
  const pattern = new RegExp(
    `^${resource.replace(/\{(\w+)\}/g, (_m, name: string) => {
      params.push(name);
      return '([^/]+)';
    })}$`,
  );
  return { method, resource, pattern, params, handler, auth, timeoutMs };
}

export async function startLocalApi(options: LocalApiOptions = {}): Promise<LocalApi> {
  const env: Record<string, string | undefined> = { ...LOCAL_DEFAULTS, ...process.env, ...options.env };
  const database = await openLocalDatabase({ databaseUrl: env.DATABASE_URL });
  const cfg = loadConfig({ ...env, DATABASE_URL: env.DATABASE_URL ?? 'pglite://embedded' });
  const model = await modelFromConfig(cfg);
  // The poll task reads the runtime, which holds the poller: resolved when a run starts.
  const getRuntime = async (): Promise<Runtime> => runtime;
  // Long runs execute the same state machine definition as AWS (synthesized from lib/poller.ts).
  const poller = model
    ? localStateMachinePoller(createPollHandler(getRuntime), {
        waitMs: options.pollerWaitMs,
        onError: (error, runId) =>
          console.error(`local poller: the execution for run ${runId} failed`, error),
      })
    : null;
  const runtime = assembleRuntime(cfg, { store: database.store, model, poller });
  const authenticate = localAuthenticator(env);

  const routes: Route[] = [
    route('POST', '/functions/v1/openai-chat-completion', createChatHandler(getRuntime), true, 28_000),
    route('GET', '/functions/v1/openai-chat-completion/runs/{run_id}', createRunsHandler(getRuntime)),
    route('POST', '/functions/v1/thread-manager', createThreadsHandler(getRuntime)),
    route('POST', '/functions/v1/user-context-builder', createContextHandler(getRuntime)),
    route('POST', '/functions/v1/chat-feedback', createFeedbackHandler(getRuntime)),
    route('GET', '/functions/v1/openapi.json', openapiHandler as ProxyHandler, false),
  ];

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => {
      console.error('local api: unexpected failure', error);
      if (!res.headersSent)
        sendJson(res, 500, { error: 'Internal error.', code: 'internal_error', request_id: 'local' });
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://local');
    const matches = routes.filter((r) => r.pattern.test(url.pathname));
    if (matches.length === 0)
      return sendJson(res, 404, { error: 'No such route.', code: 'not_found', request_id: requestId });
    const match = matches.find((r) => r.method === req.method);
    if (!match)
      return sendJson(res, 405, {
        error: 'Method not allowed.',
        code: 'method_not_allowed',
        request_id: requestId,
      });

    const body = await readBody(req);
    if (body === null) {
      return sendJson(res, 413, {
        error: 'The request body is too large.',
        code: 'payload_too_large',
        request_id: requestId,
      });
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;

    let authorizer: { userId: string; role: string } | null = null;
    if (match.auth) {
      const claims = await authenticate(headers.authorization);
      // API Gateway's own 401 (gateway response), before any handler runs.
      if (!claims)
        return sendJson(res, 401, { error: 'Unauthorized', code: 'unauthorized', request_id: requestId });
      authorizer = { userId: claims.userId, role: claims.role };
    }

    const pathParameters: Record<string, string> = {};
    const values = match.pattern.exec(url.pathname) ?? [];
    match.params.forEach((name, i) => (pathParameters[name] = decodeURIComponent(values[i + 1] ?? '')));
    const event = proxyEvent({
      method: match.method,
      resource: match.resource,
      path: url.pathname,
      headers,
      body: body.length ? body : null,
      pathParameters,
      query: Object.fromEntries(url.searchParams),
      authorizer,
      requestId,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    });
    const context = lambdaContext(match.timeoutMs, `mivia-local${match.resource.replaceAll('/', '-')}`);

    const result = await match.handler(event, context);
    res.writeHead(result.statusCode, { ...(result.headers as Record<string, string> | undefined) });
    res.end(result.body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const origin = `http://${options.host ?? '127.0.0.1'}:${address.port}`;
  const token = await signLocalDevToken(env, database.demoUserId);

  return {
    url: `${origin}/functions/v1`,
    origin,
    token,
    userId: database.demoUserId,
    database,
    runtime,
    pollerIdle: () => poller?.idle() ?? Promise.resolve(),
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await poller?.stop();
      await database.close();
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_LOCAL_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The local API: every route of the contract (`lambdas/shared/contract/routes.ts`) on
 * http://127.0.0.1:<port>, through the same handlers and token verifier, in API Gateway's
 * REST proxy event shape. Embedded PGlite (baseline + migrations + demo user, applied on
 * boot) unless DATABASE_URL is set; the simulated coach unless OPENAI_API_KEY is set (then
 * OpenAI, honouring OPENAI_BASE_URL). What API Gateway answers itself (unknown routes, a
 * missing token) is answered here in the same shape.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ERROR_CODES, type ErrorCode } from '../lambdas/shared/contract/errors';
import { FUNCTION_TIMEOUT_SECONDS, ROUTE_LIST, type Route } from '../lambdas/shared/contract/routes';
import { loadConfig } from '../lambdas/shared/config';
import type { StreamingProxyHandler } from '../lambdas/shared/sse';
import { createErasureTaskHandler } from '../lambdas/ai-data/erasure-handler';
import { eraserFromConfig } from '../lambdas/ai-data/runtime';
import { createPollHandler } from '../lambdas/poller/handler';
import { POLL_FOLLOW_MS } from '../lambdas/poller/service';
import { modelFromConfig } from '../lambdas/shared/runtime/model';
import { screenerFromConfig } from '../lambdas/shared/runtime/screening';
import { openLocalDatabase, type LocalDatabase } from './database';
import { localHandlers, type LocalHandlers } from './handlers';
import { streamTo } from './stream-sink';
import { lambdaContext, proxyEvent } from './lambda-event';
import { localAuthenticator, LOCAL_DEFAULTS, signLocalDevToken } from './auth';
import { localErasureMachine } from './erasure-machine';
import { assembleRuntime, type CoachStore, type Runtime } from './runtime';
import { localStateMachinePoller, type PollTask } from './step-functions';

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

interface LocalRoute {
  readonly route: Route;
  readonly method: string;
  readonly pattern: RegExp;
  readonly params: readonly string[];
  readonly handler:
    | { readonly kind: 'json'; readonly run: ProxyHandler }
    | { readonly kind: 'stream'; readonly run: StreamingProxyHandler };
}

export interface LocalApiOptions {
  readonly port?: number;
  readonly host?: string;
  /** Overrides of process.env for this server (tests pass their own). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Each Wait of the poller state machine lasts this many ms (default: the real backoff). */
  readonly pollerWaitMs?: number;
  /** How long a poll step follows the response's stream (default: Lambda's `POLL_FOLLOW_MS`; 0: one look per step). */
  readonly pollerFollowMs?: number;
  /**
   * Wraps what the server runs, for benchmarks that count and time it: the store every
   * handler uses (database round trips) and the poll task the state machine calls.
   */
  readonly instrument?: {
    readonly store?: (store: CoachStore) => CoachStore;
    readonly pollTask?: (task: PollTask) => PollTask;
  };
  /** Sees every answer a handler gives (tests check each against the contract). */
  readonly onAnswer?: (answer: {
    readonly route: Route;
    readonly status: number;
    readonly body: string;
    readonly headers: Readonly<Record<string, string>>;
  }) => void;
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
  /** Resolves when no erasure is running. */
  erasuresIdle(): Promise<void>;
  close(): Promise<void>;
}

/** API Gateway's own payload limit is 10 MB; the handlers refuse anything over 32 KiB anyway. */
const MAX_LOCAL_BODY_BYTES = 1024 * 1024;

function localRoute(route: Route, handlers: LocalHandlers): LocalRoute {
  const fn = route.function;
  const handler: LocalRoute['handler'] =
    fn === 'chatStream'
      ? { kind: 'stream', run: handlers.streaming[fn] }
      : { kind: 'json', run: handlers.json[fn] };
  const params: string[] = [];
  const pattern = new RegExp(
    `^${route.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
      params.push(name);
      return '([^/]+)';
    })}$`,
  );
  return { route, method: route.method.toUpperCase(), pattern, params, handler };
}

export async function startLocalApi(options: LocalApiOptions = {}): Promise<LocalApi> {
  const env: Record<string, string | undefined> = { ...LOCAL_DEFAULTS, ...process.env, ...options.env };
  const database = await openLocalDatabase({
    databaseUrl: env.DATABASE_URL,
    pgliteDir: env.LOCAL_PGLITE_DIR,
  });
  const cfg = loadConfig({ ...env, DATABASE_URL: env.DATABASE_URL ?? 'pglite://embedded' });
  const model = await modelFromConfig(cfg);
  // The poll task reads the runtime, which holds the poller: resolved when a run starts.
  const getRuntime = async (): Promise<Runtime> => runtime;
  // Long runs execute the same state machine definition as AWS (synthesized from lib/poller.ts).
  // The poll step follows the response's stream as in Lambda (lambdas/poller/handler.ts).
  const pollTask = createPollHandler(async () => ({
    ...(await getRuntime()),
    followMs: options.pollerFollowMs ?? POLL_FOLLOW_MS,
  }));
  const poller = model
    ? localStateMachinePoller(options.instrument?.pollTask?.(pollTask) ?? pollTask, {
        waitMs: options.pollerWaitMs,
        onError: (error, runId) =>
          console.error(`local poller: the execution for run ${runId} failed`, error),
      })
    : null;
  // Erasures run the same state machine definition as AWS too (lib/erasure.ts), OpenAI key or not:
  // the rows here are erased either way.
  const erasures = localErasureMachine(createErasureTaskHandler(getRuntime), {
    waitMs: options.pollerWaitMs,
    onError: (error, name) => console.error(`local erasure: the execution ${name} failed`, error),
  });
  const eraser = await eraserFromConfig(cfg);
  const store = options.instrument?.store?.(database.store) ?? database.store;
  const screener = await screenerFromConfig(cfg);
  const runtime = assembleRuntime(cfg, { store, model, poller, eraser, erasures, screener });
  // A token for a user this database does not have yet (`npm run dev-token -- --user`) creates it.
  const authenticate = localAuthenticator(env, { onUser: (userId) => database.ensureUser(userId) });
  const handlers = localHandlers(getRuntime);
  const routes = ROUTE_LIST.map((route) => localRoute(route, handlers));

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => {
      console.error('local api: unexpected failure', error);
      if (!res.headersSent) sendGatewayError(res, 'internal_error', 'local');
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://local');
    // API Gateway answers an unknown path, and a known path with another method, the same way.
    const match = routes.find((r) => r.method === req.method && r.pattern.test(url.pathname));
    if (!match) return sendGatewayError(res, 'not_found', requestId);

    const body = await readBody(req);
    if (body === null) return sendGatewayError(res, 'payload_too_large', requestId);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;

    let authorizer: { userId: string; role: string; anonymous: boolean } | null = null;
    if (match.route.auth) {
      const claims = await authenticate(headers.authorization);
      // API Gateway's own 401 (gateway response), before any handler runs.
      if (!claims) return sendGatewayError(res, 'unauthorized', requestId);
      authorizer = { userId: claims.userId, role: claims.role, anonymous: claims.anonymous };
    }

    const pathParameters: Record<string, string> = {};
    const values = match.pattern.exec(url.pathname) ?? [];
    match.params.forEach((name, i) => (pathParameters[name] = decodeURIComponent(values[i + 1] ?? '')));
    const event = proxyEvent({
      method: match.method,
      resource: match.route.path,
      path: url.pathname,
      headers,
      body: body.length ? body : null,
      pathParameters,
      query: Object.fromEntries(url.searchParams),
      authorizer,
      requestId,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    });
    const timeoutMs = FUNCTION_TIMEOUT_SECONDS[match.route.function] * 1000;
    const context = lambdaContext(timeoutMs, `mivia-local-${match.route.function}`);

    const handler = match.handler;
    if (handler.kind === 'stream') {
      const answer = await streamTo(res, (sink) => handler.run(event, sink, context));
      options.onAnswer?.({ route: match.route, ...answer });
      return;
    }
    const result = await handler.run(event, context);
    const resultHeaders = { ...(result.headers as Record<string, string> | undefined) };
    options.onAnswer?.({
      route: match.route,
      status: result.statusCode,
      body: result.body,
      headers: resultHeaders,
    });
    res.writeHead(result.statusCode, resultHeaders);
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
    erasuresIdle: () => erasures.idle(),
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await poller?.stop();
      await erasures.stop();
      await database.close();
    },
  };
}

/** An error API Gateway answers itself, as its gateway responses shape it (`lib/api.ts`). */
function sendGatewayError(res: ServerResponse, code: ErrorCode, requestId: string): void {
  const spec = ERROR_CODES[code];
  const retryAfter = 'gatewayRetryAfterSeconds' in spec ? spec.gatewayRetryAfterSeconds : undefined;
  res.writeHead(spec.status, {
    'content-type': 'application/json',
    'x-request-id': requestId,
    ...(retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }),
  });
  res.end(
    JSON.stringify({
      error: spec.message,
      code,
      request_id: requestId,
      ...(retryAfter === undefined ? {} : { retry_after_seconds: retryAfter }),
    }),
  );
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

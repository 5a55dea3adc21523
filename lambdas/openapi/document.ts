/**
 * The OpenAPI 3.1 document of the API, built from the contract's route table
 * (`../shared/contract/routes.ts`) and the zod schemas the handlers validate with, so the
 * contract the app team reads cannot drift from the one the code enforces. Examples come from
 * `./examples.ts`; the tests parse each of them with its zod schema.
 *
 * The output is deterministic (fixed registration order, components sorted), because the
 * committed `openapi/openapi.json` is compared with a fresh build (`npm run openapi -- --check`).
 */
import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import { ERROR_CODES, type ErrorCode } from '../shared/contract/errors';
import { FUNCTIONS_BASE_PATH, ROUTE_LIST, type Route } from '../shared/contract/routes';
import { ErrorBody, MAX_BODY_BYTES } from '../shared/contract/schemas';
import { errorExample } from './error-examples';
import { REQUEST_EXAMPLES, RESPONSE_EXAMPLES, type Examples } from './examples';
import { STREAM_RESPONSE_EXAMPLES } from './stream-examples';

/** The API contract's version (`info.version`); follows the package version. */
export const API_VERSION = '0.1.0';

/** The server URL the committed document names: the local API (`npm start`). */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:3000';

/** The name of the bearer security scheme in `components.securitySchemes`. */
export const BEARER_SCHEME = 'supabaseAccessToken';

/** The OpenAPI document object, as the generator types it. */
export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/** The document's own example (abridged). */
const DOCUMENT_EXAMPLES: Examples<unknown> = {
  document: {
    summary: 'The document (abridged)',
    value: {
      openapi: '3.1.0',
      info: { title: 'MiVia coach API', version: API_VERSION },
      paths: {
        [`${FUNCTIONS_BASE_PATH}/openai-chat-completion`]: { post: { operationId: 'sendChatMessage' } },
      },
    },
  },
};

function responseExamples(route: Route, status: number): Examples<unknown> {
  if (route.operationId === 'getOpenApiDocument') return DOCUMENT_EXAMPLES;
  return (
    RESPONSE_EXAMPLES[route.operationId]?.[status] ??
    STREAM_RESPONSE_EXAMPLES[route.operationId]?.[status] ??
    {}
  );
}

const STATUS_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

/** Statuses whose responses carry `Retry-After` (the middleware sets it from the error). */
const RETRY_AFTER_STATUSES = new Set([409, 429, 503]);

/** The codes of a route grouped by HTTP status, in ascending status order. */
export function errorCodesByStatus(codes: readonly ErrorCode[]): ReadonlyMap<number, readonly ErrorCode[]> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map([...byStatus.entries()].sort(([a], [b]) => a - b));
}

/** The name of an error code's example in `components.examples`, shared by every route. */
export function errorExampleName(code: ErrorCode): string {
  return `error_${code}`;
}

function errorResponse(status: number, codes: readonly ErrorCode[]): ResponseConfig {
  const list = codes.map((code) => `- \`${code}\`: ${ERROR_CODES[code].meaning}`).join('\n');
  const headers: Record<string, { $ref: string }> = {
    'X-Request-Id': { $ref: '#/components/headers/RequestId' },
  };
  if (RETRY_AFTER_STATUSES.has(status)) headers['Retry-After'] = { $ref: '#/components/headers/RetryAfter' };
  return {
    description: `${STATUS_TITLES[status] ?? `Status ${status}`}. \`code\`:\n${list}`,
    headers,
    content: {
      'application/json': {
        schema: ErrorBody,
        examples: Object.fromEntries(
          codes.map((code) => [code, { $ref: `#/components/examples/${errorExampleName(code)}` }]),
        ),
      },
    },
  };
}

function routeConfig(op: Route): RouteConfig {
  const responses: RouteConfig['responses'] = {};
  for (const [status, response] of Object.entries(op.responses)) {
    responses[status] = {
      description: response.description,
      headers: op.auth ? { 'X-Request-Id': { $ref: '#/components/headers/RequestId' } } : undefined,
      content: {
        // A streamed answer's schema is that of one event (`contract/stream.ts`).
        [op.streams ? 'text/event-stream' : 'application/json']: {
          schema: response.schema,
          examples: { ...responseExamples(op, Number(status)) },
        },
      },
    };
  }
  for (const [status, codes] of errorCodesByStatus(op.errors))
    responses[String(status)] = errorResponse(status, codes);

  const request: NonNullable<RouteConfig['request']> = {};
  if (op.params) request.params = op.params;
  if (op.headers) request.headers = op.headers;
  if (op.query) request.query = op.query;
  if (op.requestBody) {
    request.body = {
      required: op.requestBody.required ?? true,
      content: {
        'application/json': {
          schema: op.requestBody.schema,
          examples: { ...REQUEST_EXAMPLES[op.operationId] },
        },
      },
    };
  }

  return {
    method: op.method,
    path: op.path,
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    description: op.description,
    ...(op.auth ? {} : { security: [] }),
    ...(Object.keys(request).length > 0 ? { request } : {}),
    responses,
  };
}

export interface BuildOpenApiOptions {
  /** Default of the `serverUrl` server variable (default: the local API). */
  readonly serverUrl?: string;
}

/** Builds the OpenAPI 3.1 document of the API. Pure: the same options give the same document. */
export function buildOpenApiDocument(options: BuildOpenApiOptions = {}): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', BEARER_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "The signed-in user's Supabase access token (`session.accessToken` in supabase-swift). Its `sub` is the user every request acts for.",
  });
  registry.registerComponent('headers', 'RequestId', {
    description: 'The request id, also in error bodies as `request_id`: quote it when reporting a problem.',
    schema: { type: 'string' },
  });
  registry.registerComponent('headers', 'RetryAfter', {
    description: 'Seconds to wait before retrying.',
    schema: { type: 'integer', minimum: 0 },
    example: 2,
  });
  const usedCodes = new Set(ROUTE_LIST.flatMap((op) => op.errors));
  for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
    if (usedCodes.has(code))
      registry.registerComponent('examples', errorExampleName(code), errorExample(code));
  }
  for (const op of ROUTE_LIST) registry.registerPath(routeConfig(op));

  const generator = new OpenApiGeneratorV31(registry.definitions, {
    sortComponents: 'alphabetically',
    unionPreferredType: 'oneOf',
  });
  return generator.generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'MiVia coach API',
      version: API_VERSION,
      description: [
        'The AI coach behind MiVia\'s chat. The paths mirror the Supabase function names the app already calls (`functions.invoke("openai-chat-completion", …)`), so pointing the app\'s functions client at `<server>/functions/v1` is enough.',
        "Every route but this document needs `Authorization: Bearer <Supabase access token>`; the user is always the token's `sub`. JSON keys are snake_case.",
        `Errors are JSON: \`{ "error": <message for humans>, "code": <stable code>, "request_id": … }\`; switch on \`code\`. 409, 429 and 503 carry \`Retry-After\`. Some errors come from API Gateway itself (\`rate_limited\`, \`invalid_request\`, \`auth_unavailable\`, \`timeout\`) in the same shape. Request bodies are at most ${MAX_BODY_BYTES / 1024} KiB.`,
      ].join('\n\n'),
    },
    servers: [
      {
        url: '{serverUrl}',
        description:
          'The API origin: the API Gateway stage URL (`https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`), its custom domain, or the local API.',
        variables: { serverUrl: { default: options.serverUrl ?? DEFAULT_SERVER_URL } },
      },
    ],
    security: [{ [BEARER_SCHEME]: [] }],
    tags: [
      { name: 'chat', description: "Messages and the coach's replies." },
      { name: 'threads', description: "The user's coach threads." },
      { name: 'context', description: 'What the coach knows about the user.' },
      { name: 'feedback', description: 'Ratings of AI messages.' },
      { name: 'privacy', description: "The user's AI data: export and erasure, here and at OpenAI." },
      { name: 'meta', description: 'About the API itself.' },
    ],
  });
}

/** The document as committed in `openapi/openapi.json`: 2-space JSON and a final newline. */
export function serializeOpenApiDocument(document: OpenApiDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

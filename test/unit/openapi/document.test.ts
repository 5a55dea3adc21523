/**
 * The OpenAPI document: valid OpenAPI 3.1, committed and up to date, every route of
 * route of the contract with its auth, the PRD's function names kept, and every example accepted both by the zod schema the
 * handler validates with and by the JSON Schema a generated client reads.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { Validator } from '@seriousme/openapi-schema-validator';
import { z } from 'zod';
import * as apiSchemas from '../../../lambdas/shared/contract/schemas';
import { ERROR_CODES, type ErrorCode } from '../../../lambdas/shared/contract/errors';
import { ROUTE_LIST } from '../../../lambdas/shared/contract/routes';
import {
  API_VERSION,
  BEARER_SCHEME,
  buildOpenApiDocument,
  errorCodesByStatus,
  serializeOpenApiDocument,
} from '../../../lambdas/openapi/document';
import { DocumentReader, type Json } from '../../support/openapi-reader';

const COMMITTED = new URL('../../../openapi/openapi.json', import.meta.url);

/** The PRD's Supabase function names, which the app already calls: the contract keeps them. */
const PRD_FUNCTIONS = ['openai-chat-completion', 'thread-manager', 'user-context-builder'] as const;

const UNAUTHENTICATED = new Set(['get /functions/v1/openapi.json']);

const document = buildOpenApiDocument() as unknown as Json;
const reader = new DocumentReader(document);

/** Every zod schema of the contract that names an OpenAPI component, by component name. */
const componentSchemas = new Map<string, z.ZodType>();
for (const value of Object.values(apiSchemas) as unknown[]) {
  if (!(value instanceof z.ZodType)) continue;
  const id = value.meta()?.id;
  if (typeof id === 'string') componentSchemas.set(id, value);
}

function zodErrors(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || '/'}: ${i.message}`);
}

/** Every (schema object, example) pair in a JSON tree: `example` keywords on schemas. */
function inlineSchemaExamples(node: unknown, at: string, out: { at: string; schema: Json }[] = []) {
  if (Array.isArray(node)) node.forEach((child, i) => inlineSchemaExamples(child, `${at}/${i}`, out));
  else if (node && typeof node === 'object') {
    const obj = node as Json;
    if ('example' in obj && ('type' in obj || 'oneOf' in obj || 'anyOf' in obj))
      out.push({ at, schema: obj });
    for (const [key, child] of Object.entries(obj)) inlineSchemaExamples(child, `${at}/${key}`, out);
  }
  return out;
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));

    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(document.openapi).toBe('3.1.0');
  });

  it('is committed as openapi/openapi.json, up to date', async () => {
    const committed = await readFile(COMMITTED, 'utf8').catch(() => undefined);
    const fresh = serializeOpenApiDocument(buildOpenApiDocument());

    const verdict =
      committed === fresh
        ? 'up to date'
        : `openapi/openapi.json is ${committed === undefined ? 'missing' : 'stale'}: run \`npm run openapi\` and commit it`;
    expect(verdict).toBe('up to date');
  });

  it('is deterministic: two builds serialize identically', () => {
    expect(serializeOpenApiDocument(buildOpenApiDocument())).toBe(
      serializeOpenApiDocument(buildOpenApiDocument()),
    );
  });

  it('names its version (the package version) and a serverUrl variable the caller can set', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const custom = buildOpenApiDocument({ serverUrl: 'https://api.example.com/prod' });

    expect((document.info as Json).version).toBe(pkg.version);
    expect(API_VERSION).toBe(pkg.version);
    expect(custom.servers).toEqual([
      expect.objectContaining({
        url: '{serverUrl}',
        variables: { serverUrl: { default: 'https://api.example.com/prod' } },
      }),
    ]);
  });

  it("documents exactly the contract's routes, with their methods, the PRD's function names among them", () => {
    const documented = reader
      .operations()
      .map(({ method, path }) => `${method} ${path}`)
      .sort();

    expect(documented).toEqual(ROUTE_LIST.map(({ method, path }) => `${method} ${path}`).sort());
    for (const name of PRD_FUNCTIONS) expect(documented).toContain(`post /functions/v1/${name}`);
  });

  it('requires the Supabase bearer token on every operation except the document itself', () => {
    const schemes = (document.components as Json).securitySchemes as Json;

    expect(schemes[BEARER_SCHEME]).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
    );
    expect(document.security).toEqual([{ [BEARER_SCHEME]: [] }]);
    for (const { method, path, operation } of reader.operations()) {
      const effective = operation.security ?? document.security;
      const expected = UNAUTHENTICATED.has(`${method} ${path}`) ? [] : [{ [BEARER_SCHEME]: [] }];
      expect({ route: `${method} ${path}`, security: effective }).toEqual({
        route: `${method} ${path}`,
        security: expected,
      });
    }
  });

  it('documents 401 on every authenticated operation and never on the document', () => {
    for (const { method, path, operation } of reader.operations()) {
      const has401 = '401' in (operation.responses as Json);
      expect({ route: `${method} ${path}`, has401 }).toEqual({
        route: `${method} ${path}`,
        has401: !UNAUTHENTICATED.has(`${method} ${path}`),
      });
    }
  });

  it('takes the Idempotency-Key header (optional) on chat and the run_id path parameter on runs', () => {
    const chat = reader.operation('post', '/functions/v1/openai-chat-completion');
    const runs = reader.operation('get', '/functions/v1/openai-chat-completion/runs/{run_id}');

    expect(chat.parameters).toEqual([
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
    ]);
    expect(runs.parameters).toEqual([
      expect.objectContaining({
        name: 'run_id',
        in: 'path',
        required: true,
        schema: expect.objectContaining({ format: 'uuid' }),
      }),
    ]);
  });

  it('requires a request body on every POST except user-context-builder, whose body is optional', () => {
    const required = Object.fromEntries(
      reader
        .operations()
        .filter(({ operation }) => operation.requestBody)
        .map(({ path, operation }) => [path, (operation.requestBody as Json).required]),
    );

    expect(required).toEqual({
      '/functions/v1/openai-chat-completion': true,
      '/functions/v1/openai-chat-completion/stream': true,
      '/functions/v1/thread-manager': true,
      '/functions/v1/user-context-builder': false,
      '/functions/v1/chat-feedback': true,
      '/functions/v1/ai-data': true,
    });
  });

  it('answers chat with ChatReply (200) or ChatPending (202)', () => {
    const chat = reader.operation('post', '/functions/v1/openai-chat-completion');

    expect(reader.responseSchema(chat, 200)).toEqual({ $ref: '#/components/schemas/ChatReply' });
    expect(reader.responseSchema(chat, 202)).toEqual({ $ref: '#/components/schemas/ChatPending' });
    expect(reader.jsonContent(chat.requestBody)?.schema).toEqual({
      $ref: '#/components/schemas/ChatRequest',
    });
  });

  it('documents each error status with ErrorBody, its codes in the description, one example per code, and Retry-After on 409, 429 and 503', () => {
    for (const op of ROUTE_LIST) {
      const operation = reader.operation(op.method, op.path);
      for (const [status, codes] of errorCodesByStatus(op.errors)) {
        const route = `${op.method} ${op.path} ${status}`;
        const response = reader.resolve<Json>((operation.responses as Json)[String(status)]);
        const media = reader.jsonContent(response);
        const exampleCodes = reader.examples(media).map((e) => (e.value as Json).code);

        expect({ route, schema: media?.schema }).toEqual({
          route,
          schema: { $ref: '#/components/schemas/ErrorBody' },
        });
        for (const code of codes)
          expect({ route, description: response.description }).toEqual({
            route,
            description: expect.stringContaining(`\`${code}\``),
          });
        expect({ route, exampleCodes }).toEqual({ route, exampleCodes: [...codes] });
        const headers = Object.keys((response.headers ?? {}) as Json);
        expect({ route, retryAfter: headers.includes('Retry-After') }).toEqual({
          route,
          retryAfter: [409, 429, 503].includes(status),
        });
      }
    }
  });

  it('documents every error code the brief lists on the chat route', () => {
    const chat = ROUTE_LIST.find((op) => op.operationId === 'sendChatMessage');
    const listed: ErrorCode[] = [
      'validation_failed',
      'invalid_json',
      'unauthorized',
      'user_mismatch',
      'goal_forbidden',
      'thread_forbidden',
      'goal_not_found',
      'thread_not_found',
      'request_in_flight',
      'payload_too_large',
      'rate_limited',
      'budget_exceeded',
      'upstream_unavailable',
      'database_unavailable',
      'internal_error',
    ];

    expect(chat?.errors).toEqual(expect.arrayContaining(listed));
  });

  it('has at least one example for every request body and every response', () => {
    for (const { method, path, operation } of reader.operations()) {
      const bodies: [string, unknown][] = operation.requestBody ? [['request', operation.requestBody]] : [];
      for (const [status, response] of Object.entries(operation.responses as Json))
        bodies.push([status, response]);
      for (const [what, holder] of bodies) {
        const count = reader.examples(reader.jsonContent(holder)).length;
        expect({ at: `${method} ${path} ${what}`, hasExamples: count > 0 }).toEqual({
          at: `${method} ${path} ${what}`,
          hasExamples: true,
        });
      }
    }
  });

  it('has request examples the zod request schema accepts', () => {
    for (const op of ROUTE_LIST.filter((o) => o.requestBody)) {
      const media = reader.jsonContent(reader.operation(op.method, op.path).requestBody);
      for (const example of reader.examples(media)) {
        const at = `${op.operationId} request example ${example.name}`;
        expect({ at, errors: zodErrors(op.requestBody!.schema, example.value) }).toEqual({ at, errors: [] });
      }
    }
  });

  it('has response examples the zod response schema accepts, error examples included', () => {
    let checked = 0;
    for (const op of ROUTE_LIST) {
      const responses = reader.operation(op.method, op.path).responses as Json;
      for (const [status, response] of Object.entries(responses)) {
        const success = op.responses[Number(status)];
        const schema = success?.schema ?? apiSchemas.ErrorBody;
        for (const example of reader.examples(reader.jsonContent(response))) {
          const at = `${op.operationId} ${status} example ${example.name}`;
          expect({ at, errors: zodErrors(schema, example.value) }).toEqual({ at, errors: [] });
          if (!success) {
            const code = (example.value as Json).code as ErrorCode;
            expect({ at, status: ERROR_CODES[code]?.status }).toEqual({ at, status: Number(status) });
          }
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('has examples the JSON Schemas of the document accept (what a generated client decodes)', () => {
    for (const { method, path, operation } of reader.operations()) {
      const holders: [string, unknown][] = operation.requestBody ? [['request', operation.requestBody]] : [];
      for (const [status, response] of Object.entries(operation.responses as Json))
        holders.push([status, response]);
      for (const [what, holder] of holders) {
        const media = reader.jsonContent(holder);
        for (const example of reader.examples(media)) {
          const at = `${method} ${path} ${what} example ${example.name}`;
          expect({ at, errors: reader.validate(media!.schema as Json, example.value) }).toEqual({
            at,
            errors: [],
          });
        }
      }
    }
  });

  it('has component examples that their zod schema and their JSON Schema accept', () => {
    const schemas = (document.components as Json).schemas as Record<string, Json>;
    const withExamples = Object.entries(schemas).filter(([, schema]) => 'example' in schema);

    expect(withExamples.map(([name]) => name)).toEqual(expect.arrayContaining(['ChatRequest', 'ErrorBody']));
    for (const [name, schema] of withExamples) {
      const zodSchema = componentSchemas.get(name);
      expect({ name, hasZod: zodSchema !== undefined }).toEqual({ name, hasZod: true });
      expect({ name, errors: zodErrors(zodSchema!, schema.example) }).toEqual({ name, errors: [] });
    }
    for (const { at, schema } of inlineSchemaExamples(document, '#')) {
      expect({ at, errors: reader.validate(schema, schema.example) }).toEqual({ at, errors: [] });
    }
  });

  it('rejects, through the same JSON Schemas, a reply a client could not decode', () => {
    const chat = reader.operation('post', '/functions/v1/openai-chat-completion');
    const schema = reader.responseSchema(chat, 200)!;

    expect(reader.validate(schema, { response: 'hi' })).not.toEqual([]);
    expect(
      reader.validate({ $ref: '#/components/schemas/RunState' }, { status: 'done', run_id: 'x' }),
    ).not.toEqual([]);
  });
});

/**
 * The API does what its OpenAPI document says: every documented request example, sent over
 * HTTP to the real local API with a dev token, gets a status the document lists for that
 * operation and a body that the document's JSON Schema for that status accepts (and the zod
 * schema too). The served document is the committed one.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import { ErrorBody } from '../../../lambdas/shared/contract/schemas';
import { ROUTE_LIST, type Route } from '../../../lambdas/shared/contract/routes';
import type { LocalApi } from '../../../local/server';
import { DocumentReader, type Json } from '../../support/openapi-reader';
import { parseEvents } from '../../support/contract-check';
import { startQuietLocalApi } from './local-api';

let api: LocalApi;
let reader: DocumentReader;

beforeAll(async () => {
  api = await startQuietLocalApi();
  const committed = JSON.parse(
    await readFile(new URL('../../../openapi/openapi.json', import.meta.url), 'utf8'),
  ) as Json;
  reader = new DocumentReader(committed);
});

afterAll(async () => {
  await api?.close();
});

interface Exchange {
  readonly at: string;
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
}

/** Sends a request to a documented path (`{run_id}` filled from its parameter's example). */
async function send(
  op: Route,
  body: unknown,
  token: string | null = api.token,
): Promise<Omit<Exchange, 'at'>> {
  const operation = reader.operation(op.method, op.path);
  let path = op.path;
  for (const p of (operation.parameters ?? []) as Json[]) {
    if (p.in === 'path')
      path = path.replace(`{${String(p.name)}}`, encodeURIComponent(String((p.schema as Json).example)));
  }
  const response = await fetch(`${api.origin}${path}`, {
    method: op.method.toUpperCase(),
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  // An event stream is checked by its last event (`done` or `error`), one of the documented events.
  const streamed = response.headers.get('content-type')?.startsWith('text/event-stream');
  return {
    status: response.status,
    body: text === '' ? undefined : streamed ? parseEvents(text).at(-1) : (JSON.parse(text) as unknown),
    headers: response.headers,
  };
}

/** What is wrong with an exchange according to the document (and the zod schemas); empty when it conforms. */
function violations(op: Route, exchange: Exchange): string[] {
  const operation = reader.operation(op.method, op.path);
  const schema = reader.responseSchema(operation, exchange.status);
  if (!schema) return [`status ${exchange.status} is not documented (body ${JSON.stringify(exchange.body)})`];
  const problems = reader.validate(schema, exchange.body).map((e) => `document schema: ${e}`);
  const zodSchema: z.ZodType = op.responses[exchange.status]?.schema ?? ErrorBody;
  const parsed = zodSchema.safeParse(exchange.body);
  if (!parsed.success)
    problems.push(...parsed.error.issues.map((i) => `zod: ${i.path.join('.')}: ${i.message}`));
  if (exchange.status >= 400) {
    const code = (exchange.body as { code?: unknown } | undefined)?.code;
    const description = String(
      reader.resolve<Json>((operation.responses as Json)[String(exchange.status)]).description,
    );
    if (!description.includes(`\`${String(code)}\``))
      problems.push(`code ${String(code)} is not listed for ${exchange.status}`);
  }
  return problems;
}

function conform(op: Route, exchange: Exchange): void {
  expect({ at: exchange.at, violations: violations(op, exchange) }).toEqual({
    at: exchange.at,
    violations: [],
  });
}

/** Examples expected to succeed against local mode's demo user (the others exercise refusals). */
const EXPECTED_SUCCESS = new Set([
  'sendChatMessage/message',
  'sendChatMessage/goal',
  'sendChatMessage/prd_body',
  'manageThreads/get_or_create',
  'manageThreads/get_threads',
  'buildUserContext/general',
  'buildUserContext/goal',
]);

describe('the local API against its OpenAPI document', () => {
  it('serves the committed document at /functions/v1/openapi.json without a token', async () => {
    const op = ROUTE_LIST.find((o) => o.operationId === 'getOpenApiDocument')!;

    const exchange = { at: 'openapi.json', ...(await send(op, undefined, null)) };

    expect(exchange.status).toBe(200);
    expect(exchange.body).toEqual(reader.document);
    conform(op, exchange);
  });

  it('answers every documented request example with a documented status and a body of the documented schema', async () => {
    const outcomes: string[] = [];
    for (const op of ROUTE_LIST) {
      const operation = reader.operation(op.method, op.path);
      const examples = operation.requestBody
        ? reader.examples(reader.jsonContent(operation.requestBody))
        : [{ name: 'no body', value: undefined }];
      for (const example of examples) {
        const at = `${op.operationId}/${example.name}`;
        const exchange = { at, ...(await send(op, example.value)) };
        conform(op, exchange);
        outcomes.push(`${at} ${exchange.status}`);
      }
    }

    const succeeded = outcomes.filter((o) => / 2\d\d$/.test(o)).map((o) => o.split(' ')[0]);
    expect(succeeded).toEqual(expect.arrayContaining([...EXPECTED_SUCCESS]));
  });

  it('answers a replayed chat example (same client_message_id) with the stored reply', async () => {
    const op = ROUTE_LIST.find((o) => o.operationId === 'sendChatMessage')!;
    const example = reader
      .examples(reader.jsonContent(reader.operation('post', op.path).requestBody))
      .find((e) => e.name === 'message')!;

    const first = await send(op, example.value);
    const second = await send(op, example.value);

    conform(op, { at: 'replay', ...second });
    expect(second.status).toBe(200);
    expect((second.body as Json).message_id).toBe((first.body as Json).message_id);
  });

  it('answers the examples that name earlier results (a reply, a thread) with their documented 200 once the ids are real', async () => {
    const byId = (id: string) => ROUTE_LIST.find((o) => o.operationId === id)!;
    const examplesOf = (op: Route) =>
      reader.examples(reader.jsonContent(reader.operation(op.method, op.path).requestBody));
    const chat = await send(byId('sendChatMessage'), { message: 'Feedback target', chat_type: 'general' });
    const thread = await send(byId('manageThreads'), {
      action: 'get_or_create',
      assistant_type: 'general_coach',
    });

    for (const example of examplesOf(byId('sendChatFeedback'))) {
      const body = { ...(example.value as Json), message_id: (chat.body as Json).message_id };
      const exchange = {
        at: `sendChatFeedback/${example.name} on a real reply`,
        ...(await send(byId('sendChatFeedback'), body)),
      };
      expect({ at: exchange.at, status: exchange.status }).toEqual({ at: exchange.at, status: 200 });
      conform(byId('sendChatFeedback'), exchange);
    }
    const update = examplesOf(byId('manageThreads')).find((e) => e.name === 'update_interaction')!;
    const body = { ...(update.value as Json), thread_id: (thread.body as Json).thread_id };
    const exchange = {
      at: 'manageThreads/update_interaction on a real thread',
      ...(await send(byId('manageThreads'), body)),
    };
    expect(exchange.status).toBe(200);
    conform(byId('manageThreads'), exchange);
  });

  it('answers a request without a body where the document marks the body optional', async () => {
    const optional = ROUTE_LIST.filter((o) => o.requestBody && o.requestBody.required === false);

    expect(optional.map((o) => o.operationId)).toEqual(['buildUserContext']);
    for (const op of optional) {
      const exchange = { at: `${op.operationId} without a body`, ...(await send(op, undefined)) };
      expect({ at: exchange.at, status: exchange.status }).toEqual({ at: exchange.at, status: 200 });
      conform(op, exchange);
    }
  });

  it('refuses every authenticated operation without a token with a documented 401', async () => {
    for (const op of ROUTE_LIST.filter((o) => o.auth)) {
      const operation = reader.operation(op.method, op.path);
      const [example] = operation.requestBody
        ? reader.examples(reader.jsonContent(operation.requestBody))
        : [];

      const exchange = { at: `${op.operationId} without token`, ...(await send(op, example?.value, null)) };

      expect({ at: exchange.at, status: exchange.status }).toEqual({ at: exchange.at, status: 401 });
      conform(op, exchange);
    }
  });

  it('refuses invalid bodies with a documented 400 validation_failed', async () => {
    for (const op of ROUTE_LIST.filter((o) => o.requestBody)) {
      const exchange = { at: `${op.operationId} invalid body`, ...(await send(op, { unexpected: true })) };

      expect({ at: exchange.at, code: (exchange.body as Json).code }).toEqual({
        at: exchange.at,
        code: 'validation_failed',
      });
      conform(op, exchange);
    }
  });

  it('refuses a body that is not JSON with a documented 400 invalid_json', async () => {
    const op = ROUTE_LIST.find((o) => o.operationId === 'sendChatMessage')!;
    const response = await fetch(`${api.origin}${op.path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
      body: '{"message": ',
    });
    const exchange = {
      at: 'invalid json',
      status: response.status,
      body: (await response.json()) as unknown,
      headers: response.headers,
    };

    expect((exchange.body as Json).code).toBe('invalid_json');
    conform(op, exchange);
  });
});

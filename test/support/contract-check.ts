/**
 * Every answer an integration test gets is checked against the contract the API serves: the
 * status is one the OpenAPI document lists for the operation, the body matches that
 * response's schema, the `X-Request-Id` header is there where the document promises it, and
 * an error's `code` is one the route declares for that status. `invoke()` (handlers driven
 * directly) and the local API (`startQuietLocalApi`) both call it, so no test can pass on an
 * undocumented shape. The count of answers checked is printed at the end of the run.
 */
import { afterAll } from '@jest/globals';
import { buildOpenApiDocument } from '../../lambdas/openapi/document';
import { ERROR_CODES, isErrorCode } from '../../lambdas/shared/contract/errors';
import { ROUTE_LIST } from '../../lambdas/shared/contract/routes';
import { addCheckedCount } from './contract-count';
import { DocumentReader, type Json } from './openapi-reader';

const reader = new DocumentReader(buildOpenApiDocument() as unknown as Json);
let checked = 0;

export interface Answer {
  readonly method: string;
  /** The route's path template (`…/runs/{run_id}`), as API Gateway's `resource`. */
  readonly resource: string;
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

/** Throws, naming what differs, unless the answer is one the document describes. */
export function checkAnswer(answer: Answer): void {
  const at = `${answer.method.toUpperCase()} ${answer.resource} → ${answer.status}`;
  const route = ROUTE_LIST.find(
    (r) => r.method === answer.method.toLowerCase() && r.path === answer.resource,
  );
  if (!route) throw new Error(`contract: ${at} is no route of the contract`);
  const operation = reader.operation(route.method, route.path);
  const response = (operation.responses as Record<string, unknown>)[String(answer.status)];
  if (response === undefined)
    throw new Error(`contract: ${at} is not a documented status of ${route.operationId}`);
  const headers = Object.fromEntries(Object.entries(answer.headers).map(([k, v]) => [k.toLowerCase(), v]));
  if (headers['content-type']?.startsWith('text/event-stream')) {
    checkEvents(response, answer.body, at);
    checked += 1;
    return;
  }
  const schema = reader.jsonContent(response)?.schema as Json | undefined;
  const errors = schema ? reader.validate(schema, answer.body) : [];
  if (errors.length > 0) {
    throw new Error(
      `contract: ${at} does not match its schema: ${errors.join('; ')}\n${JSON.stringify(answer.body)}`,
    );
  }
  const documentedHeaders = Object.keys(reader.resolve<Json>(response).headers ?? {});
  for (const name of documentedHeaders) {
    // Retry-After is documented for the status; only errors that set a wait carry it.
    if (name === 'Retry-After') continue;
    if (!headers[name.toLowerCase()]) throw new Error(`contract: ${at} lacks the documented ${name} header`);
  }
  if (answer.status >= 400) checkErrorCode(route.errors, answer, at);
  checked += 1;
}

/** One server-sent event as the document describes it: `event`, `id` if sent, `data` parsed. */
export interface SentEvent {
  readonly event: string;
  readonly id?: string;
  readonly data: unknown;
}

/** The events of a `text/event-stream` body, in order. */
export function parseEvents(text: string): SentEvent[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      const fields = new Map<string, string>();
      for (const line of frame.split('\n')) {
        const cut = line.indexOf(': ');
        if (cut > 0) fields.set(line.slice(0, cut), line.slice(cut + 2));
      }
      const id = fields.get('id');
      return {
        event: fields.get('event') ?? 'message',
        ...(id === undefined ? {} : { id }),
        data: JSON.parse(fields.get('data') ?? 'null') as unknown,
      };
    });
}

/**
 * A stream's every event matches the documented event schema, and the stream is in the
 * documented order: `meta` first, then deltas, then exactly one `done` or `error`, last.
 */
function checkEvents(response: unknown, body: unknown, at: string): void {
  if (typeof body !== 'string') throw new Error(`contract: ${at} is an event stream; pass its text`);
  const content = reader.resolve<Json>(response).content as Record<string, Json> | undefined;
  const schema = content?.['text/event-stream']?.schema as Json | undefined;
  if (!schema) throw new Error(`contract: ${at} is not documented as text/event-stream`);
  const events = parseEvents(body);
  for (const event of events) {
    const errors = reader.validate(schema, event);
    if (errors.length > 0)
      throw new Error(
        `contract: ${at} sent an event off its schema: ${errors.join('; ')}\n${JSON.stringify(event)}`,
      );
  }
  const names = events.map((e) => e.event);
  const last = names.at(-1);
  const endings = names.filter((n) => n === 'done' || n === 'error').length;
  const metaFirst = names[0] === 'meta' || (names.length === 1 && last === 'error');
  if (!metaFirst || endings !== 1 || (last !== 'done' && last !== 'error') || names.lastIndexOf('meta') > 0)
    throw new Error(`contract: ${at} sent events out of order: ${names.join(', ')}`);
}

/** An answer's body as `checkAnswer` takes it: JSON parsed, an event stream as its text. */
export function answerBody(body: string, headers: Readonly<Record<string, string>>): unknown {
  const type = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  return type.startsWith('text/event-stream') ? body : (JSON.parse(body) as unknown);
}

function checkErrorCode(declared: readonly string[], answer: Answer, at: string): void {
  const code = (answer.body as { code?: unknown }).code;
  if (typeof code !== 'string' || !isErrorCode(code) || !declared.includes(code)) {
    throw new Error(`contract: ${at} answers code ${String(code)}, which the route does not declare`);
  }
  if (ERROR_CODES[code].status !== answer.status) {
    throw new Error(`contract: ${at} answers code ${code}, whose status is ${ERROR_CODES[code].status}`);
  }
}

// Each test file adds its count; the global teardown sums and prints them.
afterAll(() => {
  addCheckedCount(checked);
  checked = 0;
});

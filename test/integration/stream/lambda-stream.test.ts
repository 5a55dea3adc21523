/**
 * The streaming Lambda's own edge: what it writes to Lambda's response stream is the HTTP
 * prelude API Gateway's STREAM integration reads (`awslambda.HttpResponseStream.from`: the
 * status and headers as JSON, then eight NUL bytes, then the body), the events after it. The
 * runtime's `HttpResponseStream` is faked here in that documented format; the handler, the
 * middleware and the turn (simulated coach, real Postgres) are the real ones.
 */
import { PassThrough, type Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createChatStreamHandler, lambdaResponseSink } from '../../../lambdas/chat/stream-handler';
import { lambdaContext, proxyEvent } from '../../support/api';
import { buildTestRuntime, type TestRuntime } from '../../support/chat-runtime';
import { parseEvents } from '../../support/contract-check';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { insertUser } from '../../support/users';

const PRELUDE_END = '\0'.repeat(8);

let db: TestDatabase;
let app: TestRuntime;
const runtimeGlobal = globalThis as { awslambda?: unknown };
let saved: unknown;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildTestRuntime({ databaseUrl: db.url });
  saved = runtimeGlobal.awslambda;
  runtimeGlobal.awslambda = {
    HttpResponseStream: {
      from(stream: Writable, metadata: Record<string, unknown>): Writable {
        stream.write(`${JSON.stringify(metadata)}${PRELUDE_END}`);
        return stream;
      },
    },
  };
});

afterAll(async () => {
  runtimeGlobal.awslambda = saved;
  await app?.close();
  await db?.drop();
});

/** Invokes the handler with a response stream and returns what was written to it. */
async function invokeStreaming(body: unknown, userId: string) {
  const handler = createChatStreamHandler(app.getRuntime);
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  await handler(
    proxyEvent({ resource: '/functions/v1/openai-chat-completion/stream', body, userId }),
    lambdaResponseSink(stream),
    lambdaContext(),
  );
  const text = Buffer.concat(chunks).toString('utf8');
  const cut = text.indexOf(PRELUDE_END);
  return {
    prelude: JSON.parse(text.slice(0, cut)) as { statusCode: number; headers: Record<string, string> },
    body: text.slice(cut + PRELUDE_END.length),
    ended: stream.writableEnded,
  };
}

describe('the streaming Lambda', () => {
  it('writes the prelude (200, text/event-stream, the request id), then the events, and ends the stream', async () => {
    const user = await insertUser(db.pool);
    const out = await invokeStreaming(
      { message: 'Any tips for tonight?', chat_type: 'pillar_health' },
      user.id,
    );
    expect(out.prelude.statusCode).toBe(200);
    expect(out.prelude.headers).toMatchObject({
      'content-type': 'text/event-stream; charset=utf-8',
      'x-request-id': expect.any(String),
    });
    const events = parseEvents(out.body);
    expect(events[0]?.event).toBe('meta');
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { variant: 'simulated' } });
    expect(out.ended).toBe(true);
  });

  it('answers a refusal as the JSON route does: its status and JSON body in the prelude and payload', async () => {
    const out = await invokeStreaming({ message: '' }, (await insertUser(db.pool)).id);
    expect(out.prelude.statusCode).toBe(400);
    expect(out.prelude.headers['content-type']).toBe('application/json');
    expect(JSON.parse(out.body)).toMatchObject({ code: 'validation_failed' });
    expect(out.ended).toBe(true);
  });
});

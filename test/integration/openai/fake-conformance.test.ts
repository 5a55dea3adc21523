/**
 * The OpenAI fake cannot drift from the real API: every JSON body and every streamed event
 * it sends, and every request our adapter sends it, must satisfy OpenAI's official OpenAPI
 * description (`openai-openapi.yaml`, compiled by `test/support/openai-spec.ts`).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import type { CoachModelError } from '../../../lambdas/shared/ports';
import { startOpenAIFake, type OpenAIFake, type SentMessage } from '../../support/openai-fake';
import { loadOpenAISpec, type OpenAISpec } from '../../support/openai-spec';
import { coachTurn, modelFor } from './helpers';

let fake: OpenAIFake;
let spec: OpenAISpec;
let sdk: OpenAI;

beforeAll(async () => {
  spec = loadOpenAISpec();
  fake = await startOpenAIFake();
  sdk = new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 0, timeout: 5000 });
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
});

/** Every sent message that fails its schema, with the reasons (empty when all conform). */
function violations(sent: readonly SentMessage[]): Array<{ schema: string; path: string; errors: string[] }> {
  return sent.flatMap((message) => {
    const result = spec.validate(message.schema, message.body);
    return result.valid
      ? []
      : [{ schema: message.schema, path: `${message.method} ${message.path}`, errors: result.errors }];
  });
}

const swallow = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as CoachModelError,
  );

describe('the OpenAI fake', () => {
  it('sends conversations and item lists shaped like ConversationResource and ConversationItemList', async () => {
    const { model } = modelFor(fake);
    const { id } = await model.createConversation({ metadata: { assistant_type: 'general_coach' } });
    await sdk.conversations.items.list(id, { order: 'desc' });
    await model.respond(coachTurn(id), { wait_ms: 5000 });
    await sdk.conversations.items.list(id, { order: 'asc', limit: 1 });
    await sdk.conversations.retrieve(id);

    expect(fake.sent.map((m) => m.schema)).toEqual(
      expect.arrayContaining(['ConversationResource', 'ConversationItemList']),
    );
    expect(violations(fake.sent)).toEqual([]);
  });

  it('streams a completed response with every event of a text reply, in sequence, each valid', async () => {
    const { model } = modelFor(fake);
    const { id } = await model.createConversation({ metadata: {} });
    await model.respond(coachTurn(id), { wait_ms: 5000 });

    const events = fake.sent.filter((m) => m.kind === 'event');
    const types = events.map((m) => (m.body as { type: string }).type);
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(new Set(types)).toEqual(
      new Set([
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.content_part.added',
        'response.output_text.delta',
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ]),
    );
    expect(types.filter((t) => t === 'response.output_text.delta').length).toBeGreaterThan(1);
    expect(events.map((m) => (m.body as { sequence_number: number }).sequence_number)).toEqual(
      events.map((_, i) => i),
    );
    for (const event of events) {
      expect(spec.eventSchemaFor((event.body as { type: string }).type)).toBe(event.schema);
      expect(spec.validate('ResponseStreamEvent', event.body).errors).toEqual([]);
    }
    expect(violations(fake.sent)).toEqual([]);
  });

  it('sends valid Response objects and events for failed, incomplete, errored, slow, resumed and cancelled responses', async () => {
    const { model } = modelFor(fake);
    const conversation = async () => (await model.createConversation({ metadata: {} })).id;
    fake.script(
      { kind: 'fail', code: 'server_error' },
      { kind: 'incomplete', reason: 'max_output_tokens' },
      { kind: 'stream_error', code: 'server_error' },
      { kind: 'break_stream', afterEvents: 3 },
      { kind: 'slow', pollsUntilDone: 2 },
    );
    await model.respond(coachTurn(await conversation()), { wait_ms: 5000 });
    await model.respond(coachTurn(await conversation()), { wait_ms: 5000 });
    await model.respond(coachTurn(await conversation()), { wait_ms: 5000 });
    const resumed = await model.respond(coachTurn(await conversation()), { wait_ms: 5000 });
    const slow = await model.respond(coachTurn(await conversation()), { wait_ms: 200 });
    await model.retrieve(slow.response_id);
    await model.cancel(slow.response_id);
    await model.retrieve(resumed.response_id);
    // A background create without streaming answers with the queued Response.
    await sdk.responses.create({ model: 'gpt-6-luna', input: 'Hello', background: true, store: true });

    const types = new Set(fake.sent.map((m) => (m.body as { type?: string }).type ?? m.schema));
    for (const expected of ['response.failed', 'response.incomplete', 'error', 'Response'])
      expect(types.has(expected)).toBe(true);
    expect(violations(fake.sent)).toEqual([]);
  });

  it('sends OpenAI error bodies for rate limits, quota, server errors, bad keys, unknown ids and locked conversations', async () => {
    const { model } = modelFor(fake, { maxRetries: 0 });
    const { id } = await model.createConversation({ metadata: {} });
    fake.script(
      { kind: 'error', status: 429, code: 'rate_limit_exceeded', retryAfterMs: 10 },
      { kind: 'error', status: 429, code: 'insufficient_quota', type: 'insufficient_quota' },
      { kind: 'error', status: 500 },
      { kind: 'slow', pollsUntilDone: 5 },
    );
    await swallow(model.respond(coachTurn(id), { wait_ms: 5000 }));
    await swallow(model.respond(coachTurn(id), { wait_ms: 5000 }));
    await swallow(model.respond(coachTurn(id), { wait_ms: 5000 }));
    await model.respond(coachTurn(id), { wait_ms: 100 });
    const locked = await swallow(
      model.respond(coachTurn(id, 'while the first still runs'), { wait_ms: 5000 }),
    );
    await swallow(modelFor(fake, { apiKey: 'sk-wrong', maxRetries: 0 }).model.retrieve('resp_x'));
    await swallow(model.retrieve('resp_unknown'));

    expect(locked).toMatchObject({ kind: 'rate_limited', options: { status: 400 } });
    const errors = fake.sent.filter((m) => m.schema === 'ErrorResponse');
    expect(errors.map((m) => [m.status, (m.body as { error: { code: string | null } }).error.code])).toEqual([
      [429, 'rate_limit_exceeded'],
      [429, 'insufficient_quota'],
      [500, null],
      [400, 'conversation_locked'],
      [401, 'invalid_api_key'],
      [404, null],
    ]);
    expect(violations(fake.sent)).toEqual([]);
  });
});

describe('the OpenAI fake, on the endpoints the safety and erasure work uses', () => {
  it('sends CreateModerationResponse bodies for every input form, classified or scripted, and takes CreateModerationRequest', async () => {
    fake.scriptModerations({ kind: 'scores', scores: { 'self-harm': 0.4 } }, { kind: 'error', status: 500 });
    await sdk.moderations.create({ model: 'omni-moderation-latest', input: 'Plain words' });
    await swallow(sdk.moderations.create({ input: 'Scripted failure' }));
    await sdk.moderations.create({
      model: 'omni-moderation-latest',
      input: ['I want to kill myself', 'Fine'],
    });
    await sdk.moderations.create({
      input: [
        { type: 'text', text: 'How do I hurt myself' },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
      ],
    });
    await swallow(sdk.moderations.create({ input: 'Hi', model: 'not-a-moderation-model' }));

    const bodies = fake.sent.filter((m) => m.schema === 'CreateModerationResponse');
    expect(bodies).toHaveLength(3);
    expect(fake.sent.filter((m) => m.schema === 'ErrorResponse').map((m) => m.status)).toEqual([500, 404]);
    expect(violations(fake.sent)).toEqual([]);
    for (const request of fake.requestsTo('POST', '/v1/moderations'))
      expect(spec.validate('CreateModerationRequest', request.body).errors).toEqual([]);
  });

  it('sends valid bodies when deleting conversations, items and responses, and when they are gone', async () => {
    const { id } = await sdk.conversations.create({ metadata: { user: 'owner' } });
    const response = await sdk.responses.create({ model: 'gpt-6-luna', input: 'Hi', conversation: id });
    const [item] = (await sdk.conversations.items.list(id, { order: 'asc' })).data;
    const itemId = String(item?.id);
    await sdk.conversations.items.retrieve(itemId, { conversation_id: id });
    await sdk.conversations.items.delete(itemId, { conversation_id: id });
    await swallow(sdk.conversations.items.retrieve(itemId, { conversation_id: id }));
    await sdk.responses.delete(response.id);
    await swallow(sdk.responses.delete(response.id));
    await sdk.conversations.delete(id);
    await swallow(sdk.conversations.delete(id));

    expect(new Set(fake.sent.map((m) => m.schema))).toEqual(
      new Set([
        'ConversationResource',
        'Response',
        'ConversationItemList',
        'ConversationItem',
        'operation:deleteResponse',
        'DeletedConversationResource',
        'ErrorResponse',
      ]),
    );
    expect(fake.sent.filter((m) => m.status === 404)).toHaveLength(3);
    expect(violations(fake.sent)).toEqual([]);
  });
});

describe('the OpenAI fake, compacting', () => {
  it('sends valid Responses, events, item lists and CompactResources with compaction items, and takes them back as input', async () => {
    const { id } = await sdk.conversations.create({});
    const long = 'word '.repeat(1000);
    const settings = { context_management: [{ type: 'compaction', compact_threshold: 1000 }] };
    const stream = await sdk.responses.create({
      model: 'gpt-6-luna',
      input: long,
      conversation: id,
      stream: true,
      ...settings,
    });
    for await (const _event of stream);
    await sdk.conversations.items.list(id, { order: 'asc' });
    const stateless = await sdk.responses.create({
      model: 'gpt-6-luna',
      input: [{ role: 'user', content: 'Now' }, { type: 'compaction_trigger' }],
    });
    const [produced] = stateless.output as Array<{ type: 'compaction'; encrypted_content: string }>;
    await sdk.responses.create({
      model: 'gpt-6-luna',
      input: [
        { type: 'compaction', encrypted_content: String(produced?.encrypted_content) },
        { role: 'user', content: 'Go on' },
      ],
    });
    await sdk.responses.compact({ model: 'gpt-6-luna', input: [{ role: 'user', content: long }] });
    await sdk.responses.compact({ model: 'gpt-6-luna', previous_response_id: stateless.id });

    const compactionIn = (m: SentMessage) => JSON.stringify(m.body).includes('"type":"compaction"');
    expect(new Set(fake.sent.filter(compactionIn).map((m) => m.schema))).toEqual(
      new Set([
        'ResponseOutputItemAddedEvent',
        'ResponseOutputItemDoneEvent',
        'ResponseCompletedEvent',
        'ConversationItemList',
        'Response',
        'CompactResource',
      ]),
    );
    expect(violations(fake.sent)).toEqual([]);
    for (const request of fake.requestsTo('POST', '/v1/responses'))
      expect(spec.validate('CreateResponse', request.body).errors).toEqual([]);
    for (const request of fake.requestsTo('POST', '/v1/responses/compact'))
      expect(spec.validate('CompactResponseMethodPublicBody', request.body).errors).toEqual([]);
  });
});

describe('the requests our adapter sends', () => {
  it('satisfy CreateConversationBody and CreateResponse', async () => {
    const { model } = modelFor(fake);
    const { id } = await model.createConversation({
      metadata: { assistant_type: 'pillar_coach', user: 'a3f1c2' },
    });
    await model.respond(coachTurn(id), { wait_ms: 5000 });
    await model.respond(
      { ...coachTurn(id, 'Again'), reasoning_effort: null, temperature: 0.7 },
      { wait_ms: 5000 },
    );

    const conversations = fake.requestsTo('POST', '/v1/conversations');
    const responses = fake.requestsTo('POST', '/v1/responses');
    expect(conversations).toHaveLength(1);
    expect(responses).toHaveLength(2);
    for (const request of conversations)
      expect(spec.validate('CreateConversationBody', request.body).errors).toEqual([]);
    for (const request of responses) expect(spec.validate('CreateResponse', request.body).errors).toEqual([]);
  });
});

describe('the spec validator', () => {
  it('rejects a Response whose usage is null, as the description does not allow it', async () => {
    const response = await sdk.responses.create({ model: 'gpt-6-luna', input: 'Hi' });
    expect(spec.validate('Response', response).valid).toBe(true);
    expect(spec.validate('Response', { ...response, usage: null }).valid).toBe(false);
  });

  it('rejects a moderation result without one of the required categories', async () => {
    const moderation = await sdk.moderations.create({ input: 'Hello' });
    expect(spec.validate('CreateModerationResponse', moderation).errors).toEqual([]);
    const [result] = moderation.results;
    const { 'self-harm/intent': _dropped, ...categories } = result?.categories ?? {};
    const broken = { ...moderation, results: [{ ...result, categories }] };
    expect(spec.validate('CreateModerationResponse', broken).valid).toBe(false);
  });

  it('holds the response deletion body to the example the description documents, and nothing else', () => {
    const example = spec.exampleFor('operation:deleteResponse');
    expect(spec.validate('operation:deleteResponse', example).errors).toEqual([]);
    expect(spec.validate('operation:deleteResponse', { ...(example as object), deleted: false }).valid).toBe(
      false,
    );
    expect(spec.validate('operation:deleteResponse', { ...(example as object), extra: 1 }).valid).toBe(false);
  });

  it('rejects a stream event without its sequence number and an error body without param', () => {
    expect(
      spec.validate('ResponseErrorEvent', { type: 'error', code: null, message: 'x', param: null }).valid,
    ).toBe(false);
    expect(
      spec.validate('ErrorResponse', { error: { message: 'x', type: 'server_error', code: null } }).valid,
    ).toBe(false);
  });

  it('accepts a rich input message only through the documented InputItem relaxation, and still checks its content', () => {
    const rich = {
      model: 'gpt-6-luna',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }],
    };
    expect(spec.validate('CreateResponse', rich).errors).toEqual([]);
    const broken = {
      model: 'gpt-6-luna',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text' }] }],
    };
    expect(spec.validate('CreateResponse', broken).valid).toBe(false);
  });
});

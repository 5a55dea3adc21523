/**
 * The OpenAI fake deletes as the official API does, seen through the real `openai` SDK:
 * a deleted conversation keeps its items, items and stored responses are deleted one by one,
 * every deleted thing 404s afterwards, and `stored(owner)` tells one user's data from another's.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI, { APIError } from 'openai';
import { startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';

let fake: OpenAIFake;
let sdk: OpenAI;

beforeAll(async () => {
  fake = await startOpenAIFake();
  sdk = new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 0, timeout: 5000 });
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
});

/** The API error a call ends with (fails the test if it succeeds). */
async function apiError(call: Promise<unknown>): Promise<APIError> {
  const outcome = await call.then(
    () => new Error('expected the call to fail'),
    (error: unknown) => error,
  );
  if (outcome instanceof APIError) return outcome;
  throw outcome;
}

/** A conversation of `owner` with two turns on it: four items, two stored responses. */
async function conversationWithTurns(owner: string): Promise<{ id: string; responses: string[] }> {
  const { id } = await sdk.conversations.create({ metadata: { user: owner } });
  const responses: string[] = [];
  for (const input of ['First thing', 'Second thing']) {
    const response = await sdk.responses.create({
      model: 'gpt-6-luna',
      input,
      conversation: id,
      safety_identifier: owner,
    });
    responses.push(response.id);
  }
  return { id, responses };
}

describe('DELETE /v1/conversations/{id}', () => {
  it('answers conversation.deleted, then 404s the conversation and its item endpoints', async () => {
    const { id } = await conversationWithTurns('owner-a');
    const [item] = (await sdk.conversations.items.list(id)).data;

    const deleted = await sdk.conversations.delete(id);

    expect(deleted).toEqual({ id, object: 'conversation.deleted', deleted: true });
    const gone = await apiError(sdk.conversations.retrieve(id));
    expect(gone.status).toBe(404);
    expect(gone.error).toEqual({
      message: `Conversation with id '${id}' not found.`,
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
    expect((await apiError(sdk.conversations.items.list(id))).status).toBe(404);
    expect(
      (await apiError(sdk.conversations.items.retrieve(String(item?.id), { conversation_id: id }))).status,
    ).toBe(404);
    expect((await apiError(sdk.conversations.delete(id))).status).toBe(404);
  });

  it('keeps every item of the deleted conversation stored, and the responses too', async () => {
    const { id, responses } = await conversationWithTurns('owner-a');

    await sdk.conversations.delete(id);

    const stored = fake.stored('owner-a');
    expect(stored.conversations).toEqual([]);
    expect(stored.items).toHaveLength(4);
    expect(stored.items.every((item) => item.conversationId === id && item.conversationDeleted)).toBe(true);
    expect(stored.responses.map((r) => r.id).sort()).toEqual([...responses].sort());
  });

  it('still stores the output of a response that ends after its conversation was deleted', async () => {
    const { id } = await sdk.conversations.create({ metadata: { user: 'owner-a' } });
    fake.script({ kind: 'ok', firstTokenMs: 60_000 });
    const running = await sdk.responses.create({
      model: 'gpt-6-luna',
      input: 'Hi',
      conversation: id,
      background: true,
    });

    await sdk.conversations.delete(id);
    fake.finish(running.id);

    expect(fake.stored('owner-a').items.map((item) => [item.type, item.conversationDeleted])).toEqual([
      ['message', true],
      ['message', true],
    ]);
    expect((await sdk.responses.retrieve(running.id)).status).toBe('completed');
  });
});

describe('DELETE /v1/conversations/{id}/items/{item_id}', () => {
  it('answers with the conversation, and the item is gone from retrieve, list and the stored state', async () => {
    const { id } = await conversationWithTurns('owner-a');
    const [newest, ...older] = (await sdk.conversations.items.list(id)).data;
    const itemId = String(newest?.id);
    expect(await sdk.conversations.items.retrieve(itemId, { conversation_id: id })).toEqual(newest);

    const conversation = await sdk.conversations.items.delete(itemId, { conversation_id: id });

    expect(conversation).toMatchObject({ id, object: 'conversation', metadata: { user: 'owner-a' } });
    const gone = await apiError(sdk.conversations.items.retrieve(itemId, { conversation_id: id }));
    expect(gone.status).toBe(404);
    expect(gone.error).toMatchObject({ message: `Item with id '${itemId}' not found.` });
    expect((await sdk.conversations.items.list(id)).data.map((item) => item.id)).toEqual(
      older.map((item) => item.id),
    );
    expect(fake.stored('owner-a').items.map((item) => item.id)).not.toContain(itemId);
    expect((await apiError(sdk.conversations.items.delete(itemId, { conversation_id: id }))).status).toBe(
      404,
    );
  });

  it('changes what the next response on the conversation sees', async () => {
    const { id } = await conversationWithTurns('owner-a');
    for (const item of (await sdk.conversations.items.list(id)).data) {
      await sdk.conversations.items.delete(String(item.id), { conversation_id: id });
    }

    const next = await sdk.responses.create({ model: 'gpt-6-luna', input: 'Fresh start', conversation: id });

    expect(fake.responses.get(next.id)?.contextItemCount).toBe(0);
  });
});

describe('DELETE /v1/responses/{id}', () => {
  it('answers the documented deletion body, then 404s, and leaves the conversation items alone', async () => {
    const { responses } = await conversationWithTurns('owner-a');
    const [responseId] = responses;

    await sdk.responses.delete(String(responseId));

    expect(fake.sent.at(-1)).toMatchObject({
      method: 'DELETE',
      status: 200,
      body: { id: responseId, object: 'response', deleted: true },
    });
    expect((await apiError(sdk.responses.retrieve(String(responseId)))).status).toBe(404);
    expect((await apiError(sdk.responses.delete(String(responseId)))).status).toBe(404);
    expect(fake.stored('owner-a').responses.map((r) => r.id)).toEqual([responses[1]]);
    expect(fake.stored('owner-a').items).toHaveLength(4);
  });

  it('treats a response created with store: false as never stored', async () => {
    const response = await sdk.responses.create({ model: 'gpt-6-luna', input: 'Hi', store: false });

    expect((await apiError(sdk.responses.retrieve(response.id))).status).toBe(404);
    expect((await apiError(sdk.responses.delete(response.id))).status).toBe(404);
    expect(fake.stored().responses).toEqual([]);
    const background = await apiError(
      sdk.responses.create({ model: 'gpt-6-luna', input: 'Hi', background: true, store: false }),
    );
    expect(background.status).toBe(400);
    expect(background.param).toBe('store');
  });
});

describe('GET /v1/conversations/{id}/items pagination', () => {
  async function conversationOfSeven(): Promise<{ id: string; ids: string[] }> {
    const { id } = await sdk.conversations.create({
      items: Array.from({ length: 7 }, (_, i) => ({ type: 'message', role: 'user', content: `Item ${i}` })),
    });
    return { id, ids: fake.conversations.get(id)?.items.map((item) => String(item.id)) ?? [] };
  }

  it('walks every item oldest first with order=asc, limit and the SDK following after', async () => {
    const { id, ids } = await conversationOfSeven();
    const pages = fake.count('conversations.items.list');

    const walked: string[] = [];
    for await (const item of sdk.conversations.items.list(id, { order: 'asc', limit: 3 }))
      walked.push(String(item.id));

    expect(walked).toEqual(ids);
    expect(fake.count('conversations.items.list') - pages).toBe(3);
    expect(fake.requestsTo('GET', `/v1/conversations/${id}/items`).map((r) => r.query.after)).toEqual([
      undefined,
      ids[2],
      ids[5],
    ]);
  });

  it('walks newest first by default, and says has_more exactly when a page is not the last', async () => {
    const { id, ids } = await conversationOfSeven();

    const first = await sdk.conversations.items.list(id, { limit: 4 });
    const second = await sdk.conversations.items.list(id, { limit: 4, after: first.data.at(-1)?.id });

    expect([...first.data, ...second.data].map((item) => item.id)).toEqual([...ids].reverse());
    expect(first.has_more).toBe(true);
    expect(second.has_more).toBe(false);
  });

  it('continues after a cursor whose item was deleted meanwhile, and refuses a cursor never seen', async () => {
    const { id, ids } = await conversationOfSeven();
    await sdk.conversations.items.delete(String(ids[2]), { conversation_id: id });

    const rest = await sdk.conversations.items.list(id, { order: 'asc', after: ids[2] });
    const unknown = await apiError(sdk.conversations.items.list(id, { after: 'msg_unknown' }));

    expect(rest.data.map((item) => item.id)).toEqual(ids.slice(3));
    expect(unknown.status).toBe(400);
    expect(unknown.param).toBe('after');
  });
});

describe('stored(owner)', () => {
  it("finds one user's conversations, items and responses, and after their erasure none of them but all of the other user's", async () => {
    const a = await conversationWithTurns('owner-a');
    const b = await conversationWithTurns('owner-b');
    const stateless = await sdk.responses.create({
      model: 'gpt-6-luna',
      input: 'Hi',
      safety_identifier: 'owner-a',
    });
    const before = fake.stored('owner-b');
    expect(
      fake
        .stored('owner-a')
        .responses.map((r) => r.id)
        .sort(),
    ).toEqual([...a.responses, stateless.id].sort());
    expect(fake.stored('owner-a').conversations.map((c) => c.id)).toEqual([a.id]);

    // The erasure order the API requires: items, stored responses, then the conversation.
    for await (const item of sdk.conversations.items.list(a.id, { order: 'asc', limit: 2 })) {
      await sdk.conversations.items.delete(String(item.id), { conversation_id: a.id });
    }
    for (const id of [...a.responses, stateless.id]) await sdk.responses.delete(id);
    await sdk.conversations.delete(a.id);

    expect(fake.stored('owner-a')).toEqual({ conversations: [], items: [], responses: [] });
    expect(fake.stored('owner-b')).toEqual(before);
    expect(fake.stored('owner-b').conversations.map((c) => c.id)).toEqual([b.id]);
  });

  it('owns a conversation without metadata through the safety_identifier of its responses', async () => {
    const { id } = await sdk.conversations.create({});
    await sdk.responses.create({
      model: 'gpt-6-luna',
      input: 'Hi',
      conversation: id,
      safety_identifier: 'owner-c',
    });

    expect(fake.stored('owner-c').conversations.map((c) => c.id)).toEqual([id]);
    expect(fake.stored('owner-c').items).toHaveLength(2);
    expect(fake.stored('someone-else')).toEqual({ conversations: [], items: [], responses: [] });
  });
});

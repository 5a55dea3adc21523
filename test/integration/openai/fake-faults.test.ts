/**
 * The fault suite's faults, as the OpenAI fake plays them to the real `openai` SDK: what the
 * client sees, and what exists upstream afterwards (accepted or not, charged or not).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI, { APIConnectionError, APIError } from 'openai';
import { startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';

let fake: OpenAIFake;
let sdk: OpenAI;

beforeAll(async () => {
  fake = await startOpenAIFake();
  // logLevel off: the SDK logs the bodies it cannot parse, which the malformed cases are.
  sdk = new OpenAI({
    apiKey: fake.apiKey,
    baseURL: fake.baseURL,
    maxRetries: 0,
    timeout: 2000,
    logLevel: 'off',
  });
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
});

async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => new Error('expected the call to fail'),
    (error: unknown) => error,
  );
}

/** Reads a stream to its end or its error: the event types seen, and the error if any. */
async function drain(stream: AsyncIterable<{ type: string }>): Promise<{ types: string[]; error: unknown }> {
  const types: string[] = [];
  try {
    for await (const event of stream) types.push(event.type);
    return { types, error: null };
  } catch (error) {
    return { types, error };
  }
}

/** Waits until the fake has no running response left (bounded), so outcomes upstream can be read. */
async function settled(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const running = [...fake.responses.values()].some((r) =>
      ['queued', 'in_progress'].includes(String(r.response.status)),
    );
    if (!running) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('a response was still running');
}

const create = (options: { stream?: boolean } = {}) =>
  sdk.responses.create({
    model: 'gpt-6-luna',
    input: 'Hello there',
    stream: options.stream ?? false,
  } as never);

describe('refusals before anything is accepted', () => {
  it.each([
    [{ kind: 'error', status: 429, retryAfterMs: 40 }, 429, 'rate_limit_exceeded', 'requests'],
    [
      { kind: 'error', status: 429, code: 'insufficient_quota' },
      429,
      'insufficient_quota',
      'insufficient_quota',
    ],
    [{ kind: 'error', status: 500 }, 500, null, 'server_error'],
    [{ kind: 'error', status: 503 }, 503, null, 'server_error'],
  ] as const)('%j answers %i with code %p, and creates nothing', async (behaviour, status, code, type) => {
    fake.script(behaviour);

    const error = await failure(create());

    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status, code, type });
    expect(fake.responses.size).toBe(0);
    expect(fake.count('responses.create')).toBe(1);
  });

  it('sends retry-after-ms with a rate limit when told to', async () => {
    fake.script({ kind: 'error', status: 429, retryAfterMs: 40 });

    const error = (await failure(create())) as APIError;

    expect(error.headers?.get('retry-after-ms')).toBe('40');
  });

  it('drops the connection before accepting: a connection error, nothing created', async () => {
    fake.script({ kind: 'reset_before_accept' });

    expect(await failure(create())).toBeInstanceOf(APIConnectionError);
    expect(fake.responses.size).toBe(0);
  });

  it('holds the first byte past the client timeout without accepting: nothing is ever created', async () => {
    fake.script({ kind: 'slow_first_byte', delayMs: 200 });

    expect(
      await failure(sdk.withOptions({ timeout: 50 }).responses.create({ model: 'gpt-6-luna', input: 'Hi' })),
    ).toBeInstanceOf(APIConnectionError);
    await new Promise((resolve) => setTimeout(resolve, 400));

    expect(fake.responses.size).toBe(0);
    expect(fake.sent).toEqual([]);
  });

  it('answers normally after a slow first byte the client waits for', async () => {
    fake.script({ kind: 'slow_first_byte', delayMs: 30, text: 'Late but fine.' });

    const response = await create();

    expect(response.output_text).toBe('Late but fine.');
  });
});

describe('faults after the response was accepted (it runs on, and is charged once)', () => {
  it('drops the connection after accepting: the client sees a connection error, the response completes upstream', async () => {
    const { id } = await sdk.conversations.create({});
    fake.script({ kind: 'reset_after_accept', text: 'You never saw this.' });

    const error = await failure(
      sdk.responses.create({
        model: 'gpt-6-luna',
        input: 'Hi',
        conversation: id,
        background: true,
        stream: true,
      }),
    );
    await settled();

    expect(error).toBeInstanceOf(APIConnectionError);
    const [upstream] = [...fake.responses.values()];
    expect(upstream?.response.status).toBe('completed');
    expect(fake.conversations.get(id)?.items.map((item) => item.role)).toEqual(['user', 'assistant']);
  });

  it('holds the first byte past the timeout after accepting: the response exists and completes', async () => {
    fake.script({ kind: 'slow_first_byte', delayMs: 300, accepted: true });

    const error = await failure(
      sdk
        .withOptions({ timeout: 50 })
        .responses.create({ model: 'gpt-6-luna', input: 'Hi', background: true }),
    );
    await settled();

    expect(error).toBeInstanceOf(APIConnectionError);
    expect([...fake.responses.values()].map((r) => r.response.status)).toEqual(['completed']);
  });

  it('resets mid-stream: the stream breaks after the events sent, and resuming after the last one gives the rest', async () => {
    fake.script({ kind: 'break_stream', afterEvents: 3 });

    const first = await drain(
      await sdk.responses.create({ model: 'gpt-6-luna', input: 'Hi there', background: true, stream: true }),
    );
    const [upstream] = [...fake.responses.values()];
    const rest = await drain(
      await sdk.responses.retrieve(String(upstream?.id), {
        stream: true,
        starting_after: first.types.length - 1,
      }),
    );

    expect(first.error).not.toBeNull();
    expect(first.types).toEqual(['response.created', 'response.in_progress', 'response.output_item.added']);
    expect([...first.types, ...rest.types]).toEqual(upstream?.events.map((event) => event.type));
    expect(rest.types.at(-1)).toBe('response.completed');
  });

  it('cuts a JSON body in half: the SDK cannot parse it, the response was created', async () => {
    fake.script({ kind: 'malformed' });

    const error = await failure(create());

    expect(error).toBeInstanceOf(SyntaxError);
    expect([...fake.responses.values()].map((r) => r.response.status)).toEqual(['completed']);
  });

  it('truncates a stream mid-event after the events it was told to send, the response completes upstream', async () => {
    fake.script({ kind: 'malformed', afterEvents: 2 });

    const { types, error } = await drain(
      (await create({ stream: true })) as unknown as AsyncIterable<{ type: string }>,
    );
    await settled();

    expect(types).toEqual(['response.created', 'response.in_progress']);
    expect(error).toBeInstanceOf(SyntaxError);
    expect(fake.sent.filter((m) => m.kind === 'event')).toHaveLength(2);
    expect([...fake.responses.values()].map((r) => r.response.status)).toEqual(['completed']);
  });
});

describe('scriptFaults on any endpoint', () => {
  it('fails the next calls to one endpoint only, in order, then lets it work', async () => {
    const { id } = await sdk.conversations.create({
      items: [{ type: 'message', role: 'user', content: 'Hi' }],
    });
    const [item] = fake.conversations.get(id)?.items ?? [];
    fake.scriptFaults(
      'conversations.items.delete',
      { kind: 'error', status: 500 },
      { kind: 'error', status: 429 },
    );

    const first = await failure(sdk.conversations.items.delete(String(item?.id), { conversation_id: id }));
    const second = await failure(sdk.conversations.items.delete(String(item?.id), { conversation_id: id }));
    const listed = await sdk.conversations.items.list(id);
    await sdk.conversations.items.delete(String(item?.id), { conversation_id: id });

    expect([first, second].map((e) => (e as APIError).status)).toEqual([500, 429]);
    expect(listed.data).toHaveLength(1);
    expect(fake.conversations.get(id)?.items).toEqual([]);
    expect(fake.count('conversations.items.delete')).toBe(3);
  });

  it('does the work of a reset-after-accept delete, so the retry finds it gone (404)', async () => {
    const response = await create();
    fake.scriptFaults('responses.delete', { kind: 'reset_after_accept' });

    const dropped = await failure(sdk.responses.delete(response.id));
    const retried = await failure(sdk.responses.delete(response.id));

    expect(dropped).toBeInstanceOf(APIConnectionError);
    expect(retried).toMatchObject({ status: 404 });
    expect(fake.stored().responses).toEqual([]);
  });

  it('cuts the JSON of any endpoint when malformed', async () => {
    fake.scriptFaults('conversations.create', { kind: 'malformed' });

    const error = await failure(sdk.conversations.create({ metadata: { user: 'u1' } }));

    expect(error).toBeInstanceOf(SyntaxError);
    expect(fake.stored('u1').conversations).toHaveLength(1);
  });
});

describe('counting', () => {
  it('counts moderations, response creates and conversation creates as one obvious call each', async () => {
    await sdk.moderations.create({ input: 'Hi' });
    const { id } = await sdk.conversations.create({});
    await sdk.responses.create({ model: 'gpt-6-luna', input: 'Hi', conversation: id });
    await sdk.responses.create({ model: 'gpt-6-luna', input: 'Again', conversation: id });

    expect(fake.count('moderations.create')).toBe(1);
    expect(fake.count('conversations.create')).toBe(1);
    expect(fake.count('responses.create')).toBe(2);
    expect(fake.counts()).toEqual(
      expect.objectContaining({ 'responses.retrieve': 0, 'conversations.delete': 0, 'responses.compact': 0 }),
    );
  });

  it('counts the retries the SDK makes by itself', async () => {
    fake.script(
      { kind: 'error', status: 500, retryAfterMs: 5 },
      { kind: 'error', status: 500, retryAfterMs: 5 },
    );

    await sdk.withOptions({ maxRetries: 2 }).responses.create({ model: 'gpt-6-luna', input: 'Hi' });

    expect(fake.count('responses.create')).toBe(3);
    expect(fake.responses.size).toBe(1);
  });
});

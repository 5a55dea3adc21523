/**
 * Streaming on the OpenAI fake, through the real `openai` SDK: fixed first-token and total
 * times, one delta per word, the fake's own latency recorded, exact resumption after event N,
 * and background responses that outlive their client. Timings are asserted only as lower
 * bounds, which hold by construction (a step never runs before its time).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI, { APIError } from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
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

const now = () => performance.timeOrigin + performance.now();
const TEXT = 'Try a short walk after dinner tonight.';

async function streamed(options: { conversation?: string } = {}) {
  return sdk.responses.create({
    model: 'gpt-6-luna',
    input: 'Any tips?',
    background: true,
    stream: true,
    ...options,
  });
}

async function collect(stream: AsyncIterable<ResponseStreamEvent>, stopAfter = Infinity) {
  const events: Array<{ event: ResponseStreamEvent; receivedAtMs: number }> = [];
  for await (const event of stream) {
    events.push({ event, receivedAtMs: now() });
    if (events.length >= stopAfter) break;
  }
  return events;
}

/** Polls (bounded) until the response has ended, then returns it. */
async function ended(id: string) {
  for (let i = 0; i < 200; i++) {
    const response = await sdk.responses.retrieve(id);
    if (response.status !== 'queued' && response.status !== 'in_progress') return response;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`response ${id} did not end`);
}

describe('fixed timing', () => {
  it('sends one delta per word, the first after firstTokenMs, spread until latencyMs, and records its own latency', async () => {
    fake.script({ kind: 'ok', text: TEXT, firstTokenMs: 120, latencyMs: 480 });

    const events = await collect(await streamed());

    const id = String((events[0]?.event as { response: { id: string } }).response.id);
    const upstream = fake.responses.get(id);
    const deltas = events.filter((e) => e.event.type === 'response.output_text.delta');
    expect(deltas.map((d) => (d.event as { delta: string }).delta)).toEqual(TEXT.split(/(?<= )/));
    expect(events.map((e) => e.event.sequence_number)).toEqual(events.map((_, i) => i));
    const created = upstream?.timing.createdAtMs ?? Infinity;
    const spacing = (480 - 120) / deltas.length;
    deltas.forEach((delta, i) =>
      expect(delta.receivedAtMs - created).toBeGreaterThanOrEqual(120 + i * spacing),
    );
    expect(upstream?.timing.planned).toEqual({ firstTokenMs: 120, latencyMs: 480 });
    expect((upstream?.timing.firstDeltaAtMs ?? 0) - created).toBeGreaterThanOrEqual(120);
    expect((upstream?.timing.completedAtMs ?? 0) - created).toBeGreaterThanOrEqual(480);
    expect(events.at(-1)?.event.type).toBe('response.completed');
  });

  it('takes the server-wide timing from the options and setTiming, a behaviour’s own first, and reset restores the options', async () => {
    const timed = await startOpenAIFake({ firstTokenMs: 10, latencyMs: 40 });
    const client = new OpenAI({ apiKey: timed.apiKey, baseURL: timed.baseURL, maxRetries: 0 });
    const planned = async () => {
      const response = await client.responses.create({ model: 'gpt-6-luna', input: 'Hi' });
      return timed.responses.get(response.id)?.timing.planned;
    };
    try {
      const fromOptions = await planned();
      timed.setTiming({ latencyMs: 30 });
      const fromSetTiming = await planned();
      timed.script({ kind: 'ok', firstTokenMs: 5 });
      const fromBehaviour = await planned();
      timed.reset();
      const afterReset = await planned();

      expect(fromOptions).toEqual({ firstTokenMs: 10, latencyMs: 40 });
      expect(fromSetTiming).toEqual({ firstTokenMs: 0, latencyMs: 30 });
      expect(fromBehaviour).toEqual({ firstTokenMs: 5, latencyMs: 30 });
      expect(afterReset).toEqual({ firstTokenMs: 10, latencyMs: 40 });
    } finally {
      await timed.close();
    }
  });

  it('keeps a timed response in progress until its time (conversation locked), and finish() ends it at once', async () => {
    const { id: conversation } = await sdk.conversations.create({});
    fake.script({ kind: 'ok', text: TEXT, firstTokenMs: 60_000, latencyMs: 120_000 });
    const accepted = await sdk.responses.create({
      model: 'gpt-6-luna',
      input: 'Hi',
      conversation,
      background: true,
    });

    const running = await sdk.responses.retrieve(accepted.id);
    const locked = await sdk.responses.create({ model: 'gpt-6-luna', input: 'Again', conversation }).then(
      () => null,
      (error: unknown) => error,
    );
    fake.finish(accepted.id);
    const finished = await sdk.responses.retrieve(accepted.id);

    expect(running.status).toBe('in_progress');
    expect(locked).toBeInstanceOf(APIError);
    expect(locked).toMatchObject({ status: 400, code: 'conversation_locked' });
    expect(finished.status).toBe('completed');
    expect(finished.output_text).toBe(TEXT);
    expect(fake.conversations.get(conversation)?.items.map((item) => item.role)).toEqual([
      'user',
      'assistant',
    ]);
  });

  it('answers a foreground, unstreamed create only once the response is done', async () => {
    fake.script({ kind: 'ok', text: TEXT, latencyMs: 150 });

    const response = await sdk.responses.create({ model: 'gpt-6-luna', input: 'Hi' });

    expect(response.status).toBe('completed');
    expect(response.output_text).toBe(TEXT);
    const timing = fake.responses.get(response.id)?.timing;
    expect((timing?.completedAtMs ?? 0) - (timing?.createdAtMs ?? Infinity)).toBeGreaterThanOrEqual(150);
  });
});

describe('resuming with starting_after', () => {
  it('returns exactly the events after N, for every N, once the response has ended', async () => {
    const all = await collect(await streamed());
    const id = String((all[0]?.event as { response: { id: string } }).response.id);

    for (const after of [-1, 0, 3, all.length - 2, all.length - 1]) {
      const resumed = await collect(
        await sdk.responses.retrieve(id, { stream: true, starting_after: after }),
      );
      expect(resumed.map((e) => e.event)).toEqual(all.slice(after + 1).map((e) => e.event));
    }
  });

  it('continues a response that is still running from the event after N, with no gap and no repeat', async () => {
    fake.script({ kind: 'ok', text: TEXT, firstTokenMs: 50, latencyMs: 400 });
    const first = await collect(await streamed(), 4);
    const id = String((first[0]?.event as { response: { id: string } }).response.id);
    const last = first.at(-1)?.event.sequence_number ?? -1;

    const rest = await collect(await sdk.responses.retrieve(id, { stream: true, starting_after: last }));

    const sequence = [...first, ...rest].map((e) => e.event.sequence_number);
    expect(sequence).toEqual(sequence.map((_, i) => i));
    expect(rest.at(-1)?.event.type).toBe('response.completed');
    expect([...first, ...rest].map((e) => e.event)).toEqual(fake.responses.get(id)?.events);
  });
});

describe('a client that leaves mid-stream', () => {
  it('leaves the background response running to completion, its reply stored in the conversation', async () => {
    const { id: conversation } = await sdk.conversations.create({});
    fake.script({ kind: 'ok', text: TEXT, firstTokenMs: 20, latencyMs: 300 });

    const seen = await collect(await streamed({ conversation }), 5);
    const id = String((seen[0]?.event as { response: { id: string } }).response.id);
    const response = await ended(id);

    expect(seen.some((e) => e.event.type === 'response.completed')).toBe(false);
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe(TEXT);
    expect(fake.conversations.get(conversation)?.items.at(-1)).toMatchObject({
      role: 'assistant',
      content: [{ type: 'output_text', text: TEXT }],
    });
  });
});

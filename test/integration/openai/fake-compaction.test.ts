/**
 * Token counting and compaction on the OpenAI fake, through the real `openai` SDK: input
 * tokens follow one stated rule (3 per request + ceil(chars / 4) of the instructions + 4 and
 * ceil(chars / 4) per rendered item), and compaction replaces what it summarises so later
 * turns count the compaction item's own, small size.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI, { APIError } from 'openai';
import type { ResponseInputItem } from 'openai/resources/responses/responses';
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

/** The rule, written out here independently of the fake's code. */
const text = (s: string) => Math.ceil(s.length / 4);
const item = (s: string) => 4 + text(s);
const request = (instructions: string, ...items: number[]) =>
  items.reduce((a, b) => a + b, 3 + text(instructions));

const compaction = (threshold: number) => [{ type: 'compaction', compact_threshold: threshold }];
/** A user message of `tokens` tokens of text. */
const message = (tokens: number, label = 'x') => `${label} `.repeat(tokens * 2).slice(0, tokens * 4);

async function turn(conversation: string, input: string, options: Record<string, unknown> = {}) {
  const response = await sdk.responses.create({ model: 'gpt-6-luna', input, conversation, ...options });
  return { response, tokens: response.usage?.input_tokens ?? NaN };
}

async function failure(call: Promise<unknown>): Promise<APIError> {
  const outcome = await call.then(
    () => new Error('expected the call to fail'),
    (error: unknown) => error,
  );
  if (outcome instanceof APIError) return outcome;
  throw outcome;
}

describe('input tokens', () => {
  it('count the instructions, every prior item of the conversation and the new input', async () => {
    const { id } = await sdk.conversations.create({});
    const instructions = 'You are a kind coach. '.repeat(10);

    const first = await turn(id, 'How do I sleep better?', { instructions });
    const second = await turn(id, 'And on weekends?', { instructions });

    expect(first.tokens).toBe(request(instructions, item('How do I sleep better?')));
    expect(second.tokens).toBe(
      request(
        instructions,
        item('How do I sleep better?'),
        item(first.response.output_text),
        item('And on weekends?'),
      ),
    );
    expect(fake.responses.get(second.response.id)).toMatchObject({
      contextItemCount: 2,
      renderedItemCount: 2,
      inputTokens: second.tokens,
    });
  });

  it('count a stateless input list as sent, and bill the cached instruction blocks of a repeated prompt_cache_key', async () => {
    const instructions = 'a'.repeat(1100); // 275 tokens: two whole 128-token blocks cacheable
    const input = [
      { role: 'user' as const, content: 'One' },
      { role: 'assistant' as const, content: 'Two' },
      { role: 'user' as const, content: 'Three' },
    ];

    const cold = await sdk.responses.create({
      model: 'gpt-6-luna',
      instructions,
      input,
      prompt_cache_key: 'k',
    });
    const warm = await sdk.responses.create({
      model: 'gpt-6-luna',
      instructions,
      input,
      prompt_cache_key: 'k',
    });

    expect(cold.usage?.input_tokens).toBe(request(instructions, item('One'), item('Two'), item('Three')));
    expect(cold.usage?.input_tokens_details).toEqual({ cached_tokens: 0, cache_write_tokens: 256 });
    expect(warm.usage?.input_tokens_details).toEqual({ cached_tokens: 256, cache_write_tokens: 0 });
  });
});

describe('server-side compaction (context_management)', () => {
  it('compacts once the rendered context passes compact_threshold, and the next turn counts the compaction item instead', async () => {
    const { id } = await sdk.conversations.create({});
    const settings = { context_management: compaction(1000) };
    const u = message(400);

    const t1 = await turn(id, u, settings);
    const t2 = await turn(id, u, settings);
    const t3 = await turn(id, u, settings);
    const t4 = await turn(id, u, settings);

    const reply = item(t1.response.output_text);
    expect([t1.tokens, t2.tokens]).toEqual([request('', item(u)), request('', item(u), reply, item(u))]);
    // Turn 3 renders 1251 tokens > 1000: it compacts everything it rendered.
    const replaced = 3 * item(u) + 2 * reply;
    expect(t3.tokens).toBe(3 + replaced);
    const summary = Math.max(32, Math.ceil(replaced / 10));
    const [compactionItem, answer] = t3.response.output;
    expect(compactionItem).toMatchObject({ type: 'compaction', id: expect.stringMatching(/^cmp_/) });
    expect((compactionItem as { encrypted_content: string }).encrypted_content).toHaveLength(summary * 4);
    expect(answer).toMatchObject({ type: 'message', role: 'assistant' });
    expect(fake.responses.get(t3.response.id)?.compaction).toMatchObject({
      replacedItems: 5,
      replacedTokens: replaced,
      summaryTokens: summary,
    });
    // Turn 4 renders the compaction item, the reply after it, and its own input.
    expect(t4.tokens).toBe(request('', 4 + summary, reply, item(u)));
    expect(fake.responses.get(t4.response.id)).toMatchObject({ contextItemCount: 7, renderedItemCount: 2 });
    expect(fake.conversations.get(id)?.items.map((i) => i.type)).toEqual([
      'message',
      'message',
      'message',
      'message',
      'message',
      'compaction',
      'message',
      'message',
      'message',
    ]);
  });

  it('streams the compaction item as the first output item, before the reply', async () => {
    const { id } = await sdk.conversations.create({});
    const stream = await sdk.responses.create({
      model: 'gpt-6-luna',
      input: [{ type: 'message', role: 'user', content: 'Compact now' }, { type: 'compaction_trigger' }],
      conversation: id,
      stream: true,
    });

    const events: Array<{ type: string; output_index?: number; item?: { type: string } }> = [];
    for await (const event of stream) events.push(event as never);

    const added = events.filter((e) => e.type === 'response.output_item.added');
    expect(added.map((e) => [e.output_index, e.item?.type])).toEqual([
      [0, 'compaction'],
      [1, 'message'],
    ]);
    expect(events.find((e) => e.type === 'response.output_text.delta')).toMatchObject({ output_index: 1 });
  });

  it('keeps input tokens bounded over a long conversation with compaction, while they grow every turn without', async () => {
    const threshold = 2000;
    const run = async (settings: Record<string, unknown>) => {
      const { id } = await sdk.conversations.create({});
      const tokens: number[] = [];
      for (let i = 0; i < 60; i++) tokens.push((await turn(id, message(100, `m${i}`), settings)).tokens);
      return tokens;
    };

    const without = await run({});
    const withCompaction = await run({ context_management: compaction(threshold) });

    for (let i = 1; i < without.length; i++) expect(without[i]).toBeGreaterThan(without[i - 1] ?? Infinity);
    // A turn's growth is at most its input and the previous reply: the peak sits just past the threshold.
    const growth = Math.max(...without.slice(1).map((t, i) => t - (without[i] ?? 0)));
    expect(Math.max(...withCompaction)).toBeLessThanOrEqual(threshold + growth);
    expect(withCompaction.at(-1)).toBeLessThan((without.at(-1) ?? 0) / 3);
    // Compaction recurs: a later compaction replaces the earlier compaction item too.
    expect([...fake.responses.values()].filter((r) => r.compaction !== null).length).toBeGreaterThan(1);
  });

  it('accepts its compaction item back as input (stateless chaining) and counts it at its own size', async () => {
    const u = message(1200);
    const first = await sdk.responses.create({
      model: 'gpt-6-luna',
      input: u,
      context_management: compaction(1000),
    });
    const [produced] = first.output;
    const { id: _id, ...carried } = produced as { id: string; type: 'compaction'; encrypted_content: string };

    const next = await sdk.responses.create({
      model: 'gpt-6-luna',
      input: [carried as ResponseInputItem, { role: 'user', content: 'Go on' }],
    });

    expect(first.usage?.input_tokens).toBe(request('', item(u)));
    expect(next.usage?.input_tokens).toBe(request('', 4 + text(carried.encrypted_content), item('Go on')));
    expect(text(carried.encrypted_content)).toBe(Math.ceil(item(u) / 10));
  });

  it('compacts on a compaction_trigger whatever the size, and refuses a trigger that is not the last input item', async () => {
    const compacted = await sdk.responses.create({
      model: 'gpt-6-luna',
      input: [{ role: 'user', content: 'Short' }, { type: 'compaction_trigger' }],
    });
    const misplaced = await failure(
      sdk.responses.create({
        model: 'gpt-6-luna',
        input: [{ type: 'compaction_trigger' }, { role: 'user', content: 'Short' }],
      }),
    );

    expect(compacted.output.map((o) => o.type)).toEqual(['compaction', 'message']);
    expect(fake.responses.get(compacted.id)?.compaction?.summaryTokens).toBe(32);
    expect(misplaced).toMatchObject({ status: 400, param: 'input' });
  });

  it('refuses a compact_threshold below the minimum of 1000 and a context management type other than compaction', async () => {
    const low = await failure(
      sdk.responses.create({ model: 'gpt-6-luna', input: 'Hi', context_management: compaction(999) }),
    );
    const unknown = await failure(
      sdk.responses.create({ model: 'gpt-6-luna', input: 'Hi', context_management: [{ type: 'truncate' }] }),
    );

    expect(low).toMatchObject({
      status: 400,
      code: 'integer_below_min_value',
      param: 'context_management[0].compact_threshold',
    });
    expect(unknown).toMatchObject({
      status: 400,
      code: 'invalid_value',
      param: 'context_management[0].type',
    });
    expect(fake.responses.size).toBe(0);
  });
});

describe('POST /v1/responses/compact', () => {
  it('returns every user message followed by one compaction item that replaces the rest', async () => {
    const [a1, a2] = ['A long first answer. '.repeat(20), 'A long second answer. '.repeat(20)];
    const input: ResponseInputItem[] = [
      { role: 'user', content: 'First question' },
      { role: 'assistant', content: a1 },
      { role: 'user', content: 'Second question' },
      { role: 'assistant', content: a2 },
    ];

    const compacted = await sdk.responses.compact({ model: 'gpt-6-luna', input });

    expect(compacted.object).toBe('response.compaction');
    expect(compacted.output.map((o) => o.type)).toEqual(['message', 'message', 'compaction']);
    expect(compacted.output.slice(0, 2)).toMatchObject([
      { role: 'user', content: [{ type: 'input_text', text: 'First question' }] },
      { role: 'user', content: [{ type: 'input_text', text: 'Second question' }] },
    ]);
    expect(compacted.usage).toMatchObject({
      input_tokens: request('', item('First question'), item(a1), item('Second question'), item(a2)),
      output_tokens: Math.max(32, Math.ceil((item(a1) + item(a2)) / 10)),
    });
  });

  it('compacts a stored response with its output through previous_response_id, and 404s an unknown one', async () => {
    const previous = await sdk.responses.create({ model: 'gpt-6-luna', input: 'Tell me about sleep' });

    const compacted = await sdk.responses.compact({ model: 'gpt-6-luna', previous_response_id: previous.id });
    const unknown = await failure(
      sdk.responses.compact({ model: 'gpt-6-luna', previous_response_id: 'resp_nope' }),
    );

    expect(compacted.output.map((o) => o.type)).toEqual(['message', 'compaction']);
    expect(compacted.usage.input_tokens).toBe(
      request('', item('Tell me about sleep'), item(previous.output_text)),
    );
    expect(unknown).toMatchObject({ status: 404, param: 'previous_response_id' });
    expect(fake.count('responses.compact')).toBe(2);
  });
});

describe('the compactThreshold option', () => {
  it('compacts sooner on requests that ask for compaction, and never on the others', async () => {
    const eager = await startOpenAIFake({ compactThreshold: 50 });
    const client = new OpenAI({ apiKey: eager.apiKey, baseURL: eager.baseURL, maxRetries: 0 });
    try {
      const asked = await client.responses.create({
        model: 'gpt-6-luna',
        input: message(60),
        context_management: compaction(32000),
      });
      const notAsked = await client.responses.create({ model: 'gpt-6-luna', input: message(60) });

      expect(asked.output[0]?.type).toBe('compaction');
      expect(notAsked.output.map((o) => o.type)).toEqual(['message']);
    } finally {
      await eager.close();
    }
  });
});

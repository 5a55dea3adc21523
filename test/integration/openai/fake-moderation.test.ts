/**
 * `POST /v1/moderations` on the OpenAI fake, through the real `openai` SDK: content
 * classification by default (so interactive use shows the crisis path), scripted scores for
 * tests, failures of every kind the screening must survive, and one counted call each.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI, { APIConnectionError, APIError } from 'openai';
import { MODERATION_CATEGORIES, startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';

let fake: OpenAIFake;
let sdk: OpenAI;

beforeAll(async () => {
  fake = await startOpenAIFake();
  sdk = new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 0, timeout: 2000 });
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
});

const moderate = (input: string | string[]) =>
  sdk.moderations.create({ model: 'omni-moderation-latest', input });

async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => new Error('expected the call to fail'),
    (error: unknown) => error,
  );
}

describe('by default', () => {
  it('flags nothing in an ordinary message, with every category scored low and applied to text', async () => {
    const moderation = await moderate('I slept badly again, any tips?');

    expect(moderation.id).toMatch(/^modr-/);
    expect(moderation.model).toBe('omni-moderation-latest');
    expect(moderation.results).toHaveLength(1);
    const [result] = moderation.results;
    expect(result?.flagged).toBe(false);
    expect(Object.keys(result?.categories ?? {}).sort()).toEqual([...MODERATION_CATEGORIES].sort());
    expect(Object.values(result?.categories ?? {}).every((flag) => flag === false)).toBe(true);
    expect(Math.max(...Object.values(result?.category_scores ?? {}))).toBeLessThan(0.01);
    expect(Object.values(result?.category_applied_input_types ?? {})).toEqual(
      MODERATION_CATEGORIES.map(() => ['text']),
    );
  });

  it.each([
    ['I want to kill myself', 'self-harm/intent'],
    ['Some days I think I should just end my life', 'self-harm/intent'],
    ['I keep wanting to hurt myself', 'self-harm/intent'],
    ['How do I kill myself without pain', 'self-harm/instructions'],
    ['I am going to hurt them tomorrow', 'violence'],
  ] as const)('flags %p as %s with a high score', async (text, category) => {
    const [result] = (await moderate(text)).results;

    expect(result?.flagged).toBe(true);
    expect(result?.categories[category]).toBe(true);
    expect(result?.category_scores[category]).toBeGreaterThan(0.8);
  });

  it('answers one result per string of an array, in order', async () => {
    const { results } = await moderate(['Lovely walk today', 'I want to end my life', 'Tea helps']);

    expect(results.map((r) => r.flagged)).toEqual([false, true, false]);
    expect(results[1]?.category_scores['self-harm/intent']).toBe(0.93);
    expect(results[1]?.categories['self-harm']).toBe(true);
  });

  it('answers one result for a multi-modal list, with image among the applied types where allowed', async () => {
    const { results } = await sdk.moderations.create({
      model: 'omni-moderation-latest',
      input: [
        { type: 'text', text: 'I want to hurt myself' },
        { type: 'image_url', image_url: { url: 'https://example.com/picture.png' } },
      ],
    });

    expect(results).toHaveLength(1);
    expect(results[0]?.categories['self-harm/intent']).toBe(true);
    expect(results[0]?.category_applied_input_types['self-harm/intent']).toEqual(['text', 'image']);
    expect(results[0]?.category_applied_input_types.hate).toEqual(['text']);
  });
});

describe('scripted results', () => {
  it('answer the queued scores in order, then classification resumes', async () => {
    fake.scriptModerations(
      { kind: 'scores', scores: { 'self-harm/intent': 0.93, 'self-harm': 0.9 } },
      { kind: 'scores', scores: { 'self-harm': 0.42 } },
      { kind: 'scores', scores: { violence: 0.2 }, flagged: { violence: true } },
    );

    const intent = (await moderate('Neutral words')).results[0];
    const belowFlag = (await moderate('Neutral words')).results[0];
    const overridden = (await moderate('Neutral words')).results[0];
    const classified = (await moderate('Neutral words')).results[0];

    expect(intent).toMatchObject({
      flagged: true,
      categories: { 'self-harm/intent': true, 'self-harm': true, violence: false },
      category_scores: { 'self-harm/intent': 0.93, 'self-harm': 0.9 },
    });
    expect(belowFlag).toMatchObject({ flagged: false, category_scores: { 'self-harm': 0.42 } });
    expect(overridden).toMatchObject({ flagged: true, categories: { violence: true } });
    expect(classified?.flagged).toBe(false);
  });
});

describe('failures', () => {
  it('answers scripted 500 and 429 with OpenAI error bodies, and nothing else changes', async () => {
    fake.scriptModerations({ kind: 'error', status: 500 }, { kind: 'error', status: 429, retryAfterMs: 250 });

    const serverError = await failure(moderate('Hello'));
    const rateLimited = await failure(moderate('Hello'));

    expect(serverError).toBeInstanceOf(APIError);
    expect(serverError).toMatchObject({ status: 500, type: 'server_error' });
    expect(rateLimited).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect((rateLimited as APIError).headers?.get('retry-after-ms')).toBe('250');
    expect((await moderate('Hello')).results[0]?.flagged).toBe(false);
  });

  it('lets a hanging or slow moderation run into the client timeout, and a reset drop the connection', async () => {
    const impatient = sdk.withOptions({ timeout: 150 });
    fake.scriptModerations(
      { kind: 'hang' },
      { kind: 'slow_first_byte', delayMs: 1000 },
      { kind: 'reset_before_accept' },
      { kind: 'slow_first_byte', delayMs: 20 },
    );

    const hung = await failure(impatient.moderations.create({ input: 'Hello' }));
    const slow = await failure(impatient.moderations.create({ input: 'Hello' }));
    const reset = await failure(impatient.moderations.create({ input: 'Hello' }));
    const slowButInTime = await sdk.moderations.create({ input: 'I want to kill myself' });

    // Under jest the SDK cannot tell its own timeout from a dropped connection (the abort
    // error comes from another realm), so all three surface as connection errors.
    for (const error of [hung, slow, reset]) expect(error).toBeInstanceOf(APIConnectionError);
    expect(fake.count('moderations.create')).toBe(4);
    expect(fake.sent.filter((m) => m.path === '/v1/moderations')).toHaveLength(1);
    expect(slowButInTime.results[0]?.categories['self-harm/intent']).toBe(true);
  });

  it('refuses a missing input and an unknown model with 4xx errors', async () => {
    const missing = await failure(sdk.moderations.create({} as never));
    const unknown = await failure(sdk.moderations.create({ input: 'Hi', model: 'omni-moderation-next' }));

    expect(missing).toMatchObject({ status: 400, param: 'input', type: 'invalid_request_error' });
    expect(unknown).toMatchObject({ status: 404, code: 'model_not_found' });
  });
});

describe('counting', () => {
  it('counts every moderation request, failed ones and retries included, and records each body', async () => {
    fake.scriptModerations({ kind: 'error', status: 503 });
    const retrying = new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 1, timeout: 2000 });

    await retrying.moderations.create({ model: 'omni-moderation-latest', input: 'One' });
    await moderate('Two');

    expect(fake.count('moderations.create')).toBe(3);
    expect(
      fake.requestsTo('POST', '/v1/moderations').map((r) => (r.body as { input: string }).input),
    ).toEqual(['One', 'One', 'Two']);
    expect(fake.counts()).toMatchObject({ 'moderations.create': 3, 'responses.create': 0 });
  });
});

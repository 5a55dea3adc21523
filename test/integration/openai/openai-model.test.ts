/**
 * The OpenAI adapter against the fake OpenAI server, through the real `openai` SDK and real
 * HTTP: what reaches OpenAI, how often, and what the service gets back.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { usageFromOpenAI } from '../../../lambdas/shared/coach/pricing';
import { CoachModelError, type CoachPoll } from '../../../lambdas/shared/ports';
import { startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';
import { coachTurn, modelFor } from './helpers';

let fake: OpenAIFake;

beforeAll(async () => {
  fake = await startOpenAIFake();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
});

const creates = () => fake.requestsTo('POST', '/v1/responses');

async function newConversation(): Promise<string> {
  const { model } = modelFor(fake);
  const { id } = await model.createConversation({ metadata: { assistant_type: 'pillar_coach' } });
  fake.requests.length = 0;
  return id;
}

async function rejection(promise: Promise<unknown>): Promise<CoachModelError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CoachModelError) return error;
    throw error;
  }
  throw new Error('expected a CoachModelError');
}

describe('createConversation', () => {
  it('creates a conversation with our metadata and returns its id', async () => {
    const { model } = modelFor(fake);
    const { id } = await model.createConversation({
      metadata: { assistant_type: 'general_coach', user: 'hash123' },
    });
    expect(id).toMatch(/^conv_/);
    expect(fake.conversations.get(id)?.resource.metadata).toEqual({
      assistant_type: 'general_coach',
      user: 'hash123',
    });
  });

  it('retries a 5xx: an extra empty conversation costs nothing', async () => {
    fake.scriptConversations({ kind: 'error', status: 503 });
    const { model, retries } = modelFor(fake);
    const { id } = await model.createConversation({ metadata: {} });
    expect(fake.conversations.has(id)).toBe(true);
    expect(fake.requestsTo('POST', '/v1/conversations')).toHaveLength(2);
    expect(retries).toEqual(['upstream_error']);
  });
});

describe('respond', () => {
  it('completes with the reply text and the usage by token kind', async () => {
    const conversationId = await newConversation();
    const { model } = modelFor(fake);
    const turn = coachTurn(conversationId);

    const outcome = await model.respond(turn, { wait_ms: 5000 });

    expect(outcome.status).toBe('completed');
    const completed = outcome as Extract<CoachPoll, { status: 'completed' }>;
    const upstream = fake.responses.get(completed.response_id);
    expect(completed.text).toBe(`Coach reply to: ${turn.input.slice(0, 40)}`);
    expect(completed.model).toBe(`${turn.model}-2026-10-02`);
    expect(completed.usage).toEqual(usageFromOpenAI(upstream?.response.usage as never));
    expect(completed.usage.reasoning_tokens).toBeGreaterThan(0);
    expect(completed.usage.cache_write_tokens).toBeGreaterThan(0);
  });

  it('sends one background, streamed, stored create with the turn settings', async () => {
    const conversationId = await newConversation();
    const { model } = modelFor(fake);
    const turn = coachTurn(conversationId);

    await model.respond(turn, { wait_ms: 5000 });

    expect(creates()).toHaveLength(1);
    expect(creates()[0]?.body).toEqual({
      model: turn.model,
      instructions: turn.instructions,
      input: turn.input,
      conversation: conversationId,
      background: true,
      stream: true,
      store: true,
      max_output_tokens: turn.max_output_tokens,
      reasoning: { effort: turn.reasoning_effort },
      context_management: [{ type: 'compaction', compact_threshold: turn.compact_threshold }],
      safety_identifier: turn.safety_identifier,
      prompt_cache_key: turn.prompt_cache_key,
      metadata: turn.metadata,
    });
    expect(creates()[0]?.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
  });

  it('lets a second turn see the first through the conversation, with the cached prefix billed as cached', async () => {
    const conversationId = await newConversation();
    const { model } = modelFor(fake);
    const first = await model.respond(coachTurn(conversationId, 'First message'), { wait_ms: 5000 });
    const second = await model.respond(coachTurn(conversationId, 'Second message'), { wait_ms: 5000 });

    expect(fake.responses.get(first.response_id)?.contextItemCount).toBe(0);
    expect(fake.responses.get(second.response_id)?.contextItemCount).toBe(2);
    expect(fake.conversations.get(conversationId)?.items.map((item) => item.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    const [firstUsage, secondUsage] = [first, second].map(
      (o) => (o as Extract<CoachPoll, { status: 'completed' }>).usage,
    );
    expect(secondUsage?.input_tokens).toBeGreaterThan(firstUsage?.input_tokens ?? Infinity);
    expect(secondUsage?.cached_tokens).toBeGreaterThan(0);
  });

  it('retries a 429 rate limit and answers once: two creates, one response', async () => {
    const conversationId = await newConversation();
    fake.script({ kind: 'error', status: 429, code: 'rate_limit_exceeded', retryAfterMs: 20 });
    const { model, retries } = modelFor(fake);

    const outcome = await model.respond(coachTurn(conversationId), { wait_ms: 5000 });

    expect(outcome.status).toBe('completed');
    expect(creates()).toHaveLength(2);
    expect(fake.responses.size).toBe(1);
    expect(retries).toEqual(['rate_limited']);
  });

  it('never retries insufficient_quota', async () => {
    const conversationId = await newConversation();
    fake.script({ kind: 'error', status: 429, code: 'insufficient_quota', type: 'insufficient_quota' });
    const { model, retries } = modelFor(fake);

    const error = await rejection(model.respond(coachTurn(conversationId), { wait_ms: 5000 }));

    expect(error.kind).toBe('insufficient_quota');
    expect(error.options.status).toBe(429);
    expect(creates()).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it('gives up on repeated 5xx after maxRetries + 1 attempts', async () => {
    const conversationId = await newConversation();
    fake.script(
      { kind: 'error', status: 500 },
      { kind: 'error', status: 500 },
      { kind: 'error', status: 503 },
    );
    const { model, retries } = modelFor(fake, { maxRetries: 2 });

    const error = await rejection(model.respond(coachTurn(conversationId), { wait_ms: 5000 }));

    expect(error.kind).toBe('upstream_error');
    expect(error.options.status).toBe(503);
    expect(creates()).toHaveLength(3);
    expect(fake.responses.size).toBe(0);
    expect(retries).toEqual(['upstream_error', 'upstream_error']);
  });

  it('reports the rate limit with its retry-after when retries are exhausted', async () => {
    const conversationId = await newConversation();
    fake.script({ kind: 'error', status: 429, code: 'rate_limit_exceeded', retryAfterSeconds: 7 });
    const { model } = modelFor(fake, { maxRetries: 0 });

    const error = await rejection(model.respond(coachTurn(conversationId), { wait_ms: 5000 }));

    expect(error.kind).toBe('rate_limited');
    expect(error.options.retryAfterSeconds).toBe(7);
  });

  it('never retries a 400 and maps it to bad_request', async () => {
    const conversationId = await newConversation();
    fake.script({ kind: 'error', status: 400, code: 'invalid_value', message: "Invalid value for 'model'." });
    const { model } = modelFor(fake);

    const error = await rejection(model.respond(coachTurn(conversationId), { wait_ms: 5000 }));

    expect(error.kind).toBe('bad_request');
    expect(creates()).toHaveLength(1);
  });

  it('maps a rejected API key to auth, without retrying', async () => {
    const conversationId = await newConversation();
    const { model } = modelFor(fake, { apiKey: 'sk-wrong' });

    const error = await rejection(model.respond(coachTurn(conversationId), { wait_ms: 5000 }));

    expect(error.kind).toBe('auth');
    expect(creates()).toHaveLength(1);
  });

  it('times out a create that never answers', async () => {
    const conversationId = await newConversation();
    fake.script({ kind: 'hang' });
    const { model } = modelFor(fake, { timeoutMs: 300, maxRetries: 0 });

    const error = await rejection(model.respond(coachTurn(conversationId), { wait_ms: 5000 }));

    expect(error.kind).toBe('timeout');
    expect(creates()).toHaveLength(1);
  });

  it('checks the conversation before creating again after a timeout, and creates again when nothing was accepted', async () => {
    const conversationId = await newConversation();
    fake.script({ kind: 'hang' });
    const { model, retries } = modelFor(fake, { timeoutMs: 300, maxRetries: 1 });

    const outcome = await model.respond(coachTurn(conversationId), { wait_ms: 5000 });

    expect(outcome.status).toBe('completed');
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/responses',
      `GET /v1/conversations/${conversationId}/items`,
      'POST /v1/responses',
    ]);
    expect(retries).toEqual(['timeout']);
  });

  it('does not create a second response when the connection broke after OpenAI accepted the first', async () => {
    const conversationId = await newConversation();
    fake.script({ kind: 'reset_after_accept' });
    const { model } = modelFor(fake);
    const turn = coachTurn(conversationId);

    const outcome = await model.respond(turn, { wait_ms: 5000 });

    expect(creates()).toHaveLength(1);
    expect(fake.responses.size).toBe(1);
    expect(fake.requestsTo('GET', `/v1/conversations/${conversationId}/items`).length).toBeGreaterThanOrEqual(
      1,
    );
    expect(outcome.status).toBe('completed');
    const completed = outcome as Extract<CoachPoll, { status: 'completed' }>;
    const [upstream] = [...fake.responses.values()];
    expect(completed.text).toBe(`Coach reply to: ${turn.input.slice(0, 40)}`);
    // The reply item's id: the Conversations API does not say which response wrote it.
    expect(completed.response_id).toBe((upstream?.response.output as Array<{ id: string }>)[0]?.id);
    expect(completed.usage.input_tokens).toBeGreaterThan(0);
    expect(completed.usage.output_tokens).toBeGreaterThan(0);
  });

  it('uses the accepted response even when no retry is left', async () => {
    const conversationId = await newConversation();
    fake.script({ kind: 'reset_after_accept' });
    const { model, retries } = modelFor(fake, { maxRetries: 0 });

    const outcome = await model.respond(coachTurn(conversationId), { wait_ms: 5000 });

    expect(outcome.status).toBe('completed');
    expect(creates()).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it('reports the connection failure when nothing was accepted and no retry is left', async () => {
    const conversationId = await newConversation();
    fake.script({ kind: 'reset_before_accept' });
    const { model } = modelFor(fake, { maxRetries: 0 });

    const error = await rejection(model.respond(coachTurn(conversationId), { wait_ms: 5000 }));

    expect(error.kind).toBe('connection');
    expect(creates()).toHaveLength(1);
    expect(fake.responses.size).toBe(0);
  });

  it('creates again after a reset before OpenAI accepted anything, and still answers once', async () => {
    const conversationId = await newConversation();
    fake.script({ kind: 'reset_before_accept' });
    const { model, retries } = modelFor(fake);

    const outcome = await model.respond(coachTurn(conversationId), { wait_ms: 5000 });

    expect(outcome.status).toBe('completed');
    expect(creates()).toHaveLength(2);
    expect(fake.responses.size).toBe(1);
    expect(retries).toEqual(['connection']);
  });

  it('resumes a stream that broke after the response was created, without creating another', async () => {
    const conversationId = await newConversation();
    fake.script({ kind: 'break_stream', afterEvents: 4 });
    const { model, retries } = modelFor(fake);
    const turn = coachTurn(conversationId);

    const outcome = await model.respond(turn, { wait_ms: 5000 });

    expect(outcome.status).toBe('completed');
    expect((outcome as Extract<CoachPoll, { status: 'completed' }>).text).toBe(
      `Coach reply to: ${turn.input.slice(0, 40)}`,
    );
    expect(creates()).toHaveLength(1);
    const resumed = fake.requestsTo('GET', `/v1/responses/${outcome.response_id}`);
    expect(resumed.map((r) => r.query)).toEqual([{ stream: 'true', starting_after: '3' }]);
    expect(retries).toEqual(['stream_resume']);
  });

  it('returns the still-running response when the wait ends, and leaves it running for the poller', async () => {
    const conversationId = await newConversation();
    fake.script({ kind: 'slow', pollsUntilDone: 3 });
    const { model } = modelFor(fake);

    const outcome = await model.respond(coachTurn(conversationId), { wait_ms: 300 });

    expect(outcome).toEqual({ status: 'in_progress', response_id: expect.stringMatching(/^resp_/) });
    expect(fake.responses.get(outcome.response_id)?.response.status).toBe('in_progress');
    expect(fake.requestsTo('POST', /\/cancel$/)).toHaveLength(0);

    const polls: CoachPoll[] = [];
    for (let i = 0; i < 5 && polls.at(-1)?.status !== 'completed'; i++)
      polls.push(await model.retrieve(outcome.response_id));
    expect(polls.map((p) => p.status)).toEqual(['in_progress', 'in_progress', 'completed']);
    expect(polls.at(-1)).toMatchObject({
      status: 'completed',
      text: expect.stringMatching(/^Coach reply to: /),
    });
  });

  it('returns the still-running response when the caller aborts mid-stream', async () => {
    const conversationId = await newConversation();
    fake.script({ kind: 'slow', pollsUntilDone: 5 });
    const { model } = modelFor(fake);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);

    const outcome = await model.respond(coachTurn(conversationId), {
      wait_ms: 10_000,
      signal: controller.signal,
    });

    expect(outcome).toEqual({ status: 'in_progress', response_id: expect.stringMatching(/^resp_/) });
  });

  it('calls nothing when the caller has already aborted', async () => {
    const conversationId = await newConversation();
    const { model } = modelFor(fake);

    const error = await rejection(
      model.respond(coachTurn(conversationId), { wait_ms: 5000, signal: AbortSignal.abort() }),
    );

    expect(error.kind).toBe('timeout');
    expect(fake.requests).toHaveLength(0);
  });

  it('ends with the failure code when the response fails', async () => {
    const conversationId = await newConversation();
    fake.script({ kind: 'fail', code: 'server_error' });
    const { model } = modelFor(fake);

    const outcome = await model.respond(coachTurn(conversationId), { wait_ms: 5000 });

    expect(outcome).toEqual({
      status: 'failed',
      response_id: expect.stringMatching(/^resp_/),
      code: 'server_error',
    });
  });

  it('ends with the reason when the response is incomplete', async () => {
    const conversationId = await newConversation();
    fake.script({ kind: 'incomplete', reason: 'max_output_tokens' });
    const { model } = modelFor(fake);

    const outcome = await model.respond(coachTurn(conversationId), { wait_ms: 5000 });

    expect(outcome).toEqual({
      status: 'incomplete',
      response_id: expect.stringMatching(/^resp_/),
      code: 'max_output_tokens',
    });
  });

  it('ends with the error code when the stream carries an error event', async () => {
    const conversationId = await newConversation();
    fake.script({ kind: 'stream_error', code: 'server_error' });
    const { model } = modelFor(fake);

    const outcome = await model.respond(coachTurn(conversationId), { wait_ms: 5000 });

    expect(outcome).toEqual({
      status: 'failed',
      response_id: expect.stringMatching(/^resp_/),
      code: 'server_error',
    });
  });
});

describe('retrieve and cancel', () => {
  it('retrieves failed and incomplete responses with their codes', async () => {
    const conversationId = await newConversation();
    fake.script(
      { kind: 'fail', code: 'rate_limit_exceeded' },
      { kind: 'incomplete', reason: 'content_filter' },
    );
    const { model } = modelFor(fake);
    const failed = await model.respond(coachTurn(conversationId, 'one'), { wait_ms: 5000 });
    const incomplete = await model.respond(coachTurn(conversationId, 'two'), { wait_ms: 5000 });

    expect(await model.retrieve(failed.response_id)).toEqual({
      status: 'failed',
      response_id: failed.response_id,
      code: 'rate_limit_exceeded',
    });
    expect(await model.retrieve(incomplete.response_id)).toEqual({
      status: 'incomplete',
      response_id: incomplete.response_id,
      code: 'content_filter',
    });
  });

  it('retries a retrieve that hit a 5xx', async () => {
    const conversationId = await newConversation();
    const { model, retries } = modelFor(fake);
    const done = await model.respond(coachTurn(conversationId), { wait_ms: 5000 });
    fake.scriptRetrieves({ kind: 'error', status: 502 });

    expect((await model.retrieve(done.response_id)).status).toBe('completed');
    expect(retries).toEqual(['upstream_error']);
  });

  it('maps an unknown response to bad_request', async () => {
    const { model } = modelFor(fake);
    const error = await rejection(model.retrieve('resp_does_not_exist'));
    expect(error.kind).toBe('bad_request');
    expect(error.options.status).toBe(404);
  });

  it('cancels a running background response', async () => {
    const conversationId = await newConversation();
    fake.script({ kind: 'slow', pollsUntilDone: 10 });
    const { model } = modelFor(fake);
    const running = await model.respond(coachTurn(conversationId), { wait_ms: 200 });

    await model.cancel(running.response_id);

    expect(await model.retrieve(running.response_id)).toEqual({
      status: 'cancelled',
      response_id: running.response_id,
      code: 'cancelled',
    });
    expect(fake.requestsTo('POST', `/v1/responses/${running.response_id}/cancel`)).toHaveLength(1);
  });

  it('ignores a cancel of a response that already completed', async () => {
    const conversationId = await newConversation();
    const { model } = modelFor(fake);
    const done = await model.respond(coachTurn(conversationId), { wait_ms: 5000 });

    await expect(model.cancel(done.response_id)).resolves.toBeUndefined();
    expect((await model.retrieve(done.response_id)).status).toBe('completed');
  });
});

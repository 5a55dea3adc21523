/** The contract validator the integration tests run every answer through can refuse an answer. */
import { describe, expect, it } from '@jest/globals';
import { checkAnswer } from '../../support/contract-check';

const CHAT = { method: 'post', resource: '/functions/v1/openai-chat-completion' } as const;
const HEADERS = { 'x-request-id': 'req-1' };
const REPLY = {
  response: 'Try a short walk after dinner.',
  thread_id: 'conv_1',
  tokens_used: 10,
  model_used: 'gpt-6.1-sol',
  cost_estimate: 0.0001,
  message_id: '0e6f1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
  user_message_id: '7d3c9b1e-2a4f-4c6d-9e8b-1f2a3b4c5d6e',
  response_time_ms: 812,
  variant: 'openai',
  fallback: false,
  disclosure: null,
};

describe('the contract check', () => {
  it('accepts a documented answer', () => {
    expect(() => checkAnswer({ ...CHAT, status: 200, body: REPLY, headers: HEADERS })).not.toThrow();
  });

  it('refuses a status the operation does not document', () => {
    expect(() => checkAnswer({ ...CHAT, status: 418, body: {}, headers: HEADERS })).toThrow(
      /not a documented status/,
    );
  });

  it('refuses a body that does not match the schema, naming the field', () => {
    const { user_message_id: _, ...missing } = REPLY;
    expect(() =>
      checkAnswer({ ...CHAT, status: 200, body: { ...missing, user_message_id: null }, headers: HEADERS }),
    ).toThrow(/user_message_id/);
  });

  it('refuses an answer without the documented X-Request-Id header', () => {
    expect(() => checkAnswer({ ...CHAT, status: 200, body: REPLY, headers: {} })).toThrow(/X-Request-Id/);
  });

  it('refuses an error code the route does not declare, or declares for another status', () => {
    const error = (code: string) => ({ error: 'x', code, request_id: 'req-1' });
    expect(() =>
      checkAnswer({ ...CHAT, status: 404, body: error('message_not_found'), headers: HEADERS }),
    ).toThrow(/does not declare/);
    expect(() =>
      checkAnswer({ ...CHAT, status: 400, body: error('thread_not_found'), headers: HEADERS }),
    ).toThrow(/whose status is 404/);
  });
});

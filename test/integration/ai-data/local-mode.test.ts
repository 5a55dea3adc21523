/**
 * Local mode (`npm start`) with the OpenAI fake: the demo user chats through OpenAI, exports,
 * and erases; the erasure the request could not finish (OpenAI failing meanwhile) is run by
 * the erasure state machine synthesized from the construct, executed in the local server,
 * to `completed`. Every answer is checked against the served OpenAPI document.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { LocalApi } from '../../../local/server';
import { safetyIdentifier } from '../../../lambdas/shared/user-hash';
import { answerBody, checkAnswer } from '../../support/contract-check';
import { startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';

let api: LocalApi;
let fake: OpenAIFake;

beforeAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  fake = await startOpenAIFake();
  const { startLocalApi } = await import('../../../local/server');
  api = await startLocalApi({
    port: 0,
    env: {
      DATABASE_URL: undefined,
      LOCAL_PGLITE_DIR: undefined,
      OPENAI_API_KEY_SECRET_ID: undefined,
      OPENAI_API_KEY: fake.apiKey,
      OPENAI_BASE_URL: fake.baseURL,
    },
    pollerWaitMs: 0,
    onAnswer: ({ route, status, body, headers }) =>
      checkAnswer({
        method: route.method,
        resource: route.path,
        status,
        body: answerBody(body, headers),
        headers,
      }),
  });
});

afterAll(async () => {
  await api?.close();
  await fake?.close();
});

async function call(method: 'GET' | 'POST', path: string, body?: unknown) {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

it('exports the demo user’s chat, then erases it here and at OpenAI through the local erasure state machine', async () => {
  const owner = safetyIdentifier(api.userId);
  const chat = await call('POST', '/openai-chat-completion', { message: 'I slept badly again, any tips?' });
  expect(chat.status).toBe(200);
  expect(chat.body.variant).toBe('openai');
  const exported = await call('POST', '/ai-data', { action: 'export' });
  expect(exported.status).toBe(200);
  expect((exported.body.chats as unknown[]).length).toBeGreaterThanOrEqual(2);
  expect(fake.stored(owner).responses).toHaveLength(1);
  // OpenAI fails the request's own attempt (one try and two retries): the state machine takes over.
  fake.scriptFaults(
    'responses.delete',
    ...Array.from({ length: 3 }, () => ({ kind: 'error' as const, status: 503 })),
  );

  const erasure = await call('POST', '/ai-data', { action: 'delete' });
  await api.erasuresIdle();
  const state = await call('GET', `/ai-data/erasures/${String(erasure.body.erasure_id)}`);

  expect(erasure.status).toBe(202);
  expect(state.status).toBe(200);
  expect(state.body).toMatchObject({
    status: 'completed',
    openai: { deleted: { responses: 1, conversations: 1 } },
  });
  expect(fake.stored(owner)).toEqual({ conversations: [], items: [], responses: [] });
  const rows = await api.database.query<{ n: number }>(
    'select count(*)::int as n from public.journal_ai_chats where user_id = $1',
    [api.userId],
  );
  expect(rows).toEqual([{ n: 0 }]);
});

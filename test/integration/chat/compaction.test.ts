/**
 * Long threads: every turn asks OpenAI to compact the conversation past the profile's own
 * threshold, and a compacted conversation goes on. The OpenAI fake compacts as the API does
 * (an opaque compaction item replaces what came before it; later turns render from it on);
 * its `compactThreshold` option makes that happen within a few turns instead of ~60.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createChatHandler } from '../../../lambdas/chat/handler';
import { profileById } from '../../../lambdas/shared/coach/profiles';
import { invoke, type ProxyHandler } from '../../support/api';
import { buildTestRuntime, type TestRuntime } from '../../support/chat-runtime';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';
import { countRows, insertUser } from '../../support/users';

const RESOURCE = '/functions/v1/openai-chat-completion';
/** A reply of about 150 words, as the profiles ask for. */
const REPLY = 'Try a ten minute walk right after dinner, before the sofa wins. '.repeat(12).trim();

let db: TestDatabase;
let fake: OpenAIFake;
let app: TestRuntime;
let chat: ProxyHandler;

beforeAll(async () => {
  db = await createTestDatabase();
  // Compacts any create that asks for compaction once it renders past 2,000 tokens.
  fake = await startOpenAIFake({ compactThreshold: 2000 });
  app = await buildTestRuntime({ databaseUrl: db.url, openai: fake });
  chat = createChatHandler(app.getRuntime);
});

afterAll(async () => {
  await app?.close();
  await fake?.close();
  await db?.drop();
});

beforeEach(() => fake.reset());

const creates = () => fake.requestsTo('POST', '/v1/responses');

describe('a long thread', () => {
  it("asks for compaction on every turn at the profile's own threshold", async () => {
    const user = await insertUser(db.pool);
    for (const chatType of ['pillar_health', 'onboarding']) {
      fake.script({ kind: 'ok', text: REPLY });
      const reply = await invoke(chat, {
        resource: RESOURCE,
        userId: user.id,
        body: { message: 'Hi', chat_type: chatType },
      });
      expect(reply.status).toBe(200);
    }

    expect(creates().map((r) => (r.body as Record<string, unknown>).context_management)).toEqual([
      [{ type: 'compaction', compact_threshold: profileById('pillar_coach').compact_threshold }],
      [{ type: 'compaction', compact_threshold: profileById('onboarding_coach').compact_threshold }],
    ]);
  });

  it('goes on after OpenAI compacted it: the next turns render from the compaction item, cost less, and are stored', async () => {
    const user = await insertUser(db.pool);
    const turns = 8;
    const replies = [];
    for (let i = 0; i < turns; i++) {
      fake.script({ kind: 'ok', text: REPLY });
      replies.push(
        await invoke(chat, {
          resource: RESOURCE,
          userId: user.id,
          body: { message: `Turn ${i}: the walk did not happen again`, chat_type: 'pillar_health' },
        }),
      );
    }

    expect(replies.map((r) => [r.status, r.body.variant])).toEqual(Array(turns).fill([200, 'openai']));
    const threadIds = new Set(replies.map((r) => r.body.thread_id));
    expect(threadIds.size).toBe(1);
    const responses = [...fake.responses.values()];
    const compacting = responses.findIndex((r) => r.compaction !== null);
    expect(compacting).toBeGreaterThan(0);
    expect(compacting).toBeLessThan(turns - 1);
    const [before, after] = [responses[compacting], responses[compacting + 1]];
    // The turn after the compaction sees the compaction item and what followed it, not the old turns.
    expect(after?.renderedItemCount).toBeLessThan(before?.renderedItemCount ?? 0);
    expect(after?.inputTokens).toBeLessThan(before?.inputTokens ?? 0);
    const items = fake.conversations.get(String([...threadIds][0]))?.items ?? [];
    expect(items.filter((item) => item.type === 'compaction')).toHaveLength(
      responses.filter((r) => r.compaction !== null).length,
    );
    // Every turn, compacting ones included, answered with the reply and stored once.
    expect(replies.every((r) => r.body.response === REPLY)).toBe(true);
    expect(await countRows(db.pool, 'public.journal_ai_chats', user.id)).toBe(turns * 2);
    expect(await countRows(db.pool, 'public.openai_usage_logs', user.id)).toBe(turns);
    const { rows } = await db.pool.query<{ prompt_tokens: number }>(
      `select prompt_tokens from public.openai_usage_logs where user_id = $1 order by created_at`,
      [user.id],
    );
    expect(rows.map((r) => r.prompt_tokens)).toEqual(responses.map((r) => r.inputTokens));
  });
});

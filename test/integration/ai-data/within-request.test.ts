/**
 * A delete whose erasure fits in the request's few seconds (the usual case): answered 200
 * `completed`, with nothing left at OpenAI or here, and no state machine started.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { getErasure, postAiData, rowsOf, seedUser, startHarness, type Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

it('answers 200 completed when the erasure finished within the request, and starts no execution', async () => {
  const user = await seedUser(h, 2);
  const other = await seedUser(h, 1);
  const otherStored = h.fake.stored(other.owner);

  const reply = await postAiData(h, user.id, { action: 'delete' });

  expect(reply.status).toBe(200);
  expect(reply.body).toMatchObject({
    status: 'completed',
    openai: {
      deleted: { responses: 3, conversations: 2, items: 6 },
      remaining: { responses: 0, conversations: 0, items: 0 },
    },
  });
  expect(h.starts).toEqual([]);
  expect(h.fake.stored(user.owner)).toEqual({ conversations: [], items: [], responses: [] });
  expect(h.fake.stored(other.owner)).toEqual(otherStored);
  expect(Object.values(await rowsOf(h.db, user.id)).every((n) => n === 0)).toBe(true);
  expect((await getErasure(h, user.id, String(reply.body.erasure_id))).body).toMatchObject({
    status: 'completed',
  });
});

/**
 * Valid text that looks hostile (SQL, JSON, HTML, template and prompt-injection strings,
 * Unicode edge cases) is the user's to say: a message is answered, and stored and sent to
 * OpenAI exactly as written after the schema's trim; a feedback comment likewise. The
 * message limit counts code points, as zod's `max` and JSON Schema's `maxLength` do.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ROUTES } from '../../../lambdas/shared/contract/routes';
import { MAX_MESSAGE_CHARS } from '../../../lambdas/shared/contract/schemas';
import { unstorableText } from '../../../lambdas/shared/contract/text';
import { GRAINS, INJECTIONS, UNICODE_EDGES, textOfCodePoints } from './hostile';
import { RUNS, attackerRequest } from './requests';
import { reportTally, startWorld, type World } from './world';

let world: World;
let sent = 0;

beforeAll(async () => {
  world = await startWorld();
});

afterAll(async () => {
  reportTally('verbatim text', world);
  await world?.close();
});

/** Hostile-looking text the database can store, padded with whitespace the schema trims. */
const storableHostileText = fc
  .tuple(
    fc.array(
      fc.oneof(
        fc.constantFrom(...INJECTIONS),
        fc.constantFrom(...UNICODE_EDGES),
        fc.string({ unit: 'grapheme', maxLength: 8 }),
      ),
      { minLength: 1, maxLength: 4 },
    ),
    fc.constantFrom('', ' ', '\n\t', '\u3000', '\uFEFF'),
  )
  .map(([pieces, pad]) => `${pad}${pieces.join(' ')}${pad}`)
  .filter((text) => text.trim().length > 0 && unstorableText(text) === null);

function chat(message: string) {
  sent += 1;
  const body = { message, client_message_id: `verbatim-${sent}-${Date.now()}` };
  return world.sendWritingNothing(
    attackerRequest(ROUTES.sendChatMessage, world.attacker, `Bearer ${world.tokens.valid_es256}`, {
      body: JSON.stringify(body),
    }),
  );
}

async function storedMessage(id: unknown): Promise<string | undefined> {
  const { rows } = await world.db.pool.query<{ message: string }>(
    `select message from public.journal_ai_chats where id = $1 and user_id = $2 and message_type = 'user'`,
    [id, world.attacker.userId],
  );
  return rows[0]?.message;
}

/** The input of the newest `POST /v1/responses` the fake received. */
function lastModelInput(): unknown {
  const creates = world.fake.requestsTo('POST', '/v1/responses');
  return (creates.at(-1)?.body as { input?: unknown } | undefined)?.input;
}

describe('a valid message that looks hostile', () => {
  it('is answered, stored and sent to OpenAI exactly as written, after the trim', async () => {
    await fc.assert(
      fc.asyncProperty(storableHostileText, async (text) => {
        const reply = await chat(text);
        expect(reply.status).toBe(200);
        expect(await storedMessage(reply.body.user_message_id)).toBe(text.trim());
        expect(lastModelInput()).toBe(text.trim());
      }),
      { numRuns: 2 * RUNS },
    );
  });

  it('is stored verbatim at the length limit, which counts code points (as the document’s maxLength does), not UTF-16 units or bytes', async () => {
    for (const grain of GRAINS) {
      const atLimit = textOfCodePoints(MAX_MESSAGE_CHARS, grain);
      const reply = await chat(atLimit);
      expect({ grain, status: reply.status }).toEqual({ grain, status: 200 });
      expect(await storedMessage(reply.body.user_message_id)).toBe(atLimit);
      const over = await chat(textOfCodePoints(MAX_MESSAGE_CHARS + 1, grain));
      expect({ grain, status: over.status, code: over.body.code }).toEqual({
        grain,
        status: 400,
        code: 'validation_failed',
      });
    }
  });
});

describe('a feedback comment that looks hostile', () => {
  it('is stored exactly as written, after the trim', async () => {
    await fc.assert(
      fc.asyncProperty(storableHostileText, fc.constantFrom('up', 'down'), async (comment, rating) => {
        const reply = await world.sendWritingNothing(
          attackerRequest(ROUTES.sendChatFeedback, world.attacker, `Bearer ${world.tokens.valid_es256}`, {
            body: JSON.stringify({ message_id: world.attacker.aiMessageId, rating, comment }),
          }),
        );
        expect(reply.status).toBe(200);
        expect(reply.body.comment).toBe(comment.trim());
        const { rows } = await world.db.pool.query<{ comment: string | null }>(
          `select comment from public.chat_feedback where message_id = $1 and user_id = $2`,
          [world.attacker.aiMessageId, world.attacker.userId],
        );
        expect(rows.map((r) => r.comment)).toEqual([comment.trim()]);
      }),
      { numRuns: RUNS },
    );
  });
});

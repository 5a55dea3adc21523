/**
 * Hostile tokens and headers on every authenticated route, through the TOKEN authorizer's
 * regex and the real authorizer: forged, expired and tampered tokens are 401 (never a 503,
 * which would say "cannot verify now") and write nothing; headers that claim another user,
 * or carry hostile values, change nothing about whose data a request touches.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ROUTES } from '../../../lambdas/shared/contract/routes';
import { countRows } from '../../support/users';
import { contentType, hostileText } from './hostile';
import { RUNS, attackerRequest, expectAnsweredOrRefused, expectRefused } from './requests';
import {
  ACCEPTED_TOKENS,
  COVERED_ROUTES,
  reportTally,
  startWorld,
  type TokenKind,
  type World,
} from './world';

let world: World;

beforeAll(async () => {
  world = await startWorld();
});

afterAll(async () => {
  reportTally('hostile tokens and headers', world);
  await world?.close();
});

const AUTH_ROUTES = COVERED_ROUTES.filter((route) => route.auth);
const request = (route: (typeof AUTH_ROUTES)[number], authorization: string, changes = {}) =>
  attackerRequest(route, world.attacker, authorization, changes);

/** Whether two tokens carry the same bytes (base64url may spell the last bits of a segment two ways). */
function sameToken(a: string, b: string): boolean {
  const bytes = (token: string) => token.split('.').map((s) => Buffer.from(s, 'base64url').toString('hex'));
  return bytes(a).length === bytes(b).length && bytes(a).every((segment, i) => segment === bytes(b)[i]);
}

describe.each(AUTH_ROUTES.map((route) => [route.operationId, route] as const))('%s', (_name, route) => {
  it('refuses every forged, expired or tampered token with 401, writing nothing', async () => {
    const refused = (Object.keys(world.tokens) as TokenKind[]).filter((kind) => !ACCEPTED_TOKENS.has(kind));
    for (const kind of refused) {
      const reply = await world.sendWritingNothing(request(route, `Bearer ${world.tokens[kind]}`));
      expect({ kind, code: reply.body.code }).toEqual({ kind, code: 'unauthorized' });
    }
  });

  it('refuses a token with any character changed, dropped or added with 401, writing nothing', async () => {
    const valid = world.tokens.valid_es256;
    const alphabet = fc.constantFrom(...'ABCZabcz0189-_.'.split(''));
    const tampered = fc.oneof(
      fc
        .tuple(fc.nat(valid.length - 1), alphabet)
        .map(([at, c]) => valid.slice(0, at) + c + valid.slice(at + 1)),
      fc.nat(valid.length - 1).map((at) => valid.slice(0, at) + valid.slice(at + 1)),
      fc.tuple(fc.nat(valid.length), alphabet).map(([at, c]) => valid.slice(0, at) + c + valid.slice(at)),
      fc.nat(valid.length - 1).map((at) => valid.slice(0, at)),
    );
    await fc.assert(
      fc.asyncProperty(tampered, async (token) => {
        const reply = await world.sendWritingNothing(request(route, `Bearer ${token}`));
        if (sameToken(token, valid)) expectAnsweredOrRefused(reply);
        else expectRefused(reply, 'unauthorized');
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses hostile Authorization headers with 401, writing nothing', async () => {
    const valid = world.tokens.valid_es256;
    const header = fc.oneof(
      hostileText,
      hostileText.map((t) => `Bearer ${t}`),
      fc.constantFrom(
        '',
        'Bearer',
        'Bearer ',
        `Basic ${Buffer.from('user:password').toString('base64')}`,
        `Bearer  ${valid}`,
        `Bearer ${valid} `,
        `Bearer ${valid}, Bearer ${world.tokens.other_users_sub_forged}`,
        `Token ${valid}`,
        valid,
        `Bearer ${valid}\u0000`,
        `Bearer ${Buffer.from(valid).toString('base64')}`,
      ),
    );
    await fc.assert(
      fc.asyncProperty(header, async (authorization) => {
        const reply = await world.sendWritingNothing(request(route, authorization));
        expectRefused(reply, 'unauthorized');
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a request with no headers at all with 401, writing nothing', async () => {
    expectRefused(await world.sendWritingNothing(request(route, '', { headers: null })), 'unauthorized');
  });

  it('reads the Authorization header whatever its case', async () => {
    for (const name of ['authorization', 'AUTHORIZATION', 'Authorization']) {
      const reply = await world.sendWritingNothing(
        request(route, '', {
          headers: { [name]: `bearer ${world.tokens.valid_hs256}`, 'content-type': 'application/json' },
        }),
      );
      expect(reply.status).toBeLessThan(300);
    }
  });

  it('answers the tokens it lets through (a deleted user, an anonymous one) with a 2xx or a 4xx that writes nothing', async () => {
    for (const kind of ACCEPTED_TOKENS) {
      expectAnsweredOrRefused(await world.sendWritingNothing(request(route, `Bearer ${world.tokens[kind]}`)));
    }
  });
});

describe('a valid token whose account is gone (deleted before the token expired)', () => {
  it('is 401 on every route that would write for it, and nothing is written', async () => {
    const authorization = `Bearer ${world.tokens.valid_unknown_user}`;
    const writes = [
      { route: ROUTES.sendChatMessage, body: { message: 'Is anyone there?' } },
      { route: ROUTES.manageThreads, body: { action: 'get_or_create', assistant_type: 'general_coach' } },
      { route: ROUTES.manageAiData, body: { action: 'delete' } },
    ];
    const created = world.fake.count('responses.create');
    for (const { route, body } of writes) {
      const reply = await world.sendWritingNothing({
        route,
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect({ route: route.operationId, status: reply.status, code: reply.body.code }).toEqual({
        route: route.operationId,
        status: 401,
        code: 'unauthorized',
      });
    }
    // Refused before anything was paid for.
    expect(world.fake.count('responses.create')).toBe(created);
  });

  it('reads as a user with nothing stored', async () => {
    const reply = await world.sendWritingNothing({
      route: ROUTES.manageThreads,
      headers: {
        authorization: `Bearer ${world.tokens.valid_unknown_user}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ action: 'get_threads' }),
    });
    expect(reply).toMatchObject({ status: 200, body: [] });
  });
});

describe('sendChatMessage headers', () => {
  const route = ROUTES.sendChatMessage;
  const bearer = () => `Bearer ${world.tokens.valid_es256}`;

  it('answers hostile Idempotency-Key values with a 2xx or a 4xx that writes nothing', async () => {
    const key = fc.oneof(
      hostileText,
      fc.constantFrom(
        'short',
        'x'.repeat(101),
        'a b c d e f',
        "key'; drop table chat_runs; --",
        ' padded-key-0001 ',
      ),
      fc.uuid(),
    );
    await fc.assert(
      fc.asyncProperty(key, fc.boolean(), async (value, inBodyToo) => {
        const body = {
          message: 'One small step today.',
          ...(inBodyToo ? { client_message_id: 'body-key-00000001' } : {}),
        };
        const reply = await world.sendWritingNothing(
          request(route, bearer(), {
            headers: {
              authorization: bearer(),
              'content-type': 'application/json',
              'Idempotency-Key': value,
            },
            body: JSON.stringify(body),
          }),
        );
        expectAnsweredOrRefused(reply);
        // A blank header is no header; any other must be the body's key.
        if (inBodyToo && reply.status < 300 && value.trim() !== '')
          expect(value.trim()).toBe('body-key-00000001');
      }),
      { numRuns: RUNS },
    );
  });

  it("never lets a header name another user: whatever it claims, the rows are the token's user's", async () => {
    const claims = [
      'x-user-id',
      'user_id',
      'x-supabase-user',
      'x-amzn-oidc-identity',
      'x-forwarded-user',
      'cookie',
    ];
    await fc.assert(
      fc.asyncProperty(fc.subarray(claims, { minLength: 1 }), contentType, async (names, type) => {
        const otherBefore = await countRows(world.db.pool, 'public.journal_ai_chats', world.other.userId);
        const headers: Record<string, string> = { authorization: bearer() };
        for (const name of names) headers[name] = world.other.userId;
        if (type !== undefined) headers['content-type'] = type;
        const reply = await world.sendWritingNothing(
          request(route, bearer(), { headers, body: JSON.stringify({ message: 'Whose message is this?' }) }),
        );
        expectAnsweredOrRefused(reply);
        expect(await countRows(world.db.pool, 'public.journal_ai_chats', world.other.userId)).toBe(
          otherBefore,
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('decides on the last value of an Authorization header sent twice, as API Gateway does', async () => {
    const reply = await world.sendWritingNothing(
      request(route, `Bearer ${world.tokens.valid_es256}`, {
        multiValueHeaders: {
          authorization: [`Bearer ${world.tokens.expired}`, `Bearer ${world.tokens.valid_es256}`],
        },
      }),
    );
    expectAnsweredOrRefused(reply);
    const forged = await world.sendWritingNothing(
      request(route, `Bearer ${world.tokens.other_users_sub_forged}`, {
        multiValueHeaders: {
          authorization: [
            `Bearer ${world.tokens.valid_es256}`,
            `Bearer ${world.tokens.other_users_sub_forged}`,
          ],
        },
      }),
    );
    expectRefused(forged, 'unauthorized');
  });
});

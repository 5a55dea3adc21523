/**
 * Hostile bodies on every route with one, and hostile path parameters on every route with
 * some, through the gateway, the authorizer and the real handlers on real Postgres: each
 * answer is a 2xx or a documented 4xx JSON error, never a 5xx, and a 4xx changed no row of
 * any table.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MAX_BODY_BYTES } from '../../../lambdas/shared/contract/schemas';
import {
  AROUND_BODY_LIMIT,
  NOT_UTF8,
  brokenJson,
  contentType,
  deeplyNested,
  hostileJson,
  hostileKey,
  hostileText,
  objectText,
  paddedToBytes,
} from './hostile';
import { RUNS, attackerRequest, expectAnsweredOrRefused, expectRefused, validBody } from './requests';
import { COVERED_ROUTES, reportTally, startWorld, type World } from './world';

let world: World;

beforeAll(async () => {
  world = await startWorld();
});

afterAll(async () => {
  reportTally('hostile bodies', world);
  await world?.close();
});

const BODY_ROUTES = COVERED_ROUTES.filter((route) => route.requestBody !== undefined);
const PARAM_ROUTES = COVERED_ROUTES.filter((route) => route.params !== undefined);

const bearer = () => `Bearer ${world.tokens.valid_es256}`;

describe.each(BODY_ROUTES.map((route) => [route.operationId, route] as const))('%s', (_name, route) => {
  const request = (body: string | null, changes = {}) =>
    attackerRequest(route, world.attacker, bearer(), { body, ...changes });
  const fields = () => Object.keys(validBody(route, world.attacker) ?? {});

  it('answers any JSON value as the body with a 2xx or a 4xx that writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(hostileJson, async (value) => {
        const reply = await world.sendWritingNothing(request(JSON.stringify(value) ?? 'null'));
        expectAnsweredOrRefused(reply);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers a valid body with one field given a hostile value with a 2xx or a 4xx that writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), hostileJson, async (pick, value) => {
        const valid = validBody(route, world.attacker) ?? {};
        const key = fields()[pick % fields().length] ?? 'message';
        const rest = Object.entries(valid).filter(([k]) => k !== key);
        const reply = await world.sendWritingNothing(
          request(objectText(Object.fromEntries(rest), [[key, value]])),
        );
        expectAnsweredOrRefused(reply);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses unknown, prototype and hostile keys, and takes the last of duplicated keys, writing nothing when it refuses', async () => {
    const known = fc.constantFrom(...fields());
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.oneof(hostileKey, known), hostileJson), { minLength: 1, maxLength: 3 }),
        async (extra) => {
          const valid = validBody(route, world.attacker) ?? {};
          const reply = await world.sendWritingNothing(request(objectText(valid, extra)));
          expectAnsweredOrRefused(reply);
          // A key no schema knows never gets through (the body schemas are strict).
          if (extra.some(([key]) => !Object.hasOwn(valid, key))) expectRefused(reply);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses broken JSON, whatever the content type or encoding, writing nothing', async () => {
    const valid = JSON.stringify(validBody(route, world.attacker));
    await fc.assert(
      fc.asyncProperty(brokenJson(valid), contentType, fc.boolean(), async (text, type, base64) => {
        const headers: Record<string, string> = { authorization: bearer() };
        if (type !== undefined) headers['content-type'] = type;
        const body = base64 ? Buffer.from(text, 'utf8').toString('base64') : text;
        const reply = await world.sendWritingNothing(request(body, { headers, isBase64Encoded: base64 }));
        expectAnsweredOrRefused(reply);
      }),
      { numRuns: RUNS },
    );
  });

  it('reads a base64-encoded body as the same body', async () => {
    const valid = JSON.stringify(validBody(route, world.attacker));
    const plain = await world.sendWritingNothing(request(valid));
    const encoded = await world.sendWritingNothing(
      request(Buffer.from(valid, 'utf8').toString('base64'), { isBase64Encoded: true }),
    );
    expect(plain.status).toBeLessThan(300);
    expect(encoded.status).toBe(plain.status);
  });

  it('refuses bytes that are not UTF-8 JSON, writing nothing', async () => {
    for (const bytes of NOT_UTF8) {
      const reply = await world.sendWritingNothing(
        request(bytes.toString('base64'), { isBase64Encoded: true }),
      );
      expectRefused(reply);
    }
  });

  it('refuses a body over the byte limit with 413 and lets one at the limit through to validation', async () => {
    const valid = JSON.stringify(validBody(route, world.attacker));
    for (const bytes of AROUND_BODY_LIMIT) {
      const reply = await world.sendWritingNothing(request(paddedToBytes(valid, bytes)));
      if (bytes > MAX_BODY_BYTES) expectRefused(reply, 'payload_too_large');
      else expect(reply.status).toBeLessThan(300);
    }
  });

  it('counts the body limit in UTF-8 bytes, not UTF-16 units', async () => {
    // 3 bytes but 1 unit each: under the limit in units, over it in bytes.
    const text = JSON.stringify({
      ...validBody(route, world.attacker),
      pad: '中'.repeat(MAX_BODY_BYTES / 3 + 10),
    });
    expect(text.length).toBeLessThan(MAX_BODY_BYTES);
    expectRefused(await world.sendWritingNothing(request(text)), 'payload_too_large');
  });

  it('refuses deeply nested and empty-ish bodies, writing nothing', async () => {
    for (const body of [
      deeplyNested(MAX_BODY_BYTES / 2 - 1, 'array'),
      deeplyNested(Math.floor(MAX_BODY_BYTES / 6) - 1, 'object'),
      '[]',
      '{}',
      '',
      null,
    ]) {
      const reply = await world.sendWritingNothing(request(body));
      expectAnsweredOrRefused(reply);
      if (body !== null && body.length > 2) expectRefused(reply);
    }
  });
});

describe.each(PARAM_ROUTES.map((route) => [route.operationId, route] as const))('%s', (_name, route) => {
  const name = Object.keys(route.params?.shape ?? {})[0] ?? 'id';

  it('answers a hostile path parameter with a 4xx that writes nothing', async () => {
    const uuidLike = fc
      .uuid()
      .chain((id) =>
        fc.constantFrom(
          id.toUpperCase(),
          `{${id}}`,
          ` ${id}`,
          `${id}\u0000`,
          id.replaceAll('-', ''),
          `${id}/..`,
        ),
      );
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileText, uuidLike, fc.constant('')), hostileJson, async (value, body) => {
        const reply = await world.sendWritingNothing(
          attackerRequest(route, world.attacker, bearer(), {
            pathParameters: { [name]: value },
            body: JSON.stringify(body) ?? null,
          }),
        );
        expectRefused(reply);
      }),
      { numRuns: RUNS },
    );
  });

  it('ignores any body on the GET, and answers the own id with 200', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          hostileJson.map((v) => JSON.stringify(v) ?? null),
          brokenJson('{}'),
        ),
        async (body) => {
          const reply = await world.sendWritingNothing(
            attackerRequest(route, world.attacker, bearer(), { body }),
          );
          expect(reply.status).toBe(200);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('answers with no path parameters at all with a 4xx', async () => {
    const reply = await world.sendWritingNothing(
      attackerRequest(route, world.attacker, bearer(), { pathParameters: null }),
    );
    expectRefused(reply);
  });
});

describe('getOpenApiDocument', () => {
  const route = COVERED_ROUTES.find((r) => r.operationId === 'getOpenApiDocument');

  it('answers any body and headers with the document', async () => {
    if (!route) throw new Error('the contract has no getOpenApiDocument route');
    await fc.assert(
      fc.asyncProperty(hostileJson, contentType, hostileText, async (body, type, auth) => {
        const headers: Record<string, string> = { authorization: auth };
        if (type !== undefined) headers['content-type'] = type;
        const reply = await world.sendWritingNothing({ route, headers, body: JSON.stringify(body) ?? null });
        expect(reply.status).toBe(200);
      }),
      { numRuns: RUNS },
    );
  });
});

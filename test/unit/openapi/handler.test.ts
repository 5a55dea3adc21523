/**
 * GET /functions/v1/openapi.json through the real middy stack: no token needed, JSON, and
 * the same document as the committed one.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { buildOpenApiDocument } from '../../../lambdas/openapi/document';
import { invoke, type ProxyHandler } from '../../support/api';

let handler: ProxyHandler;

beforeAll(async () => {
  // Powertools reads its settings at import time: quiet, no EMF, no X-Ray.
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  ({ handler } = await import('../../../lambdas/openapi/handler'));
});

describe('GET /functions/v1/openapi.json', () => {
  it('answers 200 with the document as JSON, without a token', async () => {
    const reply = await invoke(handler, {
      method: 'GET',
      resource: '/functions/v1/openapi.json',
      userId: null,
      headers: {},
    });

    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.headers['x-request-id']).toEqual(expect.any(String));
    expect(reply.body).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });

  it('serves the same document on every call', async () => {
    const first = await invoke(handler, {
      method: 'GET',
      resource: '/functions/v1/openapi.json',
      userId: null,
    });
    const second = await invoke(handler, {
      method: 'GET',
      resource: '/functions/v1/openapi.json',
      userId: 'anyone',
    });

    expect(second.body).toEqual(first.body);
  });
});

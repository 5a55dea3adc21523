/**
 * GET /functions/v1/openapi.json: the OpenAPI 3.1 document, without authentication.
 * Built once per cold start from the zod schemas; it is the same document as the committed
 * `openapi/openapi.json` (its `serverUrl` variable defaults to the local API: clients set it).
 */
import { httpRoute } from '../shared/middleware';
import { buildOpenApiDocument, type OpenApiDocument } from './document';

let cached: OpenApiDocument | undefined;

function openApiDocument(): OpenApiDocument {
  cached ??= buildOpenApiDocument();
  return cached;
}

export const handler = httpRoute({ name: 'openapi', auth: false }, async () => ({
  statusCode: 200,
  body: openApiDocument(),
  // The document only changes with a deployment; let browsers and tools keep it a while.
  headers: { 'cache-control': 'public, max-age=300' },
}));

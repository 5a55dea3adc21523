/**
 * Until the operator puts the service-role key, its secret holds the stack's placeholder: the
 * data routes answer 503 `not_configured` with Retry-After (not a 500), and the function logs
 * which secret to put. Secrets Manager is faked over HTTP, reached by the real SDK client
 * through its endpoint setting.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { lambdaContext, proxyEvent } from './fixtures';

const SECRET_ID = 'mivia-coach-dev/supabase-service-role-key';
/** What the stack's generated placeholder looks like: 32 letters and digits. */
const PLACEHOLDER = 'Qx7mK2pL9vR4tW8zN3bH6jC1fD5gS0aY';

let secretsManager: Server;

beforeAll(async () => {
  secretsManager = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const id = (JSON.parse(body) as { SecretId: string }).SecretId;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ Name: id, SecretString: PLACEHOLDER, VersionStages: ['AWSCURRENT'] }));
    });
  });
  await new Promise<void>((resolve) => secretsManager.listen(0, '127.0.0.1', resolve));
  const port = (secretsManager.address() as AddressInfo).port;
  Object.assign(process.env, {
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'not-a-real-secret-key',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}`,
    SUPABASE_URL: 'http://127.0.0.1:9',
    SUPABASE_SERVICE_ROLE_KEY_SECRET_ID: SECRET_ID,
  });
});

afterAll(async () => {
  secretsManager.closeAllConnections();
  await new Promise((resolve) => secretsManager.close(resolve));
});

describe('a data route whose service-role key is still the placeholder', () => {
  it('answers 503 not_configured with Retry-After and logs the secret to put', async () => {
    // Prepare: the deployed handler, composed from the environment like in Lambda.
    const { handler } = await import('../../../lambdas/feedback/handler');
    const { logger } = await import('../../../lambdas/shared/observability');
    const logged = jest.spyOn(logger, 'error');
    const event = proxyEvent({
      body: JSON.stringify({ message_id: '0e6f1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b', rating: 'up' }),
    });

    // Act
    const result = await handler(event, lambdaContext());

    // Assess
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body)).toMatchObject({ code: 'not_configured', retry_after_seconds: 60 });
    expect(result.headers).toMatchObject({ 'Retry-After': '60' });
    expect(logged).toHaveBeenCalledWith(
      'secret not configured: put its value',
      expect.objectContaining({ secret_id: SECRET_ID, reason: 'placeholder' }),
    );
    expect(result.body).not.toContain(PLACEHOLDER);
  });
});

/**
 * The real local API (`npm start`'s server) for the CLI and conformance tests: embedded
 * PGlite in memory and the simulated coach, whatever the developer's environment says.
 */
import type { LocalApi } from '../../../local/server';
import { answerBody, checkAnswer } from '../../support/contract-check';

export async function startQuietLocalApi(): Promise<LocalApi> {
  // Powertools reads these at import time: no EMF lines, no X-Ray, no logs in test output.
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const { startLocalApi } = await import('../../../local/server');
  return startLocalApi({
    port: 0,
    env: {
      DATABASE_URL: undefined,
      LOCAL_PGLITE_DIR: undefined,
      OPENAI_API_KEY: undefined,
      OPENAI_API_KEY_SECRET_ID: undefined,
    },
    onAnswer: ({ route, status, body, headers }) =>
      checkAnswer({
        method: route.method,
        resource: route.path,
        status,
        body: answerBody(body, headers),
        headers,
      }),
  });
}

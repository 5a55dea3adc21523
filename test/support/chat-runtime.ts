/**
 * The runtime the handlers get in integration tests: the real config parser, the real SQL
 * store on the test database, and the real OpenAI adapter pointed at the OpenAI fake.
 */
import { loadConfig } from '../../lambdas/shared/config';
import type { RunPollerStarter } from '../../lambdas/shared/ports';
import { modelFromConfig } from '../../lambdas/shared/runtime/model';
import { screenerFromConfig } from '../../lambdas/shared/runtime/screening';
import { storePool } from '../../local/pg-pool';
import { assembleRuntime, sqlStore, type Runtime } from '../../local/runtime';

export interface TestRuntime {
  readonly runtime: Runtime;
  readonly getRuntime: () => Promise<Runtime>;
  close(): Promise<void>;
}

export async function buildTestRuntime(options: {
  readonly databaseUrl: string;
  readonly openai?: { readonly baseURL: string; readonly apiKey: string } | null;
  readonly env?: Record<string, string>;
  readonly poller?: RunPollerStarter | null;
}): Promise<TestRuntime> {
  const cfg = loadConfig({
    DATABASE_URL: options.databaseUrl,
    OPENAI_API_KEY: options.openai?.apiKey,
    OPENAI_BASE_URL: options.openai?.baseURL,
    OPENAI_TIMEOUT_MS: '2000',
    OPENAI_MAX_RETRIES: '2',
    CHAT_SYNC_BUDGET_MS: '10000',
    ...options.env,
  });
  const pool = storePool(options.databaseUrl, { max: 4 });
  const store = sqlStore(pool);
  const model = await modelFromConfig(cfg);
  const screener = await screenerFromConfig(cfg);
  const runtime = assembleRuntime(cfg, { store, model, poller: options.poller ?? null, screener });
  return { runtime, getRuntime: async () => runtime, close: () => pool.end() };
}

/**
 * The store of the Lambdas: PostgREST `.rpc()` with the service-role key from Secrets
 * Manager (or its env override). Only the data functions import this; local mode and tests
 * call the same functions over SQL (`store/sql-transport.ts`).
 */
import type { AppConfig } from '../config';
import { appError } from '../errors';
import { logger } from '../observability';
import { requireSecret, SecretNotConfiguredError } from '../secrets';
import { createSupabaseTransport } from '../store/supabase-transport';
import { storeCaller, type StoreCall } from '../store/transport';

/** Seconds a client should wait before asking a function whose secret is not put yet. */
const NOT_CONFIGURED_RETRY_AFTER_SECONDS = 60;

export async function lambdaStoreCall(cfg: AppConfig): Promise<StoreCall> {
  if (!cfg.supabaseUrl) throw new Error('SUPABASE_URL is required');
  let serviceRoleKey: string;
  try {
    serviceRoleKey = await requireSecret('supabase_service_role_key', cfg);
  } catch (error) {
    if (!(error instanceof SecretNotConfiguredError)) throw error;
    // Not a fault of the request: the operator has not put the key yet (docs/deploy.md, secrets).
    logger.error('secret not configured: put its value', {
      secret: error.kind,
      secret_id: error.secretId,
      reason: error.reason,
    });
    throw appError('not_configured', { cause: error, retryAfterSeconds: NOT_CONFIGURED_RETRY_AFTER_SECONDS });
  }
  return storeCaller(createSupabaseTransport({ url: cfg.supabaseUrl, serviceRoleKey }));
}

/**
 * The store of the Lambdas: PostgREST `.rpc()` with the service-role key from Secrets
 * Manager (or its env override). Only the data functions import this; local mode and tests
 * call the same functions over SQL (`store/sql-transport.ts`).
 */
import type { AppConfig } from '../config';
import { getSecret } from '../secrets';
import { createSupabaseTransport } from '../store/supabase-transport';
import { storeCaller, type StoreCall } from '../store/transport';

export async function lambdaStoreCall(cfg: AppConfig): Promise<StoreCall> {
  const serviceRoleKey = await getSecret('supabase_service_role_key', cfg);
  if (!cfg.supabaseUrl || !serviceRoleKey) {
    throw new Error('SUPABASE_URL and the Supabase service-role key are required');
  }
  return storeCaller(createSupabaseTransport({ url: cfg.supabaseUrl, serviceRoleKey }));
}

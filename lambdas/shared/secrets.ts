/**
 * Secret values (OpenAI key, Supabase service-role key, legacy JWT secret). An env override
 * wins (local mode); otherwise Secrets Manager by the configured secret id, cached for a
 * few minutes so a rotated value is picked up without a redeploy, with concurrent reads of
 * the same secret sharing one call. Values are never logged.
 */
import type {
  GetSecretValueCommand,
  GetSecretValueCommandOutput,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { AppConfig } from './config';

export type SecretKind = 'openai_api_key' | 'supabase_service_role_key' | 'supabase_jwt_secret';

/** The config fields secrets are resolved from. */
export type SecretSources = Pick<
  AppConfig,
  | 'openaiApiKey'
  | 'openaiApiKeySecretId'
  | 'supabaseServiceRoleKey'
  | 'supabaseServiceRoleKeySecretId'
  | 'supabaseJwtSecret'
  | 'supabaseJwtSecretSecretId'
>;

/** The one method used of the Secrets Manager client (tests pass a fake). */
export interface SecretsClient {
  send(command: GetSecretValueCommand): Promise<Pick<GetSecretValueCommandOutput, 'SecretString'>>;
}

export type SecretReader = (kind: SecretKind, cfg: SecretSources) => Promise<string | undefined>;

export interface SecretReaderOptions {
  readonly client: SecretsClient;
  /** How long a fetched value is reused (default 5 minutes). */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

export const SECRET_TTL_MS = 5 * 60 * 1000;

function sources(
  kind: SecretKind,
  cfg: SecretSources,
): { override: string | undefined; secretId: string | undefined } {
  switch (kind) {
    case 'openai_api_key':
      return { override: cfg.openaiApiKey, secretId: cfg.openaiApiKeySecretId };
    case 'supabase_service_role_key':
      return { override: cfg.supabaseServiceRoleKey, secretId: cfg.supabaseServiceRoleKeySecretId };
    case 'supabase_jwt_secret':
      return { override: cfg.supabaseJwtSecret, secretId: cfg.supabaseJwtSecretSecretId };
  }
}

/**
 * A secret's value from its SecretString: the plain string, or the `value` field of a JSON
 * object (`{ "value": "…" }`). Empty means "not set yet" (the stack creates secrets empty).
 */
export function secretValueFrom(secretString: string | undefined, secretId: string): string | undefined {
  const text = secretString?.trim() ?? '';
  if (text === '') return undefined;
  if (!text.startsWith('{')) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text; // not JSON after all: a plain value that happens to start with '{'
  }
  const value = (parsed as { value?: unknown }).value;
  if (typeof value !== 'string') {
    throw new Error(`Secret ${secretId} is a JSON object without a string "value" field`);
  }
  return value.trim() || undefined;
}

/** A cached, de-duplicating reader over the given client. */
export function createSecretReader(options: SecretReaderOptions): SecretReader {
  const ttlMs = options.ttlMs ?? SECRET_TTL_MS;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { readonly value: string | undefined; readonly expiresAt: number }>();
  const inFlight = new Map<string, Promise<string | undefined>>();

  async function fetchSecret(secretId: string): Promise<string | undefined> {
    let output: Pick<GetSecretValueCommandOutput, 'SecretString'>;
    try {
      const { GetSecretValueCommand } = await loadSecretsManagerSdk();
      output = await options.client.send(new GetSecretValueCommand({ SecretId: secretId }));
    } catch (error) {
      throw new Error(`Could not read secret ${secretId} from Secrets Manager`, { cause: error });
    }
    const value = secretValueFrom(output.SecretString, secretId);
    cache.set(secretId, { value, expiresAt: now() + ttlMs });
    return value;
  }

  return async (kind, cfg) => {
    const { override, secretId } = sources(kind, cfg);
    if (override) return override;
    if (!secretId) return undefined;
    const cached = cache.get(secretId);
    if (cached && cached.expiresAt > now()) return cached.value;
    let pending = inFlight.get(secretId);
    if (!pending) {
      pending = fetchSecret(secretId).finally(() => inFlight.delete(secretId));
      inFlight.set(secretId, pending);
    }
    return pending;
  };
}

/**
 * The AWS SDK (the Lambda runtime's, lib/functions.ts) is loaded at the first read from
 * Secrets Manager, not when a function starts: the authorizer in JWKS mode never reads a
 * secret, local mode reads env overrides, and the data functions load it with the rest of
 * their first request's dependencies.
 */
const loadSecretsManagerSdk = () => import('@aws-sdk/client-secrets-manager');

let secretsManager: SecretsManagerClient | undefined;

/** Built once per container, at first use; the region comes from the Lambda environment. */
const lazySecretsManager: SecretsClient = {
  async send(command) {
    const { SecretsManagerClient } = await loadSecretsManagerSdk();
    secretsManager ??= new SecretsManagerClient({});
    return secretsManager.send(command);
  },
};
const defaultReader = createSecretReader({ client: lazySecretsManager });

/**
 * The value of a secret, or undefined when neither an env override nor a secret id is
 * configured (or the secret is still empty). Throws when Secrets Manager cannot be read.
 */
export async function getSecret(kind: SecretKind, cfg: SecretSources): Promise<string | undefined> {
  return defaultReader(kind, cfg);
}

/**
 * Secret values (OpenAI key, Supabase service-role key, legacy JWT secret). An env override
 * wins (local mode); otherwise Secrets Manager by the configured secret id, through
 * Powertools Parameters' secrets provider, cached for `SECRET_TTL_MS` so a rotated value is
 * picked up without a redeploy, with concurrent first reads of a secret sharing one call.
 *
 * Three outcomes a caller can tell apart:
 * - a value;
 * - "not configured" (`undefined` from `getSecret`, `SecretNotConfiguredError` from
 *   `requireSecret`): no source at all, an empty secret, or the random placeholder the
 *   stack creates secrets with (lib/secrets.ts) still in place; the operator must put it;
 * - "could not be read" (`SecretUnavailableError`): Secrets Manager failed or refused, or
 *   the stored value has no usable shape; retrying later may help.
 * Values never appear in errors or logs: only the kind and the secret id.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
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

/** How long a value read from Secrets Manager is reused. */
export const SECRET_TTL_MS = 5 * 60 * 1000;

/** Why a secret has no value yet. */
export type SecretNotConfiguredReason =
  /** Neither an env override nor a secret id is configured. */
  | 'no_source'
  /** The secret exists but is empty. */
  | 'empty'
  /** The secret still holds the stack's generated placeholder. */
  | 'placeholder';

/** The result of looking a secret up: its value, or why there is none. */
export type SecretLookup =
  | { readonly configured: true; readonly value: string }
  | {
      readonly configured: false;
      readonly reason: SecretNotConfiguredReason;
      readonly secretId: string | undefined;
    };

/** The secret has no value yet (see `SecretNotConfiguredReason`): the operator must put it. */
export class SecretNotConfiguredError extends Error {
  constructor(
    readonly kind: SecretKind,
    readonly reason: SecretNotConfiguredReason,
    readonly secretId: string | undefined,
  ) {
    super(`Secret ${kind} is not configured (${reason}${secretId ? `: ${secretId}` : ''})`);
    this.name = 'SecretNotConfiguredError';
  }
}

/** The secret could not be read (Secrets Manager failed or refused, or the value is malformed). */
export class SecretUnavailableError extends Error {
  constructor(
    readonly kind: SecretKind,
    readonly secretId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SecretUnavailableError';
  }
}

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
 * object (`{ "value": "…" }`). Empty means "not set yet". Throws when a JSON object has no
 * string `value` (without repeating the secret).
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

/** The stack's generated placeholder: 32 letters and digits (lib/secrets.ts, excludePunctuation). */
const STACK_PLACEHOLDER = /^[A-Za-z0-9]{32}$/;

/**
 * Whether `value` is the placeholder the stack created the secret with. Only for the kinds
 * whose real values can never look like it: OpenAI keys start with `sk-`, Supabase
 * service-role keys are JWTs (dots) or `sb_secret_…` keys. A legacy JWT secret is any
 * string the project chose, so it is never taken for a placeholder.
 */
export function isStackPlaceholder(kind: SecretKind, value: string): boolean {
  return kind !== 'supabase_jwt_secret' && STACK_PLACEHOLDER.test(value);
}

export interface SecretReaderOptions {
  /** The Secrets Manager client (tests: one with a fake HTTP handler). */
  readonly client?: SecretsManagerClient;
  /** How long a fetched value is reused (default `SECRET_TTL_MS`). */
  readonly ttlMs?: number;
}

/** Looks secrets up by kind; see the module comment for the outcomes. */
export interface SecretReader {
  /** The value, or why there is none. Throws `SecretUnavailableError` when it cannot be read. */
  lookup(kind: SecretKind, cfg: SecretSources): Promise<SecretLookup>;
  /** The value, or undefined when not configured. Throws `SecretUnavailableError` when it cannot be read. */
  get(kind: SecretKind, cfg: SecretSources): Promise<string | undefined>;
  /** The value. Throws `SecretNotConfiguredError` or `SecretUnavailableError`. */
  require(kind: SecretKind, cfg: SecretSources): Promise<string>;
}

/** A reader over Powertools' secrets provider, cached per secret id for `ttlMs`. */
export function createSecretReader(options: SecretReaderOptions = {}): SecretReader {
  const provider = new SecretsProvider({
    awsSdkV3Client: options.client ?? new SecretsManagerClient({}),
  });
  const maxAge = Math.max(1, Math.round((options.ttlMs ?? SECRET_TTL_MS) / 1000));
  const decoder = new TextDecoder('utf-8');
  // Powertools caches a value once it has it; this shares the first read among callers.
  const inFlight = new Map<string, Promise<string | undefined>>();

  async function fetchSecret(kind: SecretKind, secretId: string): Promise<string | undefined> {
    let raw: string | Uint8Array | undefined;
    try {
      raw = await provider.get(secretId, { maxAge });
    } catch (error) {
      throw new SecretUnavailableError(
        kind,
        secretId,
        `Could not read secret ${secretId} from Secrets Manager`,
        {
          cause: error,
        },
      );
    }
    try {
      return secretValueFrom(
        typeof raw === 'string' || raw === undefined ? raw : decoder.decode(raw),
        secretId,
      );
    } catch (error) {
      throw new SecretUnavailableError(kind, secretId, (error as Error).message);
    }
  }

  async function lookup(kind: SecretKind, cfg: SecretSources): Promise<SecretLookup> {
    const { override, secretId } = sources(kind, cfg);
    if (override) return { configured: true, value: override };
    if (!secretId) return { configured: false, reason: 'no_source', secretId };
    let pending = inFlight.get(secretId);
    if (!pending) {
      pending = fetchSecret(kind, secretId).finally(() => inFlight.delete(secretId));
      inFlight.set(secretId, pending);
    }
    const value = await pending;
    if (value === undefined) return { configured: false, reason: 'empty', secretId };
    if (isStackPlaceholder(kind, value)) return { configured: false, reason: 'placeholder', secretId };
    return { configured: true, value };
  }

  return {
    lookup,
    async get(kind, cfg) {
      const found = await lookup(kind, cfg);
      return found.configured ? found.value : undefined;
    },
    async require(kind, cfg) {
      const found = await lookup(kind, cfg);
      if (found.configured) return found.value;
      throw new SecretNotConfiguredError(kind, found.reason, found.secretId);
    },
  };
}

/** Built once per container; the region comes from the Lambda environment. */
const defaultReader = createSecretReader();

/**
 * The value of a secret, or undefined when it is not configured (no override and no secret
 * id, an empty secret, or the stack's placeholder still in place). Throws
 * `SecretUnavailableError` when Secrets Manager cannot be read.
 */
export async function getSecret(kind: SecretKind, cfg: SecretSources): Promise<string | undefined> {
  return defaultReader.get(kind, cfg);
}

/** Like `getSecret`, but says why a secret has no value: `{ configured: false, reason, secretId }`. */
export async function lookupSecret(kind: SecretKind, cfg: SecretSources): Promise<SecretLookup> {
  return defaultReader.lookup(kind, cfg);
}

/**
 * The value of a secret the caller cannot work without. Throws `SecretNotConfiguredError`
 * (answer 503 with a code, log the kind and secret id) or `SecretUnavailableError`.
 */
export async function requireSecret(kind: SecretKind, cfg: SecretSources): Promise<string> {
  return defaultReader.require(kind, cfg);
}

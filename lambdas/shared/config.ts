/**
 * The backend's configuration: one zod schema over `process.env`, parsed once per cold
 * start. A bad deployment fails at the first invocation with one error that lists every
 * missing or invalid variable, instead of failing later on the first request that needs it.
 */
import * as z from 'zod';
import { CoachProfileId } from './contract/schemas';
import {
  BUILT_IN_MODEL_FACTS,
  mergeModelFacts,
  ModelFactsOverride,
  type ModelFacts,
} from './coach/model-facts';
import { profileProblems, type ProfileProblem } from './coach/profiles';

/** API Gateway REST integrations time out at 29 s; the sync chat path must end well before. */
export const MAX_CHAT_SYNC_BUDGET_MS = 28_000;

/** The environment as Lambda (or the local server, or a test) hands it over. */
export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

const flag = (defaultValue: boolean) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false', '1', '0'], { error: "must be 'true', 'false', '1' or '0'" }))
    .transform((v) => v === 'true' || v === '1')
    .optional()
    .transform((v) => v ?? defaultValue);

const integer = (defaultValue: number, min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(defaultValue);

const url = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((v) => v.replace(/\/+$/, ''));
const text = z.string().trim().min(1);

const modelOverrides = z
  .string()
  .transform((raw, ctx): Readonly<Record<string, string>> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of coach profile id to model' });
      return z.NEVER;
    }
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed)) {
      if (!CoachProfileId.safeParse(key).success) {
        ctx.addIssue({
          code: 'custom',
          message: `has an unknown coach profile id "${key}" (known: ${CoachProfileId.options.join(', ')})`,
        });
      } else if (typeof value !== 'string' || value.trim() === '') {
        ctx.addIssue({ code: 'custom', message: `must map "${key}" to a non-empty model name` });
      } else {
        out[key] = value.trim();
      }
    }
    return out;
  })
  .optional()
  .transform((v): Readonly<Record<string, string>> => v ?? {});

/** The raw variables, by their environment names. */
const EnvSchema = z
  .object({
    STAGE: text.default('local'),
    LOG_LEVEL: z
      .string()
      .trim()
      .toUpperCase()
      .pipe(z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT']))
      .default('INFO'),
    SUPABASE_URL: url.optional(),
    DATABASE_URL: text.optional(),
    SUPABASE_SERVICE_ROLE_KEY_SECRET_ID: text.optional(),
    SUPABASE_SERVICE_ROLE_KEY: text.optional(),
    OPENAI_API_KEY_SECRET_ID: text.optional(),
    OPENAI_API_KEY: text.optional(),
    OPENAI_BASE_URL: url.optional(),
    OPENAI_TIMEOUT_MS: integer(15_000, 1_000, 600_000),
    OPENAI_MAX_RETRIES: integer(2, 0, 3),
    CHAT_SYNC_BUDGET_MS: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1_000, 'must be at least 1000')
      .lt(
        MAX_CHAT_SYNC_BUDGET_MS,
        `must be below ${MAX_CHAT_SYNC_BUDGET_MS} (API Gateway answers 504 at 29 s)`,
      )
      .default(20_000),
    OPENAI_ENABLED: flag(true),
    FALLBACK_ENABLED: flag(true),
    OPENAI_ROLLOUT_PERCENT: integer(100, 0, 100),
    DAILY_TOKEN_LIMIT_PER_USER: integer(200_000, 0, Number.MAX_SAFE_INTEGER),
    DAILY_COST_LIMIT_USD_PER_USER: z.coerce
      .number({ error: 'must be a number' })
      .finite('must be a number')
      .nonnegative('must not be negative')
      .default(1.0),
    COACH_MODEL_OVERRIDES: modelOverrides,
    COACH_MODEL_FACTS: ModelFactsOverride.optional(),
    POLLER_STATE_MACHINE_ARN: z.string().trim().startsWith('arn:', 'must be an ARN').optional(),
    AUTH_JWKS_URL: url.optional(),
    AUTH_ISSUER: url.optional(),
    AUTH_AUDIENCE: text.default('authenticated'),
    SUPABASE_JWT_SECRET_SECRET_ID: text.optional(),
    SUPABASE_JWT_SECRET: text.optional(),
    AUTH_MODE: z.enum(['jwks', 'hs256', 'both']).optional(),
  })
  .transform((env) => {
    const hasJwtSecret = Boolean(env.SUPABASE_JWT_SECRET_SECRET_ID || env.SUPABASE_JWT_SECRET);
    const authBase = env.SUPABASE_URL ? `${env.SUPABASE_URL}/auth/v1` : undefined;
    return {
      stage: env.STAGE,
      logLevel: env.LOG_LEVEL,
      supabaseUrl: env.SUPABASE_URL,
      databaseUrl: env.DATABASE_URL,
      supabaseServiceRoleKeySecretId: env.SUPABASE_SERVICE_ROLE_KEY_SECRET_ID,
      supabaseServiceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY,
      openaiApiKeySecretId: env.OPENAI_API_KEY_SECRET_ID,
      openaiApiKey: env.OPENAI_API_KEY,
      openaiBaseUrl: env.OPENAI_BASE_URL,
      openaiTimeoutMs: env.OPENAI_TIMEOUT_MS,
      openaiMaxRetries: env.OPENAI_MAX_RETRIES,
      chatSyncBudgetMs: env.CHAT_SYNC_BUDGET_MS,
      openaiEnabled: env.OPENAI_ENABLED,
      fallbackEnabled: env.FALLBACK_ENABLED,
      openaiRolloutPercent: env.OPENAI_ROLLOUT_PERCENT,
      dailyTokenLimitPerUser: env.DAILY_TOKEN_LIMIT_PER_USER,
      dailyCostLimitUsdPerUser: env.DAILY_COST_LIMIT_USD_PER_USER,
      coachModelOverrides: env.COACH_MODEL_OVERRIDES,
      /** The built-in model facts with `COACH_MODEL_FACTS` merged over them. */
      modelFacts: factsWith(env.COACH_MODEL_FACTS),
      pollerStateMachineArn: env.POLLER_STATE_MACHINE_ARN,
      /** Undefined only when neither AUTH_JWKS_URL nor SUPABASE_URL is set (local SQL mode). */
      authJwksUrl: env.AUTH_JWKS_URL ?? (authBase ? `${authBase}/.well-known/jwks.json` : undefined),
      /** Undefined only when neither AUTH_ISSUER nor SUPABASE_URL is set (local SQL mode). */
      authIssuer: env.AUTH_ISSUER ?? authBase,
      authAudience: env.AUTH_AUDIENCE,
      supabaseJwtSecretSecretId: env.SUPABASE_JWT_SECRET_SECRET_ID,
      supabaseJwtSecret: env.SUPABASE_JWT_SECRET,
      authMode: env.AUTH_MODE ?? (hasJwtSecret ? 'both' : 'jwks'),
    } as const;
  });

/** The parsed configuration, camelCase. */
export type AppConfig = Readonly<z.output<typeof EnvSchema>>;

/**
 * Rules between variables, checked on the raw environment so they are reported together
 * with the per-variable problems (zod skips object refinements once a field has failed).
 */
function crossFieldProblems(env: Env): string[] {
  const problems: string[] = [];
  if (!env.SUPABASE_URL && !env.DATABASE_URL)
    problems.push('SUPABASE_URL is required unless DATABASE_URL is set');
  const hasJwtSecret = Boolean(env.SUPABASE_JWT_SECRET_SECRET_ID || env.SUPABASE_JWT_SECRET);
  if ((env.AUTH_MODE === 'hs256' || env.AUTH_MODE === 'both') && !hasJwtSecret) {
    problems.push(`AUTH_MODE '${env.AUTH_MODE}' needs SUPABASE_JWT_SECRET_SECRET_ID or SUPABASE_JWT_SECRET`);
  }
  return problems;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const name = issue.path.length > 0 ? issue.path.map(String).join('.') : 'environment';
  return `${name} ${issue.message}`;
}

/**
 * Parses the configuration from `env`. Empty strings count as unset (templates often
 * render a missing value as ''). Throws a `ConfigError` naming every bad variable.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
  const parsed = EnvSchema.safeParse(present);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map(describeIssue)),
    ...crossFieldProblems(present),
    // Checked once the overrides and facts parse: the profiles the turns will really send.
    ...(parsed.success
      ? profileProblems(parsed.data.coachModelOverrides, parsed.data.modelFacts).map(describeProfileProblem)
      : []),
  ];
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return Object.freeze(parsed.data);
}

function describeProfileProblem({ profile, overridden, message }: ProfileProblem): string {
  return overridden ? `COACH_MODEL_OVERRIDES ${profile}: ${message}` : `coach profile ${profile}: ${message}`;
}

function factsWith(override: z.output<typeof ModelFactsOverride> | undefined): ModelFacts {
  return override ? mergeModelFacts(override).facts : BUILT_IN_MODEL_FACTS;
}

let factsMemo: { readonly raw: string; readonly facts: ModelFacts } | undefined;

/**
 * The model facts this process prices with: the built-in table merged with
 * `COACH_MODEL_FACTS`, parsed once per value. `loadConfig` refuses a bad value at cold start,
 * so by the time a reply is priced this cannot throw.
 */
export function processModelFacts(env: Env = process.env): ModelFacts {
  const raw = env.COACH_MODEL_FACTS?.trim() ?? '';
  if (factsMemo?.raw !== raw) {
    const parsed = raw === '' ? undefined : ModelFactsOverride.safeParse(raw);
    if (parsed && !parsed.success)
      throw new ConfigError(
        parsed.error.issues.map((issue) =>
          describeIssue({ ...issue, path: ['COACH_MODEL_FACTS', ...issue.path] }),
        ),
      );
    factsMemo = { raw, facts: factsWith(parsed?.data) };
  }
  return factsMemo.facts;
}

let memo: AppConfig | undefined;

/** The process's configuration, parsed from `process.env` at first use and kept. */
export function config(): AppConfig {
  memo ??= loadConfig();
  return memo;
}

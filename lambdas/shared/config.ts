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
import { FLAG_ENV_SHAPE, flagsFromEnvFields } from './flags/env';
import { MAX_CHAT_SYNC_BUDGET_MS } from './flags/schema';
import { DEFAULT_COHORT_SALT } from './user-hash';

export { MAX_CHAT_SYNC_BUDGET_MS };

/** The environment as Lambda (or the local server, or a test) hands it over. */
export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

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
    // The flags' variables: the defaults of the flags document, typed and bounded by its one
    // table (flags/schema.ts); flagsFromEnvFields below does not compile if one is missing.
    OPENAI_ENABLED: FLAG_ENV_SHAPE.OPENAI_ENABLED,
    OPENAI_ROLLOUT_PERCENT: FLAG_ENV_SHAPE.OPENAI_ROLLOUT_PERCENT,
    FALLBACK_ENABLED: FLAG_ENV_SHAPE.FALLBACK_ENABLED,
    CHAT_SYNC_BUDGET_MS: FLAG_ENV_SHAPE.CHAT_SYNC_BUDGET_MS,
    RATE_LIMIT_PER_MINUTE: FLAG_ENV_SHAPE.RATE_LIMIT_PER_MINUTE,
    DAILY_MESSAGE_LIMIT_PER_USER: FLAG_ENV_SHAPE.DAILY_MESSAGE_LIMIT_PER_USER,
    DAILY_TOKEN_LIMIT_PER_USER: FLAG_ENV_SHAPE.DAILY_TOKEN_LIMIT_PER_USER,
    DAILY_COST_LIMIT_USD_PER_USER: FLAG_ENV_SHAPE.DAILY_COST_LIMIT_USD_PER_USER,
    GLOBAL_DAILY_COST_BUDGET_USD: FLAG_ENV_SHAPE.GLOBAL_DAILY_COST_BUDGET_USD,
    ANONYMOUS_ENABLED: FLAG_ENV_SHAPE.ANONYMOUS_ENABLED,
    ANONYMOUS_RATE_LIMIT_PER_MINUTE: FLAG_ENV_SHAPE.ANONYMOUS_RATE_LIMIT_PER_MINUTE,
    ANONYMOUS_DAILY_MESSAGE_LIMIT_PER_USER: FLAG_ENV_SHAPE.ANONYMOUS_DAILY_MESSAGE_LIMIT_PER_USER,
    ANONYMOUS_DAILY_TOKEN_LIMIT_PER_USER: FLAG_ENV_SHAPE.ANONYMOUS_DAILY_TOKEN_LIMIT_PER_USER,
    ANONYMOUS_DAILY_COST_LIMIT_USD_PER_USER: FLAG_ENV_SHAPE.ANONYMOUS_DAILY_COST_LIMIT_USD_PER_USER,
    SCREENING_ENABLED: FLAG_ENV_SHAPE.SCREENING_ENABLED,
    SELF_HARM_SCORE_THRESHOLD: FLAG_ENV_SHAPE.SELF_HARM_SCORE_THRESHOLD,
    DISCLOSURE_ENABLED: FLAG_ENV_SHAPE.DISCLOSURE_ENABLED,
    DISCLOSURE_IN_RESPONSE: FLAG_ENV_SHAPE.DISCLOSURE_IN_RESPONSE,
    AI_FLAGS_FILE: text.optional(),
    APPCONFIG_APPLICATION_ID: text.optional(),
    APPCONFIG_ENVIRONMENT_ID: text.optional(),
    APPCONFIG_CONFIGURATION_PROFILE_ID: text.optional(),
    // At least 15 s: AppConfig refuses polls of a session more often than that.
    FLAGS_MAX_AGE_SECONDS: integer(30, 15, 60),
    COHORT_SALT: text.default(DEFAULT_COHORT_SALT),
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
    const flagDefaults = flagsFromEnvFields(env);
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
      chatSyncBudgetMs: flagDefaults.sync_budget_ms,
      openaiEnabled: flagDefaults.openai_enabled,
      fallbackEnabled: flagDefaults.fallback_enabled,
      openaiRolloutPercent: flagDefaults.rollout_percent,
      dailyTokenLimitPerUser: flagDefaults.daily_token_limit_per_user,
      dailyCostLimitUsdPerUser: flagDefaults.daily_cost_limit_usd_per_user,
      /** Every flag as the environment gives it: the values a flags document is applied over. */
      flagDefaults,
      /** The local flags file (JSON, re-read on change), when flags do not come from AppConfig. */
      aiFlagsFile: env.AI_FLAGS_FILE,
      /** The AppConfig profile the flags are read from; undefined when APPCONFIG_* are not set. */
      appconfigFlags:
        env.APPCONFIG_APPLICATION_ID && env.APPCONFIG_ENVIRONMENT_ID && env.APPCONFIG_CONFIGURATION_PROFILE_ID
          ? {
              applicationId: env.APPCONFIG_APPLICATION_ID,
              environmentId: env.APPCONFIG_ENVIRONMENT_ID,
              profileId: env.APPCONFIG_CONFIGURATION_PROFILE_ID,
            }
          : undefined,
      /** How long a flags document read from AppConfig is used before asking again. */
      flagsMaxAgeSeconds: env.FLAGS_MAX_AGE_SECONDS,
      /** Salts the rollout cohorts; changing it reshuffles who is in the OpenAI group. */
      cohortSalt: env.COHORT_SALT,
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

const APPCONFIG_VARIABLES = [
  'APPCONFIG_APPLICATION_ID',
  'APPCONFIG_ENVIRONMENT_ID',
  'APPCONFIG_CONFIGURATION_PROFILE_ID',
] as const;

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
  const appconfig = APPCONFIG_VARIABLES.filter((name) => env[name]);
  if (appconfig.length > 0 && appconfig.length < APPCONFIG_VARIABLES.length) {
    problems.push(
      `${APPCONFIG_VARIABLES.join(', ')} are set together or not at all (set: ${appconfig.join(', ')})`,
    );
  }
  if (appconfig.length > 0 && env.AI_FLAGS_FILE) {
    problems.push('AI_FLAGS_FILE and APPCONFIG_* both name a flags source: set one');
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

/**
 * Deploy configuration: one zod schema over the CDK context (`cdk.json` "context" and
 * `-c key=value`). Pure: `bin/app.ts` reads the raw values and hands them here, so the
 * rules are unit-tested without an App. A bad configuration fails the synth with one
 * error that names every missing or invalid key.
 */
import { z } from 'zod';
import { mergeModelFacts, ModelFactsOverride } from '../lambdas/shared/coach/model-facts';
import { profileProblems } from '../lambdas/shared/coach/profiles';
import { FUNCTION_TIMEOUT_SECONDS } from '../lambdas/shared/contract/routes';
import { CoachProfileId } from '../lambdas/shared/contract/schemas';
import { MAX_CHAT_SYNC_BUDGET_MS } from '../lambdas/shared/contract/timing';

/** API Gateway REST integrations time out at 29 s; the chat Lambda gets 28 s. */
export const CHAT_FUNCTION_TIMEOUT_SECONDS = FUNCTION_TIMEOUT_SECONDS.chat;
/** The placeholder Supabase URL in cdk.json: fine for a local synth, refused for any other stage. */
export const PLACEHOLDER_SUPABASE_URL = 'https://example.supabase.co';

/** The retention periods CloudWatch Logs accepts (days); "never expire" is deliberately not offered. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/**
 * Most characters `modelFacts` may take as the functions' `COACH_MODEL_FACTS`: Lambda allows
 * 4 KB for all of a function's variables together, and the rest need about half of it.
 */
export const MAX_MODEL_FACTS_CHARS = 2_000;

/** Every context key the app reads; `bin/app.ts` collects exactly these. */
export const CONTEXT_KEYS = [
  'stage',
  'account',
  'region',
  'supabaseUrl',
  'authMode',
  'jwksUrl',
  'issuer',
  'audience',
  'openaiSecret',
  'supabaseServiceRoleSecret',
  'jwtSecret',
  'alarmEmail',
  'dailyCostBudgetUsd',
  'dailyTokenLimitPerUser',
  'dailyCostLimitUsdPerUser',
  'logRetentionDays',
  'logLevel',
  'modelOverrides',
  'modelFacts',
  'syncBudgetMs',
  'openaiTimeoutMs',
  'openaiMaxRetries',
  'openaiEnabled',
  'fallbackEnabled',
  'rolloutPercent',
  'throttlingRateLimit',
  'throttlingBurstLimit',
  'maxPollSeconds',
  'chatReservedConcurrency',
  'apiGatewayCloudWatchRole',
] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];

/** Raw context values: JSON types from cdk.json, strings from `-c`. */
export type RawDeployContext = Partial<Record<ContextKey, unknown>>;

/** A secret to import, by name or by ARN. */
export type SecretReference =
  { readonly kind: 'name'; readonly name: string } | { readonly kind: 'arn'; readonly arn: string };

/** `-c` hands every value over as a string: accept `"true"`/`"false"` as well as JSON booleans. */
const bool = (defaultValue: boolean) =>
  z
    .preprocess(
      (v) =>
        typeof v === 'string'
          ? (({ true: true, false: false } as Record<string, boolean>)[v.trim().toLowerCase()] ?? v)
          : v,
      z.boolean({ error: 'must be true or false' }),
    )
    .optional()
    .transform((v) => v ?? defaultValue);

const toNumber = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v);

const num = (defaultValue: number, min: number, max: number) =>
  z
    .preprocess(toNumber, z.number({ error: 'must be a number' }).finite('must be a number'))
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .optional()
    .transform((v) => v ?? defaultValue);

const int = (defaultValue: number, min: number, max: number) =>
  z
    .preprocess(toNumber, z.number({ error: 'must be a number' }).int('must be a whole number'))
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .optional()
    .transform((v) => v ?? defaultValue);

const httpsUrl = z
  .string({
    error: (issue) => (issue.input === undefined ? 'is required (an https URL)' : 'must be an https URL'),
  })
  .trim()
  .pipe(z.url({ protocol: /^https$/, error: 'must be an https URL' }))
  .transform((v) => v.replace(/\/+$/, ''));

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

const secretReference = z
  .string({ error: 'must be a secret name or ARN' })
  .trim()
  .refine((v) => SECRET_ARN.test(v) || (SECRET_NAME.test(v) && !v.startsWith('arn:')), {
    error: 'must be a Secrets Manager secret name or ARN',
  })
  .transform((v): SecretReference =>
    v.startsWith('arn:') ? { kind: 'arn', arn: v } : { kind: 'name', name: v },
  )
  .optional();

const modelOverrides = z
  .preprocess(
    (v) => {
      if (typeof v !== 'string') return v;
      try {
        return JSON.parse(v) as unknown;
      } catch {
        return v;
      }
    },
    z.partialRecord(
      z.enum(CoachProfileId.options, {
        error: `keys must be coach profile ids (${CoachProfileId.options.join(', ')})`,
      }),
      z.string().trim().min(1, 'models must be non-empty strings'),
      { error: 'must be a JSON object of coach profile id to model' },
    ),
  )
  .optional()
  .transform((v): Readonly<Partial<Record<CoachProfileId, string>>> => v ?? {});

const optionalText = z.string().trim().min(1, 'must not be empty').optional();

const DeployContextSchema = z
  .object({
    stage: z
      .string({ error: 'must be a string' })
      .trim()
      .regex(/^[a-z][a-z0-9-]{0,19}$/, 'must be lowercase letters, digits and dashes (e.g. dev, prod)')
      .optional()
      .transform((v) => v ?? 'dev'),
    account: z
      .preprocess(
        (v) => (typeof v === 'number' ? String(v) : v),
        z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
      )
      .optional(),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-central-1')
      .optional(),
    supabaseUrl: httpsUrl,
    authMode: z
      .enum(['jwks', 'hs256', 'both'], { error: "must be 'jwks', 'hs256' or 'both'" })
      .optional()
      .transform((v) => v ?? 'jwks'),
    jwksUrl: httpsUrl.optional(),
    issuer: httpsUrl.optional(),
    audience: optionalText.transform((v) => v ?? 'authenticated'),
    openaiSecret: secretReference,
    supabaseServiceRoleSecret: secretReference,
    jwtSecret: secretReference,
    alarmEmail: z.email({ error: 'must be an e-mail address' }).optional(),
    dailyCostBudgetUsd: num(25, 0.01, 1_000_000),
    dailyTokenLimitPerUser: int(200_000, 0, Number.MAX_SAFE_INTEGER),
    dailyCostLimitUsdPerUser: num(1, 0, 10_000),
    logRetentionDays: z
      .preprocess(
        toNumber,
        z
          .number({ error: 'must be a number of days' })
          .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), {
            error: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
          }),
      )
      .optional()
      .transform((v) => v ?? 30),
    logLevel: z
      .preprocess(
        (v) => (typeof v === 'string' ? v.trim().toUpperCase() : v),
        z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR'], { error: 'must be DEBUG, INFO, WARN or ERROR' }),
      )
      .optional()
      .transform((v) => v ?? 'INFO'),
    modelOverrides,
    /** Entries merged over the built-in model facts (`lambdas/shared/coach/model-facts.ts`). */
    modelFacts: ModelFactsOverride.optional()
      .transform((v) => v ?? {})
      .refine((v) => JSON.stringify(v).length <= MAX_MODEL_FACTS_CHARS, {
        error: `must fit in ${MAX_MODEL_FACTS_CHARS} characters of JSON (Lambda's 4 KB environment limit)`,
      }),
    // At most what leaves the chat Lambda time to record the answer (lambdas/shared/contract/timing.ts).
    syncBudgetMs: int(MAX_CHAT_SYNC_BUDGET_MS, 1_000, MAX_CHAT_SYNC_BUDGET_MS),
    openaiTimeoutMs: int(15_000, 1_000, 55_000),
    openaiMaxRetries: int(2, 0, 3),
    openaiEnabled: bool(true),
    fallbackEnabled: bool(true),
    rolloutPercent: int(100, 0, 100),
    throttlingRateLimit: num(20, 1, 10_000),
    throttlingBurstLimit: int(40, 1, 5_000),
    // At most 900 s: the database gives up on a pending run after 20 minutes (coach_functions.sql).
    maxPollSeconds: int(600, 60, 900),
    chatReservedConcurrency: int(0, 0, 1_000),
    apiGatewayCloudWatchRole: bool(true),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.jwtSecret && cfg.authMode === 'jwks') {
      ctx.addIssue({
        code: 'custom',
        path: ['jwtSecret'],
        message: "is only used when authMode is 'hs256' or 'both'",
      });
    }
    if (cfg.stage !== 'dev' && cfg.supabaseUrl === PLACEHOLDER_SUPABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['supabaseUrl'],
        message: `is the placeholder ${PLACEHOLDER_SUPABASE_URL}; set your project's URL for stage '${cfg.stage}'`,
      });
    }
  })
  .transform((cfg, ctx) => {
    // The profiles as the functions will run them: their overrides, against the merged facts.
    for (const problem of profileProblems(cfg.modelOverrides, mergeModelFacts(cfg.modelFacts).facts)) {
      ctx.addIssue({
        code: 'custom',
        path: [problem.overridden ? 'modelOverrides' : 'modelFacts'],
        message: `${problem.overridden ? '' : 'coach profile '}${problem.profile}: ${problem.message}`,
      });
    }
    const authBase = `${cfg.supabaseUrl}/auth/v1`;
    return {
      ...cfg,
      jwksUrl: cfg.jwksUrl ?? `${authBase}/.well-known/jwks.json`,
      issuer: cfg.issuer ?? authBase,
      usesJwtSecret: cfg.authMode !== 'jwks',
    };
  });

/** The validated deploy configuration. */
export type DeployConfig = Readonly<z.output<typeof DeployContextSchema>>;

/** One bad context key and what is wrong with it. */
export interface ConfigProblem {
  readonly key: string;
  readonly message: string;
}

/** Thrown by `parseDeployConfig`: names every bad key at once. */
export class DeployConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      [
        `Invalid deploy configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}); ` +
          'set these in cdk.json "context" or with -c key=value:',
        ...problems.map((p) => `  - ${p.key}: ${p.message}`),
      ].join('\n'),
    );
    this.name = 'DeployConfigError';
  }
}

/** The raw deploy context of an app (or any construct): every key of `CONTEXT_KEYS`, as given. */
export function deployContextOf(scope: {
  readonly node: { tryGetContext(key: string): unknown };
}): RawDeployContext {
  return Object.fromEntries(CONTEXT_KEYS.map((key) => [key, scope.node.tryGetContext(key)]));
}

/**
 * Validates the raw CDK context. Unknown keys are ignored (CDK keeps its own feature flags
 * in the same context); empty strings count as unset.
 */
export function parseDeployConfig(raw: RawDeployContext): DeployConfig {
  const present = Object.fromEntries(
    CONTEXT_KEYS.map((key) => [key, raw[key]] as const).filter(
      ([, v]) => v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === ''),
    ),
  );
  const parsed = DeployContextSchema.safeParse(present);
  if (!parsed.success) {
    throw new DeployConfigError(
      parsed.error.issues.map((issue) => ({
        key: issue.path.length > 0 ? issue.path.map(String).join('.') : '(context)',
        message: issue.message,
      })),
    );
  }
  return Object.freeze(parsed.data);
}

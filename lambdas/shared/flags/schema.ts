/**
 * The flags document: the switches and limits an operator may change without a redeploy.
 * One table below defines each key once (its zod type, its environment variable and its
 * default); the AppConfig JSON document, the local flags file, the environment defaults and
 * the AppConfig validator's JSON Schema are all derived from it.
 *
 * A document may give only some keys: the others keep their defaults, which are the
 * environment variables of the table (so the variables that configured the service before
 * AppConfig keep working). Unknown keys are refused, so a misspelt kill switch is an error
 * instead of a silent no-op.
 *
 * Dependency-free but for zod: the CDK app (lib/flags.ts) and the config parser import it.
 */
import * as z from 'zod';
import { MAX_CHAT_SYNC_BUDGET_MS } from '../contract/timing';

export { MAX_CHAT_SYNC_BUDGET_MS };
/** Below this the model rarely answers before the 202, so nearly every turn would poll. */
export const MIN_CHAT_SYNC_BUDGET_MS = 1_000;

const bool = z.boolean({ error: 'must be true or false' });

const whole = (min: number, max: number) =>
  z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const usd = z
  .number({ error: 'must be a number' })
  .finite('must be a number')
  .nonnegative('must not be negative');

const count = whole(0, Number.MAX_SAFE_INTEGER);

/** One key of the document: its type, the environment variable that gives its default, and that default. */
export interface FlagDefinition<E extends string, S extends z.ZodType> {
  readonly env: E;
  readonly schema: S;
  readonly default: z.output<S>;
  readonly description: string;
}

function flag<const E extends string, S extends z.ZodType>(
  env: E,
  schema: S,
  defaultValue: z.output<S>,
  description: string,
): FlagDefinition<E, S> {
  return { env, schema, default: defaultValue, description };
}

/**
 * Every key of the flags document. Precedence of the switches that choose the coach:
 * `openai_enabled: false` (the kill switch) beats a per-user override
 * (`user_ai_settings.openai_enabled`), which beats the cohort (`rollout_percent`); see
 * `decideRollout` in ./decisions.ts.
 */
export const FLAG_DEFINITIONS = {
  openai_enabled: flag(
    'OPENAI_ENABLED',
    bool,
    true,
    'Kill switch: false = every reply comes from the simulated coach, per-user overrides included.',
  ),
  rollout_percent: flag(
    'OPENAI_ROLLOUT_PERCENT',
    whole(0, 100),
    100,
    'Share of users (a salted, stable hash of the user id) who get OpenAI replies; raising it only adds users.',
  ),
  fallback_enabled: flag(
    'FALLBACK_ENABLED',
    bool,
    true,
    'Answer with the simulated coach (fallback: true) when OpenAI fails, instead of a 503.',
  ),
  sync_budget_ms: flag(
    'CHAT_SYNC_BUDGET_MS',
    z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(MIN_CHAT_SYNC_BUDGET_MS, `must be at least ${MIN_CHAT_SYNC_BUDGET_MS}`)
      .max(
        MAX_CHAT_SYNC_BUDGET_MS,
        `must be at most ${MAX_CHAT_SYNC_BUDGET_MS} (the chat function needs the rest of its 28 s to record the answer)`,
      ),
    MAX_CHAT_SYNC_BUDGET_MS,
    'How long a chat request waits for the model before answering 202 and handing the run to the poller.',
  ),
  rate_limit_per_minute: flag(
    'RATE_LIMIT_PER_MINUTE',
    count,
    10,
    'Messages one signed-in user may send per minute; more get 429.',
  ),
  daily_message_limit_per_user: flag(
    'DAILY_MESSAGE_LIMIT_PER_USER',
    count,
    200,
    'Messages one signed-in user may send per UTC day; more get 429.',
  ),
  daily_token_limit_per_user: flag(
    'DAILY_TOKEN_LIMIT_PER_USER',
    count,
    200_000,
    'OpenAI tokens one signed-in user may use per UTC day.',
  ),
  daily_cost_limit_usd_per_user: flag(
    'DAILY_COST_LIMIT_USD_PER_USER',
    usd,
    1,
    'OpenAI cost (USD) one signed-in user may incur per UTC day.',
  ),
  global_daily_cost_budget_usd: flag(
    'GLOBAL_DAILY_COST_BUDGET_USD',
    usd,
    25,
    'OpenAI cost (USD) of all users per UTC day; over it every reply is simulated.',
  ),
  anonymous_enabled: flag(
    'ANONYMOUS_ENABLED',
    bool,
    false,
    'Whether anonymous (is_anonymous) Supabase users may chat at all; false = 403.',
  ),
  anonymous_rate_limit_per_minute: flag(
    'ANONYMOUS_RATE_LIMIT_PER_MINUTE',
    count,
    3,
    'Messages one anonymous user may send per minute.',
  ),
  anonymous_daily_message_limit_per_user: flag(
    'ANONYMOUS_DAILY_MESSAGE_LIMIT_PER_USER',
    count,
    20,
    'Messages one anonymous user may send per UTC day.',
  ),
  anonymous_daily_token_limit_per_user: flag(
    'ANONYMOUS_DAILY_TOKEN_LIMIT_PER_USER',
    count,
    20_000,
    'OpenAI tokens one anonymous user may use per UTC day.',
  ),
  anonymous_daily_cost_limit_usd_per_user: flag(
    'ANONYMOUS_DAILY_COST_LIMIT_USD_PER_USER',
    usd,
    0.05,
    'OpenAI cost (USD) one anonymous user may incur per UTC day.',
  ),
  screening_enabled: flag(
    'SCREENING_ENABLED',
    bool,
    true,
    'Screen every message with the moderation endpoint before the coach sees it.',
  ),
  self_harm_score_threshold: flag(
    'SELF_HARM_SCORE_THRESHOLD',
    z.number({ error: 'must be a number' }).min(0, 'must be at least 0').max(1, 'must be at most 1'),
    0.5,
    'Moderation self-harm score at or above which a message gets the crisis reply (intent and instructions always do).',
  ),
  disclosure_enabled: flag(
    'DISCLOSURE_ENABLED',
    bool,
    true,
    'Tell the user the coach is an AI on the first reply of a thread and again after 3 hours.',
  ),
  disclosure_in_response: flag(
    'DISCLOSURE_IN_RESPONSE',
    bool,
    false,
    'Also prefix the disclosure to `response`, for apps that show only that field.',
  ),
} as const;

/** The table's type: each key's environment variable name and zod schema, as literal types. */
export type FlagDefinitions = typeof FLAG_DEFINITIONS;

/** A key of the flags document. */
export type FlagKey = keyof FlagDefinitions;

/** Every key, in the table's order. */
export const FLAG_KEYS = Object.keys(FLAG_DEFINITIONS) as FlagKey[];

/** The flags in force: every key has a value. */
export type Flags = { readonly [K in FlagKey]: z.output<FlagDefinitions[K]['schema']> };

/** The zod schema of a flags document (snake_case, every key optional, unknown keys refused). */
export const FlagsDocument = z
  .strictObject(
    Object.fromEntries(
      FLAG_KEYS.map((key) => [
        key,
        FLAG_DEFINITIONS[key].schema.optional().describe(FLAG_DEFINITIONS[key].description),
      ]),
    ) as { [K in FlagKey]: z.ZodOptional<FlagDefinitions[K]['schema']> },
  )
  .describe('MiVia coach flags. Every key is optional: a missing key keeps its default.');

/** A parsed flags document: only the keys it gives. */
export type FlagsDocument = z.output<typeof FlagsDocument>;

/** The built-in defaults (what an empty environment yields). */
export const FLAG_DEFAULTS: Flags = Object.freeze(
  Object.fromEntries(FLAG_KEYS.map((key) => [key, FLAG_DEFINITIONS[key].default])) as Flags,
);

/** The outcome of reading a document: the keys it gives, or what is wrong with it (never its values). */
export type FlagsDocumentResult =
  | { readonly ok: true; readonly document: FlagsDocument }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Parses and validates a flags document's text. The problems name keys and rules only:
 * neither the text nor its values are repeated, so they are safe to log.
 */
export function parseFlagsDocument(text: string): FlagsDocumentResult {
  if (text.trim() === '') return { ok: false, problems: ['the document is empty'] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error: not repeated here.
    return { ok: false, problems: ['the document is not valid JSON'] };
  }
  const parsed = FlagsDocument.safeParse(json);
  if (parsed.success) return { ok: true, document: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key(s): ${issue.keys.join(', ')}`
        : `${issue.path.length > 0 ? issue.path.map(String).join('.') : 'the document'} ${issue.message}`,
    ),
  };
}

/** The flags in force when `document` is applied over `defaults`: given keys win, the others stay. */
export function applyFlagsDocument(defaults: Flags, document: FlagsDocument): Flags {
  return Object.freeze({ ...defaults, ...document });
}

/**
 * The JSON Schema of the flags document, for AppConfig's validator. Draft-04: the JSON
 * Schema draft AppConfig validates with.
 */
export function flagsJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(FlagsDocument, { target: 'draft-04' }) as Record<string, unknown>;
}

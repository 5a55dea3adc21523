/**
 * What OpenAI publishes about each model the coach may run: the reasoning efforts it accepts,
 * whether `temperature` applies, its price per token kind (with the day it took effect and
 * where it is published) and, for deprecated models, the shutdown date. One table, read by the
 * cost estimate (`pricing.ts`) and by the configuration checks at cold start (`loadConfig`) and
 * at synth (`lib/config.ts`), so a profile or an override the live API would refuse fails the
 * deployment instead of every turn.
 *
 * Prices change more often than code: operators replace or add entries with the
 * `COACH_MODEL_FACTS` variable (cdk context `modelFacts`), merged over this table; see
 * `docs/deploy.md`, "How to update prices".
 */
import * as z from 'zod';

/** Every `reasoning.effort` a current model accepts (`minimal` was GPT-5's; those models are shut down). */
export const REASONING_EFFORTS = ['none', 'low', 'medium', 'high', 'xhigh', 'max'] as const;
export const ReasoningEffort = z.enum(REASONING_EFFORTS);
export type ReasoningEffort = z.infer<typeof ReasoningEffort>;

/** The day every figure of the built-in table was last checked against OpenAI's pages. */
export const MODEL_FACTS_CHECKED_ON = '2026-12-01';
/** OpenAI bills a prompt-cache write at this multiple of the uncached input price. */
export const CACHE_WRITE_INPUT_MULTIPLIER = 1.25;
/** OpenAI's long-context rule: over 272K input tokens, 2× input and cache rates, 1.5× output, whole request. */
export const STANDARD_LONG_CONTEXT = {
  above_input_tokens: 272_000,
  input_multiplier: 2,
  output_multiplier: 1.5,
};

const isoDate = z.iso.date({ error: 'must be a date written YYYY-MM-DD' });
const usdPerMillion = z.number({ error: 'must be US dollars per 1M tokens' }).finite().nonnegative();
const modelId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, 'must be a lowercase OpenAI model id');
const roundPrice = (usd: number): number => Math.round(usd * 1e9) / 1e9;

const ModelPrice = z
  .strictObject({
    input: usdPerMillion,
    cached_input: usdPerMillion,
    /** Defaults to `CACHE_WRITE_INPUT_MULTIPLIER` × input, OpenAI's rule for every current model. */
    cache_write: usdPerMillion.optional(),
    output: usdPerMillion,
    effective_from: isoDate,
    source: z.url({ error: 'must be the URL the price is published at' }),
  })
  .transform((p) => ({
    ...p,
    cache_write: p.cache_write ?? roundPrice(p.input * CACHE_WRITE_INPUT_MULTIPLIER),
  }));

const LongContext = z.strictObject({
  above_input_tokens: z.int().positive(),
  input_multiplier: z.number().min(1),
  output_multiplier: z.number().min(1),
});

const ModelFact = z
  .strictObject({
    efforts: z.array(ReasoningEffort).min(1, 'must list at least one reasoning effort'),
    /** `with_effort_none`: OpenAI honours `temperature` only when reasoning effort is `none`. */
    temperature: z.enum(['with_effort_none', 'never']),
    price: ModelPrice,
    long_context: LongContext,
    /** The model page the efforts were read from. */
    source: z.url({ error: 'must be the URL of the model page' }),
  })
  .refine((f) => f.temperature === 'never' || f.efforts.includes('none'), {
    path: ['temperature'],
    error: "can only be 'with_effort_none' when the efforts include 'none'",
  });
export type ModelFact = z.output<typeof ModelFact>;
export type ModelPrice = ModelFact['price'];

const ModelShutdown = z.strictObject({
  shutdown_on: isoDate,
  replacement: modelId,
  source: z.url({ error: 'must be the URL the shutdown is announced at' }),
});
export type ModelShutdown = z.output<typeof ModelShutdown>;

/** The table: facts of the models that may run, and the models OpenAI shuts down (refused). */
export interface ModelFacts {
  readonly models: Readonly<Record<string, ModelFact>>;
  readonly shut_down: Readonly<Record<string, ModelShutdown>>;
}

/** An operator's entries: a known model's fields replace the built-in ones, a new model needs them all. */
const ModelFactsOverrideShape = z.strictObject(
  {
    models: z.record(modelId, z.strictObject(ModelFact.shape).partial()).optional(),
    shut_down: z.record(modelId, ModelShutdown).optional(),
  },
  {
    error: (issue) =>
      issue.code === 'invalid_type'
        ? 'must be a JSON object {"models": {...}, "shut_down": {...}}'
        : undefined,
  },
);
export type ModelFactsOverride = z.output<typeof ModelFactsOverrideShape>;

const page = (model: string) => `https://developers.openai.com/api/docs/models/${model}`;
const DEPRECATIONS = 'https://developers.openai.com/api/docs/deprecations';
const NONE_TO_MAX: readonly ReasoningEffort[] = REASONING_EFFORTS;
const LOW_TO_MAX: readonly ReasoningEffort[] = ['low', 'medium', 'high', 'xhigh', 'max'];

/** One row of the built-in table: model, efforts, USD per 1M tokens, the day the price took effect. */
type PublishedRow = readonly [
  model: string,
  efforts: readonly ReasoningEffort[],
  input: number,
  cached_input: number,
  cache_write: number,
  output: number,
  effective_from: string,
];

/**
 * As published on each model's page, checked on `MODEL_FACTS_CHECKED_ON`. `effective_from`
 * is the launch or the last price change. gpt-5.6-sol is at its list price: its page also
 * shows a promotion (4 / 0.40 / 20) said to run "at least until 2026-11-21".
 */
const PUBLISHED: readonly PublishedRow[] = [
  // model, efforts, then USD per 1M tokens: input, cached input, cache write, output; effective from
  ['gpt-6-astra', LOW_TO_MAX, 10, 1, 12.5, 50, '2026-09-03'],
  ['gpt-6-sol', NONE_TO_MAX, 2, 0.2, 2.5, 10, '2026-09-22'],
  ['gpt-6-luna', NONE_TO_MAX, 0.1, 0.01, 0.125, 0.5, '2026-09-22'],
  ['gpt-6.1-sol', LOW_TO_MAX, 2, 0.1, 2.5, 10, '2026-09-29'],
  ['gpt-6.1-terra', NONE_TO_MAX, 1, 0.05, 1.25, 5, '2026-10-26'],
  ['gpt-5.6-sol', NONE_TO_MAX, 5, 0.5, 6.25, 30, '2026-07-09'],
  ['gpt-5.6-terra', NONE_TO_MAX, 2, 0.2, 2.5, 12, '2026-07-30'],
  ['gpt-5.6-luna', NONE_TO_MAX, 0.2, 0.02, 0.25, 1.2, '2026-07-30'],
];

/** The table in code: `PUBLISHED` and OpenAI's announced shutdowns (deprecations page). */
export const BUILT_IN_MODEL_FACTS: ModelFacts = {
  models: Object.fromEntries(
    PUBLISHED.map(([model, efforts, input, cached_input, cache_write, output, effective_from]) => [
      model,
      {
        efforts: [...efforts],
        temperature: temperatureRuleOf(efforts),
        price: { input, cached_input, cache_write, output, effective_from, source: page(model) },
        long_context: STANDARD_LONG_CONTEXT,
        source: page(model),
      },
    ]),
  ),
  shut_down: {
    'gpt-5': { shutdown_on: '2026-12-11', replacement: 'gpt-6.1-sol', source: DEPRECATIONS },
    'gpt-5-mini': { shutdown_on: '2026-12-11', replacement: 'gpt-6.1-terra', source: DEPRECATIONS },
    'gpt-5-nano': { shutdown_on: '2026-12-11', replacement: 'gpt-6-luna', source: DEPRECATIONS },
  },
};

/**
 * The built-in table with an operator's entries merged over it, or the problems that stop
 * the merge (each `models.<id>.<field> message`).
 */
export function mergeModelFacts(
  override: ModelFactsOverride,
  base: ModelFacts = BUILT_IN_MODEL_FACTS,
): { readonly facts: ModelFacts; readonly problems: readonly string[] } {
  const models: Record<string, ModelFact> = { ...base.models };
  const problems: string[] = [];
  for (const [id, patch] of Object.entries(override.models ?? {})) {
    const known = base.models[id];
    const missing = known
      ? []
      : (['efforts', 'price'] as const).filter((field) => patch[field] === undefined);
    if (missing.length > 0) {
      for (const field of missing)
        problems.push(`models.${id}.${field} is required for a model not in the table`);
      continue;
    }
    // New efforts without a word on temperature: the rule follows the efforts.
    const efforts = patch.efforts ?? (known ? undefined : []);
    const merged = ModelFact.safeParse({
      long_context: STANDARD_LONG_CONTEXT,
      source: patch.price?.source,
      ...known,
      ...(efforts ? { temperature: temperatureRuleOf(efforts) } : {}),
      ...patch,
    });
    if (merged.success) models[id] = merged.data;
    else problems.push(...merged.error.issues.map((i) => issueText(['models', id, ...i.path], i.message)));
  }
  return { facts: { models, shut_down: { ...base.shut_down, ...override.shut_down } }, problems };
}

/** `COACH_MODEL_FACTS` / cdk context `modelFacts`: JSON text or an object, checked by merging it. */
export const ModelFactsOverride = z
  .preprocess((v) => (typeof v === 'string' ? parseJson(v) : v), ModelFactsOverrideShape)
  // A transform, not a refinement: it runs only once the entries themselves are valid.
  .transform((override, ctx) => {
    for (const message of mergeModelFacts(override).problems) ctx.addIssue({ code: 'custom', message });
    return override;
  });

/** `gpt-6.1-sol-2026-10-02` → `gpt-6.1-sol`: OpenAI reports the dated snapshot it ran. */
export function baseModelOf(model: string): string {
  return model
    .trim()
    .toLowerCase()
    .replace(/-\d{4}-\d{2}-\d{2}$/, '');
}

/** The entry of `table` for a model or its snapshot: the exact id first, then the base model. */
export function entryFor<T>(
  model: string,
  table: Readonly<Record<string, T>>,
): { id: string; entry: T } | null {
  for (const id of [model.trim().toLowerCase(), baseModelOf(model)]) {
    const entry = Object.hasOwn(table, id) ? table[id] : undefined;
    if (entry !== undefined) return { id, entry };
  }
  return null;
}

/** What a profile sends OpenAI that depends on the model. */
export interface CoachModelSettings {
  readonly model: string;
  readonly reasoning_effort: ReasoningEffort | null;
  readonly temperature: number | null;
}

/** Why OpenAI would refuse these settings, or silently drop part of them; empty when they fit. */
export function settingsProblems(settings: CoachModelSettings, facts: ModelFacts): string[] {
  const { model, reasoning_effort: effort, temperature } = settings;
  const shutdown = entryFor(model, facts.shut_down);
  if (shutdown) {
    const { shutdown_on, replacement } = shutdown.entry;
    return [`${model} is deprecated: OpenAI shuts it down on ${shutdown_on} (use ${replacement})`];
  }
  const known = entryFor(model, facts.models);
  if (!known) {
    return [
      `${model} is not in the model facts table (known: ${Object.keys(facts.models).join(', ')}); ` +
        'add its efforts and prices to COACH_MODEL_FACTS first',
    ];
  }
  const fact = known.entry;
  const problems: string[] = [];
  if (effort !== null && !fact.efforts.includes(effort)) {
    problems.push(
      `${model} does not accept reasoning effort '${effort}' (it accepts ${fact.efforts.join(', ')})`,
    );
  }
  if (temperature !== null && !(fact.temperature === 'with_effort_none' && effort === 'none')) {
    problems.push(
      fact.temperature === 'never'
        ? `${model} ignores temperature (it accepts no reasoning effort 'none')`
        : `${model} ignores temperature unless reasoning effort is 'none'`,
    );
  }
  return problems;
}

/**
 * GPT-6 and GPT-5.6 honour `temperature` only with effort `none`; without `none`, never.
 * OpenAI's deployment checklist: "When reasoning effort is not none, remove temperature,
 * top_p, and top_logprobs" (https://developers.openai.com/api/docs/guides/deployment-checklist).
 */
function temperatureRuleOf(efforts: readonly ReasoningEffort[]): ModelFact['temperature'] {
  return efforts.includes('none') ? 'with_effort_none' : 'never';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function issueText(path: readonly PropertyKey[], message: string): string {
  return `${path.map(String).join('.')} ${message}`;
}

/**
 * What a person in distress is answered with instead of the coach (docs/safety.md, "Crisis
 * protocol"): a short, supportive reply naming crisis services for their locale, and the
 * reply that stands in for a coach reply the screening refused. Also the one-sentence AI
 * disclosure. No wording here presents the coach as therapy or a therapist.
 */
import * as z from 'zod';

/** The crisis services of one locale: what the reply names, in order, and the emergency number. */
export interface CrisisResources {
  /** E.g. `call or text 988 (the Suicide & Crisis Lifeline)`. */
  readonly lines: readonly string[];
  /** The emergency number, e.g. `911`; null: "your local emergency number". */
  readonly emergency: string | null;
  /** The whole reply, for a locale whose users read another language; overrides the template. */
  readonly reply?: string | undefined;
}

/**
 * Resources by locale key: a full tag (`fr-CA`: language lower case, region upper case), a region
 * (`US`), a language (`fr`), or `*` (any other).
 */
export type CrisisResourceTable = Readonly<Record<string, CrisisResources>>;

/**
 * The built-in table. The operator extends or overrides it with `CRISIS_RESOURCES` (JSON of
 * the same shape, merged over this one by key).
 */
export const DEFAULT_CRISIS_RESOURCES: CrisisResourceTable = {
  '*': {
    lines: ['in the US, call or text 988 (the Suicide & Crisis Lifeline)', 'elsewhere, a local crisis line'],
    emergency: null,
  },
  US: { lines: ['call or text 988 (the Suicide & Crisis Lifeline)'], emergency: '911' },
  CA: { lines: ['call or text 988 (Suicide Crisis Helpline)'], emergency: '911' },
  GB: { lines: ['call Samaritans on 116 123'], emergency: '999' },
  IE: { lines: ['call Samaritans on 116 123'], emergency: '112' },
  AU: { lines: ['call Lifeline on 13 11 14'], emergency: '000' },
  NZ: { lines: ['call or text 1737'], emergency: '111' },
};

const CrisisResourcesSchema = z
  .object({
    lines: z.array(z.string().trim().min(1).max(200)).min(1).max(5),
    emergency: z.string().trim().min(1).max(20).nullable(),
    reply: z.string().trim().min(1).max(2000).optional(),
  })
  .strict();

const TableSchema = z.record(z.string().trim().min(1).max(35), CrisisResourcesSchema);

/**
 * The table in force: the built-in one with `CRISIS_RESOURCES` (JSON, keys as above) merged
 * over it. A value that does not parse is refused as a whole, with the reason, so a typo never
 * leaves a locale without resources.
 */
export function crisisResourcesFrom(json: string | undefined): {
  readonly table: CrisisResourceTable;
  readonly problem: string | null;
} {
  if (!json?.trim()) return { table: DEFAULT_CRISIS_RESOURCES, problem: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { table: DEFAULT_CRISIS_RESOURCES, problem: 'CRISIS_RESOURCES is not JSON' };
  }
  const result = TableSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    return {
      table: DEFAULT_CRISIS_RESOURCES,
      problem: `CRISIS_RESOURCES: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`,
    };
  }
  return { table: { ...DEFAULT_CRISIS_RESOURCES, ...result.data }, problem: null };
}

/**
 * The locale a turn's resources are chosen by: the request's `locale`, else the first tag of
 * `Accept-Language`; null when neither names one.
 */
export function turnLocale(
  requestLocale: string | null | undefined,
  acceptLanguage: string | undefined,
): string | null {
  const tag = requestLocale ?? acceptLanguage?.split(',')[0]?.split(';')[0]?.trim();
  if (!tag || tag === '*' || !/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(tag)) return null;
  const [language, ...rest] = tag.replace(/_/g, '-').split('-');
  const region = rest.find((part) => /^([A-Za-z]{2}|\d{3})$/.test(part));
  return region ? `${language?.toLowerCase()}-${region.toUpperCase()}` : (language?.toLowerCase() ?? null);
}

/** The resources of a locale: its full tag, its region, its language, else `*`. */
export function resourcesFor(table: CrisisResourceTable, locale: string | null): CrisisResources {
  const [language, region] = (locale ?? '').split('-');
  const found =
    (locale ? table[locale] : undefined) ??
    (region ? table[region] : undefined) ??
    (language ? table[language] : undefined) ??
    table['*'] ??
    DEFAULT_CRISIS_RESOURCES['*'];
  return found as CrisisResources;
}

/** The crisis reply: support first, the crisis services of the locale, the emergency number, someone to be with. */
export function crisisReply(resources: CrisisResources, toName = ''): string {
  if (resources.reply) return resources.reply;
  const emergency = resources.emergency ?? 'your local emergency number';
  return `I'm really sorry you're going through this${toName}, and I'm glad you told me. I'm an AI coach and can't help in an emergency, but you don't have to face this alone: please reach out to people who can help right now — ${resources.lines.join('; ')}. If you are in immediate danger, call ${emergency}. Is there someone you trust who could be with you or talk with you today?`;
}

/**
 * What stands in for a coach reply the screening refused: the crisis reply when the reply
 * touched on self-harm, otherwise a short, neutral note that keeps the conversation going.
 */
export function replacementReply(resources: CrisisResources, selfHarm: boolean): string {
  if (selfHarm) return crisisReply(resources);
  return "I'm sorry, I can't help with that in the way I tried to. Could you tell me a little more about what you need right now, so we can look at a next step together?";
}

/** The AI disclosure: one sentence, shown on a thread's first reply and again after `DISCLOSURE_INTERVAL_MS`. */
export const AI_DISCLOSURE =
  "You're chatting with MiVia's AI wellness coach: an AI, not a person or a medical professional.";

/** How often a running conversation repeats the disclosure (New York GBL Art. 47: at least every 3 hours). */
export const DISCLOSURE_INTERVAL_MS = 3 * 60 * 60 * 1000;

/** The `model_used` of a crisis reply: no model wrote it. */
export const SAFETY_REPLY_MODEL = 'mivia-safety-reply';

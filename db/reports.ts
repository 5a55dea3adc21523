/**
 * The operators' reports: SQL functions for the service role (`db/functions/coach_report_*.sql`),
 * each over a range of UTC days, read together in one read-only transaction so the four agree.
 * `npm run report` prints them (scripts/report.ts).
 */
import type { SqlExecutor } from './executor';

/** The report functions, each `public.<name>(jsonb) → jsonb`, callable by service_role only. */
export const REPORT_FUNCTIONS = [
  'coach_report_variants',
  'coach_report_cohorts',
  'coach_report_users',
  'coach_report_safety',
] as const;

/** One day of one variant: the A/B comparison (`coach_report_variants`). */
export interface VariantDay {
  readonly day: string;
  readonly variant: string;
  readonly messages: number;
  readonly avg_response_ms: number | null;
  readonly p90_response_ms: number | null;
  readonly fallbacks: number;
  readonly fallback_rate: number | null;
  readonly rated: number;
  readonly thumbs_up: number;
  readonly thumbs_up_rate: number | null;
  readonly tokens: number;
  readonly cost_usd: number;
}

/** The same per cohort (`coach_report_cohorts`). */
export interface CohortDay extends VariantDay {
  readonly cohort: string;
}

/** One user's OpenAI usage on one day; `user_id` null for usage whose user was erased. */
export interface UserDay {
  readonly day: string;
  readonly user_id: string | null;
  readonly responses: number;
  readonly tokens: number;
  readonly cost_usd: number;
}

/** How many safety events of one kind were recorded on one day. */
export interface SafetyDay {
  readonly day: string;
  readonly source: string;
  readonly category: string;
  readonly action: string;
  readonly events: number;
}

export interface Reports {
  readonly from: string;
  readonly to: string;
  readonly variants: readonly VariantDay[];
  readonly cohorts: readonly CohortDay[];
  readonly users: readonly UserDay[];
  readonly safety: readonly SafetyDay[];
}

/** A range the functions refused (400 `validation_failed`), with their message. */
export class ReportRangeError extends Error {
  override readonly name = 'ReportRangeError';
}

interface ReportAnswer {
  readonly from?: string;
  readonly to?: string;
  readonly rows?: unknown[];
  readonly error?: { readonly message: string };
}

/** The UTC days `[today - days + 1, today]`: the last `days` days, today included. */
export function lastDays(days: number, now: Date = new Date()): { from: string; to: string } {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(Date.parse(to) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}

/**
 * Reads the four reports of `[from, to]` through `executor` (one session), inside a read-only
 * transaction that is rolled back: a report never writes, whatever database it reads.
 */
export async function readReports(
  executor: SqlExecutor,
  range: { readonly from: string; readonly to: string },
): Promise<Reports> {
  const answers: ReportAnswer[] = [];
  await executor.exec('begin transaction read only');
  try {
    for (const name of REPORT_FUNCTIONS) {
      const rows = await executor.query<{ answer: ReportAnswer }>(
        `select public.${name}($1::jsonb) as answer`,
        [JSON.stringify(range)],
      );
      const answer = rows[0]?.answer;
      if (!answer) throw new Error(`${name} returned nothing`);
      if (answer.error) throw new ReportRangeError(answer.error.message);
      answers.push(answer);
    }
  } finally {
    await executor.exec('rollback');
  }
  const [variants, cohorts, users, safety] = answers.map((a) => a.rows ?? []);
  return {
    from: answers[0]?.from ?? range.from,
    to: answers[0]?.to ?? range.to,
    variants: variants as VariantDay[],
    cohorts: cohorts as CohortDay[],
    users: users as UserDay[],
    safety: safety as SafetyDay[],
  };
}

/**
 * Hand-written report fixtures: a backend reply (its run, AI row, feedback, usage and crisis
 * event, as the chat turn stores them), a usage log and a safety event, each at a given time.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';

export interface ReplyFixture {
  readonly user: string;
  /** journal_ai_chats.created_at (a timestamp without time zone in the baseline, read as UTC). */
  readonly at: string;
  readonly variant: 'openai' | 'simulated';
  readonly fallback?: boolean;
  readonly ms: number;
  readonly cohort: string | null;
  readonly rating?: 'up' | 'down';
  readonly usage?: { readonly tokens: number; readonly cost: string; readonly at: string };
  /** A crisis reply: the run's safety event of source user_message, action crisis_reply. */
  readonly crisis?: boolean;
}

export async function insertUsage(
  pool: pg.Pool,
  usage: { user: string | null; run: string | null; tokens: number; cost: string; at: string },
): Promise<void> {
  await pool.query(
    `insert into public.openai_usage_logs
       (user_id, thread_id, prompt_tokens, completion_tokens, total_tokens, model_used, cost_estimate, run_id, variant, created_at)
     values ($1, 'conv_report', $2, 0, $2, 'gpt-6-luna', $3, $4, 'openai', $5)`,
    [usage.user, usage.tokens, usage.cost, usage.run, usage.at],
  );
}

export async function insertSafetyEvent(
  pool: pg.Pool,
  event: { source: string; category: string; action: string; at: string; run: string | null },
): Promise<void> {
  await pool.query(
    `insert into public.safety_events (user_id, run_id, source, category, action, created_at)
     values (null, $1, $2, $3, $4, $5)`,
    [event.run, event.source, event.category, event.action, event.at],
  );
}

export async function insertReply(pool: pg.Pool, r: ReplyFixture): Promise<void> {
  const run = randomUUID();
  await pool.query(
    `insert into public.chat_runs (id, user_id, client_message_id, status, assistant_type, cohort)
     values ($1, $2, $3, 'completed', 'general_coach', $4)`,
    [run, r.user, randomUUID(), r.cohort],
  );
  const { rows } = await pool.query<{ id: string }>(
    `insert into public.journal_ai_chats (user_id, message, response, message_type, created_at, variant, fallback, response_time_ms, run_id, cohort)
     values ($1, 'hello', 'a reply', 'ai', $2, $3, $4, $5, $6, $7) returning id`,
    [r.user, r.at, r.variant, r.fallback ?? false, r.ms, run, r.cohort],
  );
  const message = rows[0]!.id;
  await pool.query(`update public.chat_runs set ai_message_id = $1 where id = $2`, [message, run]);
  if (r.rating) {
    await pool.query(`insert into public.chat_feedback (user_id, message_id, rating) values ($1, $2, $3)`, [
      r.user,
      message,
      r.rating,
    ]);
  }
  if (r.usage) await insertUsage(pool, { user: r.user, run, ...r.usage });
  if (r.crisis) {
    await insertSafetyEvent(pool, {
      source: 'user_message',
      category: 'self-harm/intent',
      action: 'crisis_reply',
      at: `${r.at}Z`,
      run,
    });
  }
}

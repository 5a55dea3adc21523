/**
 * What the fault suite asserts after every fault: the user's exchange as the database holds
 * it (both rows or neither, the run's state consistent with its rows) and what was charged
 * (responses created at OpenAI for the message, usage rows per run).
 */
import { expect } from '@jest/globals';
import type pg from 'pg';
import type { OpenAIFake } from '../../support/openai-fake';

export interface ExchangeRows {
  readonly chats: ReadonlyArray<{
    readonly message_type: string;
    readonly variant: string | null;
    readonly fallback: boolean;
    readonly run_id: string | null;
  }>;
  readonly runs: ReadonlyArray<{
    readonly id: string;
    readonly status: string;
    readonly failure_code: string | null;
  }>;
  readonly usage: ReadonlyArray<{
    readonly run_id: string | null;
    readonly openai_response_id: string | null;
  }>;
}

export async function exchangeRows(pool: pg.Pool, userId: string): Promise<ExchangeRows> {
  const [chats, runs, usage] = await Promise.all([
    pool.query(
      `select message_type, variant, fallback, run_id from public.journal_ai_chats where user_id = $1 order by created_at`,
      [userId],
    ),
    pool.query(`select id, status, failure_code from public.chat_runs where user_id = $1`, [userId]),
    pool.query(`select run_id, openai_response_id from public.openai_usage_logs where user_id = $1`, [
      userId,
    ]),
  ]);
  return { chats: chats.rows, runs: runs.rows, usage: usage.rows } as ExchangeRows;
}

/**
 * No half-written exchange: every chat row belongs to a run; a completed or failed run has
 * its user row and its AI row (the answer or the stored fallback), a pending one and a claim
 * still in flight only the user row (the claim stores it); at most one usage row per run, and
 * only for an answer OpenAI wrote.
 */
export function expectConsistent(rows: ExchangeRows): void {
  const runIds = new Set(rows.runs.map((r) => r.id));
  expect(rows.chats.filter((c) => c.run_id === null || !runIds.has(c.run_id))).toEqual([]);
  for (const run of rows.runs) {
    const kinds = rows.chats
      .filter((c) => c.run_id === run.id)
      .map((c) => c.message_type)
      .sort();
    const ai = rows.chats.find((c) => c.run_id === run.id && c.message_type === 'ai');
    // A failed run keeps the user's message, with the stored fallback when there is one.
    const expected =
      run.status === 'in_flight' || run.status === 'pending' || (run.status !== 'completed' && !ai?.fallback)
        ? ['user']
        : ['ai', 'user'];
    expect({ status: run.status, rows: kinds }).toEqual({ status: run.status, rows: expected });
    const usage = rows.usage.filter((u) => u.run_id === run.id);
    expect(usage).toHaveLength(ai?.variant === 'openai' ? 1 : 0);
  }
}

/** How many responses OpenAI created (and would bill) for the requests seen since the last reset. */
export const acceptedResponses = (fake: OpenAIFake): number => fake.responses.size;

/**
 * After a load run: every accepted message accounted for in the database. A 200 is lost
 * unless its user row and its AI row are stored (under the ids the reply gave); a 202 is lost
 * unless its run exists, is pending or finished, and has the user row (and the AI row once
 * completed). A duplicate is a client_message_id stored twice, or a run with two rows of one
 * kind. Rows stored for a message that was not accepted (e.g. a 503) are reported too.
 */
import type pg from 'pg';
import type { BenchUser, SentMessage } from './harness';

export interface Account {
  readonly accepted: number;
  readonly replied: number;
  readonly pending: number;
  readonly lost: readonly string[];
  readonly duplicated: readonly string[];
  readonly unaccepted: readonly string[];
  readonly userRows: number;
  readonly aiRows: number;
  readonly runs: number;
  readonly runStates: string;
}

interface ChatRow {
  readonly id: string;
  readonly message_type: string;
  readonly client_message_id: string | null;
  readonly run_id: string | null;
}

export async function accountFor(
  pool: pg.Pool,
  users: readonly BenchUser[],
  sent: readonly SentMessage[],
): Promise<Account> {
  const ids = users.map((u) => u.id);
  const chats = (
    await pool.query<ChatRow>(
      `select id, message_type, client_message_id, run_id from public.journal_ai_chats where user_id = any($1::uuid[])`,
      [ids],
    )
  ).rows;
  const runs = (
    await pool.query<{ id: string; status: string; client_message_id: string }>(
      `select id, status, client_message_id from public.chat_runs where user_id = any($1::uuid[])`,
      [ids],
    )
  ).rows;
  const byId = new Map(chats.map((c) => [c.id, c]));
  const runById = new Map(runs.map((r) => [r.id, r]));
  const rowsOfRun = (runId: string, type: string) =>
    chats.filter((c) => c.run_id === runId && c.message_type === type);

  const lost: string[] = [];
  const acceptedKeys = new Set<string>();
  for (const m of sent) {
    const key = m.clientMessageId ?? '(no key)';
    if (m.status === 200) {
      acceptedKeys.add(key);
      const user = byId.get(String(m.body.user_message_id));
      const ai = byId.get(String(m.body.message_id));
      if (user?.message_type !== 'user' || user.client_message_id !== m.clientMessageId)
        lost.push(`200 ${key}: no user row`);
      if (ai?.message_type !== 'ai') lost.push(`200 ${key}: no AI row`);
    } else if (m.status === 202) {
      acceptedKeys.add(key);
      const runId = String(m.body.run_id);
      const run = runById.get(runId);
      if (!run || run.status === 'in_flight') lost.push(`202 ${key}: no pending or finished run`);
      else if (rowsOfRun(runId, 'user').length !== 1) lost.push(`202 ${key}: no user row`);
      else if (run.status === 'completed' && rowsOfRun(runId, 'ai').length !== 1)
        lost.push(`202 ${key}: completed without its AI row`);
    }
  }

  const duplicated: string[] = [];
  const seen = new Map<string, number>();
  for (const c of chats) {
    if (c.message_type !== 'user' || !c.client_message_id) continue;
    seen.set(c.client_message_id, (seen.get(c.client_message_id) ?? 0) + 1);
  }
  for (const [key, n] of seen) if (n > 1) duplicated.push(`client_message_id ${key} stored ${n} times`);
  for (const run of runs) {
    for (const type of ['user', 'ai']) {
      const n = rowsOfRun(run.id, type).length;
      if (n > 1) duplicated.push(`run ${run.id}: ${n} ${type} rows`);
    }
  }
  const unaccepted = [...seen.keys()]
    .filter((key) => !acceptedKeys.has(key))
    .map((key) => `rows stored for ${key}, which was not accepted`);

  const states = new Map<string, number>();
  for (const run of runs) states.set(run.status, (states.get(run.status) ?? 0) + 1);
  return {
    accepted: sent.filter((m) => m.status === 200 || m.status === 202).length,
    replied: sent.filter((m) => m.status === 200).length,
    pending: sent.filter((m) => m.status === 202).length,
    lost,
    duplicated,
    unaccepted,
    userRows: chats.filter((c) => c.message_type === 'user').length,
    aiRows: chats.filter((c) => c.message_type === 'ai').length,
    runs: runs.length,
    runStates: [...states].map(([s, n]) => `${s} ${n}`).join(', ') || 'none',
  };
}

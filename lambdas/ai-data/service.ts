/**
 * The ai-data routes, independent of Lambda: the export, the start of an erasure (run for a
 * few seconds in the request, then handed to the erasure state machine) and an erasure's
 * state. docs/safety.md says what each covers.
 */
import { appError } from '../shared/errors';
import { CLAIM_TTL_SECONDS } from '../shared/contract/timing';
import { runErasure, type ErasureDeps } from './erasure';
import type { AiDataStore, ErasureStarter } from './ports';
import type { AiDataErasure, AiDataExport } from '../shared/contract/ai-data';

/** How long a delete request erases before it answers 202 and the state machine goes on. */
export const ERASURE_SYNC_BUDGET_MS = 8_000;

/** What the ai-data routes need: the erasure's dependencies and the state machine's starter. */
export interface AiDataDeps extends ErasureDeps {
  readonly store: AiDataStore;
  /** Null only where no state machine is configured: an erasure that needs one then fails at once. */
  readonly erasures: ErasureStarter | null;
  /** How long a delete request erases before it hands over (default `ERASURE_SYNC_BUDGET_MS`). */
  readonly erasureSyncBudgetMs?: number;
}

/** A delete's answer: 200 when the erasure finished within the request, else 202. */
export type ErasureOutcome =
  | { readonly status: 200; readonly body: AiDataErasure }
  | { readonly status: 202; readonly body: AiDataErasure };

/** `export`: the caller's AI data (409 `erasure_in_progress` while an erasure runs). */
export function exportAiData(
  deps: Pick<AiDataDeps, 'store'>,
  userId: string,
  signal?: AbortSignal,
): Promise<AiDataExport> {
  return deps.store.exportAiData({ user_id: userId }, { signal });
}

/**
 * `delete`: starts (or resumes, or finds) the user's erasure. The rows here are taken at
 * once; the OpenAI part runs for up to `erasureSyncBudgetMs` here: 200 if it completed, else 202
 * and the state machine runs it to the end (retrying with backoff what fails meanwhile).
 * If the state machine cannot be started, the erasure is marked failed and the answer is
 * 503 `erasure_unavailable`: a new delete request resumes it.
 */
export async function requestErasure(
  deps: AiDataDeps,
  input: { readonly userId: string; readonly signal?: AbortSignal },
): Promise<ErasureOutcome> {
  const { userId, signal } = input;
  const begun = await deps.store.beginErasure(
    { user_id: userId, claim_ttl_seconds: CLAIM_TTL_SECONDS },
    { signal },
  );
  const erasureId = begun.erasure.erasure_id;
  if (!begun.start) return answer(begun.erasure);

  // OpenAI failing here is not the request's failure: the state machine retries it.
  const outcome = await runErasure(deps, erasureId, {
    budgetMs: deps.erasureSyncBudgetMs ?? ERASURE_SYNC_BUDGET_MS,
    signal,
  }).catch(() => 'more' as const);
  if (outcome !== 'completed' && outcome !== 'failed') {
    try {
      if (!deps.erasures) throw new Error('no erasure state machine is configured');
      await deps.erasures.start({ erasure_id: erasureId, attempt: begun.attempt });
    } catch (error) {
      await deps.store.failErasure({ erasure_id: erasureId, failure_code: 'not_started' });
      throw appError('erasure_unavailable', { cause: error, retryAfterSeconds: 30 });
    }
  }
  const state = await deps.store.getErasure({ erasure_id: erasureId, user_id: userId });
  if (!state) throw new Error(`erasure ${erasureId} vanished`);
  return answer(state);
}

function answer(erasure: AiDataErasure): ErasureOutcome {
  return erasure.status === 'pending' ? { status: 202, body: erasure } : { status: 200, body: erasure };
}

/** An erasure as its owner sees it: 404 `erasure_not_found` if unknown or someone else's. */
export async function getErasure(
  deps: Pick<AiDataDeps, 'store'>,
  input: { readonly userId: string; readonly erasureId: string; readonly signal?: AbortSignal },
): Promise<AiDataErasure> {
  const state = await deps.store.getErasure(
    { erasure_id: input.erasureId, user_id: input.userId },
    { signal: input.signal },
  );
  if (!state) throw appError('erasure_not_found');
  return state;
}

/**
 * Erasing a user's AI data at OpenAI, step by step, from the erasure's work list in the
 * database (`coach_erasure_step`): each round trip records what the previous batch did and
 * returns the next batch; each batch is deleted at OpenAI a few calls at a time until the
 * time budget is spent. Every task is safe to repeat (OpenAI answers 404 for what is gone,
 * and that counts as deleted), so a step that stops anywhere, or runs twice, loses nothing
 * and deletes nothing twice that matters. The request's handler runs it for a few seconds;
 * the erasure state machine (lib/erasure.ts) runs it to the end.
 */
import { CLAIM_TTL_SECONDS } from '../shared/contract/timing';
import type { AiDataStore, ErasureProgress, ErasureStepState, ErasureTask, OpenAIDataEraser } from './ports';

/** Tasks per round trip. */
export const ERASURE_BATCH_SIZE = 50;
/** OpenAI calls at a time. */
export const ERASURE_CONCURRENCY = 4;
/** Items per listing page (OpenAI's maximum). */
export const ERASURE_PAGE_SIZE = 100;
/** Pages one listing task reads before handing the cursor back. */
export const LIST_PAGES_PER_TASK = 5;
/**
 * Final listings of a conversation that may still find items (new output of a response that
 * was still running, an item whose deletion did not take) before the step gives up on it.
 */
export const MAX_CONVERSATION_RECHECKS = 5;

/** Why a step could not go on; the state machine retries it with backoff, then marks the erasure failed. */
export class ErasureStepError extends Error {
  constructor(
    readonly kind: 'openai_not_configured' | 'openai_failed' | 'conversation_not_emptied',
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ErasureStepError';
  }
}

/** What an erasure step needs: the store's erasure functions and the OpenAI eraser. */
export interface ErasureDeps {
  readonly store: AiDataStore;
  /** Null when no OpenAI key is configured: an erasure with OpenAI ids to delete cannot go on. */
  readonly eraser: OpenAIDataEraser | null;
  readonly now?: () => number;
}

/** Budgets and sizes of one run. */
export interface ErasureRunOptions {
  /** Stop starting OpenAI calls after this long; what was done is recorded. */
  readonly budgetMs: number;
  readonly signal?: AbortSignal;
  readonly batchSize?: number;
  readonly concurrency?: number;
  readonly pageSize?: number;
}

/**
 * How a run ended: `completed` (nothing remains), `failed` (marked failed, e.g. by the state
 * machine), `waiting` (a turn of the user is still being answered; try again in a few
 * seconds), `more` (the budget ran out with work left), `unknown` (no such erasure).
 */
export type ErasureRunOutcome = 'completed' | 'failed' | 'waiting' | 'more' | 'unknown';

const NOTHING: ErasureProgress = { done: [], listed: [], rechecked: [] };

/** A batch's progress as its tasks add to it. */
interface ProgressLog {
  readonly done: Array<ErasureProgress['done'][number]>;
  readonly listed: Array<ErasureProgress['listed'][number]>;
  readonly rechecked: Array<ErasureProgress['rechecked'][number]>;
}

/** Runs an erasure until it is done, must wait, or `budgetMs` is spent. Throws `ErasureStepError` or a store fault. */
export async function runErasure(
  deps: ErasureDeps,
  erasureId: string,
  options: ErasureRunOptions,
): Promise<ErasureRunOutcome> {
  const now = deps.now ?? Date.now;
  const deadline = now() + options.budgetMs;
  const step = (progress: ErasureProgress) =>
    deps.store.erasureStep(
      {
        erasure_id: erasureId,
        claim_ttl_seconds: CLAIM_TTL_SECONDS,
        limit: options.batchSize ?? ERASURE_BATCH_SIZE,
        ...progress,
      },
      { signal: options.signal },
    );

  let state = await step(NOTHING);
  for (;;) {
    if (!state) return 'unknown';
    const outcome = outcomeOf(state);
    if (outcome) return outcome;
    // A pending erasure with an empty batch cannot happen (coach_erasure_step completes one
    // with nothing left); if it ever did, handing back beats spinning until the deadline.
    if (now() >= deadline || options.signal?.aborted || state.work.length === 0) return 'more';
    if (!deps.eraser) {
      throw new ErasureStepError(
        'openai_not_configured',
        'OpenAI data remains to be deleted, but no OpenAI key is configured',
      );
    }
    const batch = await runBatch(deps.eraser, state.work, {
      ...options,
      deadline,
      now,
    });
    // Recorded even when the batch failed part-way: nothing done is done again.
    state = await step(batch.progress);
    if (batch.failure !== undefined) throw batch.failure;
  }
}

function outcomeOf(state: ErasureStepState): ErasureRunOutcome | null {
  if (state.status === 'completed') return 'completed';
  if (state.status === 'failed') return 'failed';
  if (state.phase === 'collecting') return 'waiting';
  return null;
}

interface BatchOptions extends ErasureRunOptions {
  readonly deadline: number;
  readonly now: () => number;
}

interface BatchResult {
  readonly progress: ErasureProgress;
  /** The first failure; the tasks started before it still finished. */
  readonly failure?: Error;
}

/** Runs the batch's tasks a few at a time; stops starting new ones at the first failure or the deadline. */
async function runBatch(
  openai: OpenAIDataEraser,
  work: readonly ErasureTask[],
  options: BatchOptions,
): Promise<BatchResult> {
  const progress: ProgressLog = { done: [], listed: [], rechecked: [] };
  let failure: Error | undefined;
  let next = 0;
  const worker = async () => {
    while (failure === undefined && next < work.length && options.now() < options.deadline) {
      const task = work[next++] as ErasureTask;
      if (options.signal?.aborted) return;
      try {
        await runTask(openai, task, progress, options);
      } catch (error) {
        failure ??= asStepError(error);
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? ERASURE_CONCURRENCY, work.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return failure === undefined ? { progress } : { progress, failure };
}

function asStepError(error: unknown): Error {
  if (error instanceof ErasureStepError) return error;
  return new ErasureStepError('openai_failed', 'An OpenAI call of the erasure failed', { cause: error });
}

async function runTask(
  openai: OpenAIDataEraser,
  task: ErasureTask,
  progress: ProgressLog,
  options: BatchOptions,
): Promise<void> {
  const call = { signal: options.signal };
  const pageSize = options.pageSize ?? ERASURE_PAGE_SIZE;
  switch (task.kind) {
    case 'response':
      await openai.deleteResponse(task.id, call);
      progress.done.push({ kind: 'response', id: task.id });
      return;
    case 'item':
      await openai.deleteItem(task.conversation_id, task.id, call);
      progress.done.push({ kind: 'item', id: task.id });
      return;
    case 'list': {
      const found: string[] = [];
      let after = task.after;
      for (let page = 0; page < LIST_PAGES_PER_TASK; page++) {
        const listed = await openai.listItems(task.conversation_id, { after, limit: pageSize }, call);
        if (!listed) {
          // The conversation is gone: nothing of it can be reached any more.
          progress.listed.push({
            conversation_id: task.conversation_id,
            item_ids: found,
            after,
            complete: true,
          });
          progress.done.push({ kind: 'conversation', id: task.conversation_id });
          return;
        }
        found.push(...listed.ids);
        after = listed.lastId ?? after;
        if (!listed.hasMore) {
          progress.listed.push({
            conversation_id: task.conversation_id,
            item_ids: found,
            after,
            complete: true,
          });
          return;
        }
      }
      progress.listed.push({
        conversation_id: task.conversation_id,
        item_ids: found,
        after,
        complete: false,
      });
      return;
    }
    case 'conversation': {
      if (task.rechecks >= MAX_CONVERSATION_RECHECKS) {
        throw new ErasureStepError(
          'conversation_not_emptied',
          `Conversation ${task.id} still had items after ${task.rechecks} rounds of deletion`,
        );
      }
      // Deleting a conversation leaves its items stored: only an empty one is deleted.
      const left = await openai.listItems(task.id, { after: null, limit: pageSize }, call);
      if (left && left.ids.length > 0) {
        progress.rechecked.push({ conversation_id: task.id, item_ids: left.ids });
        return;
      }
      if (left) await openai.deleteConversation(task.id, call);
      progress.done.push({ kind: 'conversation', id: task.id });
      return;
    }
  }
}

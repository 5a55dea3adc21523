/**
 * The ai-data feature's ports: its database functions (`store.ts` binds them), what it
 * deletes at OpenAI (`openai.ts` is the adapter) and how a long erasure is handed to the
 * erasure state machine (Step Functions in AWS, the same definition run locally).
 */
import type { StoreCallOptions } from '../shared/store/transport';
import type { AiDataErasure, AiDataExport } from '../shared/contract/ai-data';

/** What `coach_begin_erasure` answers: the erasure, and whether an execution must be started. */
export interface BegunErasure {
  readonly erasure: AiDataErasure;
  /** The erasure's attempt number: names the execution, so a resumed erasure gets a new one. */
  readonly attempt: number;
  /** False when an execution is already running this erasure. */
  readonly start: boolean;
}

/** One task of an erasure step, in the order `coach_erasure_step` returns them. */
export type ErasureTask =
  | { readonly kind: 'response'; readonly id: string }
  | { readonly kind: 'list'; readonly conversation_id: string; readonly after: string | null }
  | { readonly kind: 'item'; readonly id: string; readonly conversation_id: string }
  | { readonly kind: 'conversation'; readonly id: string; readonly rechecks: number };

/** What a batch did, recorded by the next `coach_erasure_step` call. */
export interface ErasureProgress {
  /** Deleted at OpenAI, or not found there (the same thing). */
  readonly done: ReadonlyArray<{ readonly kind: 'response' | 'item' | 'conversation'; readonly id: string }>;
  /** Items found by listing a conversation's pages; `after` is the cursor to go on from. */
  readonly listed: ReadonlyArray<{
    readonly conversation_id: string;
    readonly item_ids: readonly string[];
    readonly after: string | null;
    readonly complete: boolean;
  }>;
  /** Items a final listing still found in a conversation that was to be deleted. */
  readonly rechecked: ReadonlyArray<{
    readonly conversation_id: string;
    readonly item_ids: readonly string[];
  }>;
}

/** `coach_erasure_step`'s input: the previous batch's progress and the size of the next. */
export interface ErasureStepInput extends ErasureProgress {
  readonly erasure_id: string;
  readonly claim_ttl_seconds: number;
  readonly limit: number;
}

/** What `coach_erasure_step` answers; `phase: 'collecting'` means a turn is still being answered. */
export interface ErasureStepState {
  readonly erasure_id: string;
  readonly status: AiDataErasure['status'];
  readonly phase: 'collecting' | 'erasing' | 'done';
  readonly work: readonly ErasureTask[];
}

/** The ai-data feature's database functions. */
export interface AiDataStore {
  /** Everything of the user's AI data; 409 `erasure_in_progress` while an erasure runs. */
  exportAiData(input: { readonly user_id: string }, options?: StoreCallOptions): Promise<AiDataExport>;
  beginErasure(
    input: { readonly user_id: string; readonly claim_ttl_seconds: number },
    options?: StoreCallOptions,
  ): Promise<BegunErasure>;
  /** Null if the erasure does not exist. */
  erasureStep(input: ErasureStepInput, options?: StoreCallOptions): Promise<ErasureStepState | null>;
  /** The erasure as its owner sees it; null if unknown or someone else's. */
  getErasure(
    input: { readonly erasure_id: string; readonly user_id: string },
    options?: StoreCallOptions,
  ): Promise<AiDataErasure | null>;
  /** Marks a pending erasure failed; null if unknown. */
  failErasure(
    input: { readonly erasure_id: string; readonly failure_code: string },
    options?: StoreCallOptions,
  ): Promise<AiDataErasure | null>;
}

/** Calls that delete a user's data at OpenAI. A thing OpenAI does not know (404) counts as deleted. */
export interface OpenAIDataEraser {
  deleteResponse(id: string, options?: { readonly signal?: AbortSignal }): Promise<void>;
  /**
   * One page of a conversation's items, oldest first, after the cursor; null when the
   * conversation does not exist (any more).
   */
  listItems(
    conversationId: string,
    page: { readonly after: string | null; readonly limit: number },
    options?: { readonly signal?: AbortSignal },
  ): Promise<{
    readonly ids: readonly string[];
    readonly hasMore: boolean;
    readonly lastId: string | null;
  } | null>;
  deleteItem(
    conversationId: string,
    itemId: string,
    options?: { readonly signal?: AbortSignal },
  ): Promise<void>;
  deleteConversation(id: string, options?: { readonly signal?: AbortSignal }): Promise<void>;
}

/** Starts the erasure state machine for one attempt of an erasure. */
export interface ErasureStarter {
  start(input: { readonly erasure_id: string; readonly attempt: number }): Promise<void>;
}

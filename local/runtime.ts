/**
 * Every feature's dependencies at once, for the local API, the tests and the benchmarks: one
 * store that implements every feature's port over one transport, one model, one poller
 * starter, one policy. Each Lambda composes only what its own handler uses instead
 * (`lambdas/<feature>/handler.ts`); any handler factory accepts this aggregate too.
 */
import type { ErasureStarter, OpenAIDataEraser, AiDataStore } from '../lambdas/ai-data/ports';
import { aiDataStore } from '../lambdas/ai-data/store';
import type { TurnStore } from '../lambdas/chat/ports';
import { turnStore } from '../lambdas/chat/store';
import { contextStore, type ContextStore } from '../lambdas/context/store';
import { feedbackStore, type FeedbackStore } from '../lambdas/feedback/store';
import type { PollStore } from '../lambdas/poller/ports';
import { pollStore } from '../lambdas/poller/store';
import { runReader, type RunReader } from '../lambdas/runs/store';
import { threadStore, type ThreadStore } from '../lambdas/threads/store';
import type { AppConfig } from '../lambdas/shared/config';
import { metricsObserver, type TurnObserver } from '../lambdas/shared/observer';
import { policyFromConfig, type Policy } from '../lambdas/shared/policy';
import type { CrisisResourceTable } from '../lambdas/shared/coach/crisis';
import type { CoachModel, RunPollerStarter, Screener } from '../lambdas/shared/ports';
import { crisisResourcesFromEnv } from '../lambdas/shared/runtime/screening';
import { sqlTransport, type SqlQueryable } from '../lambdas/shared/store/sql-transport';
import { storeCaller, type StoreTransport } from '../lambdas/shared/store/transport';

/** Every feature's port, over one transport. */
export type CoachStore = TurnStore &
  PollStore &
  RunReader &
  ThreadStore &
  ContextStore &
  FeedbackStore &
  AiDataStore;

export function coachStore(transport: StoreTransport): CoachStore {
  const call = storeCaller(transport);
  return {
    ...turnStore(call),
    ...pollStore(call),
    ...runReader(call),
    ...threadStore(call),
    ...contextStore(call),
    ...feedbackStore(call),
    ...aiDataStore(call),
  };
}

/** The store over SQL: a `pg` pool or an embedded PGlite. */
export function sqlStore(db: SqlQueryable): CoachStore {
  return coachStore(sqlTransport(db));
}

export interface Runtime {
  readonly store: CoachStore;
  readonly model: CoachModel | null;
  readonly poller: RunPollerStarter | null;
  readonly policy: Policy;
  readonly observer: TurnObserver;
  /** Deletes a user's data at OpenAI (ai-data erasures); null without an OpenAI key. */
  readonly eraser: OpenAIDataEraser | null;
  /** Starts the erasure state machine; null where none runs. */
  readonly erasures: ErasureStarter | null;
  /** The moderation endpoint the turns are screened with; null without an OpenAI key. */
  readonly screener: Screener | null;
  readonly crisisResources: CrisisResourceTable;
}

export function assembleRuntime(
  cfg: AppConfig,
  parts: {
    readonly store: CoachStore;
    readonly model: CoachModel | null;
    readonly poller: RunPollerStarter | null;
    readonly eraser?: OpenAIDataEraser | null;
    readonly erasures?: ErasureStarter | null;
    readonly screener?: Screener | null;
  },
): Runtime {
  return {
    ...parts,
    eraser: parts.eraser ?? null,
    erasures: parts.erasures ?? null,
    screener: parts.screener ?? null,
    crisisResources: crisisResourcesFromEnv(),
    policy: policyFromConfig(cfg),
    observer: metricsObserver,
  };
}

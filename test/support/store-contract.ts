/**
 * The `ChatStore` contract, run against every transport (pg, PGlite, supabase-js over
 * PostgREST): the same behaviours, asserted on what the store returns and on the rows it
 * leaves in the database. Each test works on its own new user unless it only reads the
 * fixture users. The behaviours are in three parts: claims (store-contract-claims.ts), runs
 * (store-contract-runs.ts), threads, context and feedback (store-contract-threads.ts).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect } from '@jest/globals';
import type { ClaimedTurn, PrepareTurnInput } from '../../lambdas/chat/ports';
import { AppError } from '../../lambdas/shared/errors';
import type { RecordExchangeInput } from '../../lambdas/shared/ports';
import type { CoachStore as ChatStore } from '../../local/runtime';
import { describeClaims } from './store-contract-claims';
import { describeRuns } from './store-contract-runs';
import { describeThreadsContextFeedback } from './store-contract-threads';
import { turnInput } from './turns';

export interface StoreHarness {
  readonly store: ChatStore;
  /** Superuser SQL on the same database, for set-up and assertions. */
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<Row[]>;
  close(): Promise<void>;
}

/** What recording (and the 202 hand-over) take: the run, its user, the thread. */
export type RecordIds = Omit<RecordExchangeInput, 'answer'> & { readonly thread_id: string };

/** The harness of the running suite and the helpers every part of the contract uses. */
export interface ContractKit {
  /** The suite's harness (set in its `beforeAll`). */
  readonly h: StoreHarness;
  newUser(displayName?: string): Promise<string>;
  count(sql: string, params: readonly unknown[]): Promise<number>;
  key(): string;
  prepareInput: typeof turnInput;
  claim(input: PrepareTurnInput): Promise<ClaimedTurn>;
  identity(
    runId: string,
    input: PrepareTurnInput,
    extra?: Partial<Omit<RecordExchangeInput, 'answer'>>,
  ): RecordIds;
  refusal(promise: Promise<unknown>): Promise<{ status: number; code: string }>;
}

function contractKit(harness: () => StoreHarness): ContractKit {
  const h: StoreHarness = {
    get store() {
      return harness().store;
    },
    query: (sql, params) => harness().query(sql, params),
    close: () => harness().close(),
  };
  return {
    h,
    async newUser(displayName = 'Robin') {
      const id = randomUUID();
      await h.query('insert into auth.users (id, email) values ($1, $2)', [id, `${id}@example.com`]);
      await h.query('insert into public.profiles (id, display_name) values ($1, $2)', [id, displayName]);
      return id;
    },
    async count(sql, params) {
      const rows = await h.query<{ n: number }>(`select count(*)::int as n from ${sql}`, params);
      return rows[0]?.n ?? -1;
    },
    key: () => `k-${randomUUID()}`,
    prepareInput: turnInput,
    async claim(input) {
      const prepared = await h.store.prepareTurn(input);
      if (prepared.kind !== 'claimed') throw new Error(`expected a claim, got ${prepared.kind}`);
      return prepared;
    },
    identity: (runId, input, extra = {}) => ({
      run_id: runId,
      user_id: input.user_id,
      thread_id: 'conv_contract',
      ...extra,
    }),
    async refusal(promise) {
      const error = await promise.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AppError);
      const { status, code } = error as AppError;
      return { status, code };
    },
  };
}

export function describeChatStoreContract(name: string, makeHarness: () => Promise<StoreHarness>): void {
  describe(`ChatStore contract: ${name}`, () => {
    let harness: StoreHarness | undefined;

    beforeAll(async () => {
      harness = await makeHarness();
    });
    afterAll(async () => {
      await harness?.close();
    });

    const kit = contractKit(() => {
      if (!harness) throw new Error('the store harness is not ready');
      return harness;
    });
    describeClaims(kit);
    describeRuns(kit);
    describeThreadsContextFeedback(kit);
  });
}

/** The public types of the OpenAI fake (re-exported by `index.ts`). */
import type { Json } from './json';

/**
 * When a response's output arrives, measured from its creation (0 and 0 by default: at once).
 * Its first `response.output_text.delta` comes at `firstTokenMs`, the others evenly spread
 * until `latencyMs`, when it completes (a failure ends at `firstTokenMs`). `latencyMs`
 * defaults to `firstTokenMs` and is never shorter.
 */
export interface FakeTiming {
  readonly firstTokenMs?: number;
  readonly latencyMs?: number;
}

export type FakeBehaviour =
  /** Answer normally: `text` (default "Coach reply to: <first 40 chars of the input>"). */
  | ({ readonly kind: 'ok'; readonly text?: string } & FakeTiming)
  /** Refuse before accepting, with OpenAI's error body; `retryAfterMs` sets `retry-after-ms`. */
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly code?: string | null;
      readonly type?: string;
      readonly message?: string;
      readonly param?: string | null;
      readonly retryAfterMs?: number;
      readonly retryAfterSeconds?: number;
    }
  /** Never answer (the client's timeout fires); nothing is created. */
  | { readonly kind: 'hang' }
  /** Create the response (it runs to completion) then destroy the socket before answering. */
  | ({ readonly kind: 'reset_after_accept'; readonly text?: string } & FakeTiming)
  /** Destroy the socket without creating anything. */
  | { readonly kind: 'reset_before_accept' }
  /** Stay `in_progress` for `pollsUntilDone` retrieves; a stream sends created/in_progress and holds. */
  | { readonly kind: 'slow'; readonly pollsUntilDone: number; readonly text?: string }
  /** The response fails (`response.failed`, `error.code`). */
  | ({ readonly kind: 'fail'; readonly code?: string; readonly message?: string } & FakeTiming)
  /** The response ends incomplete (`response.incomplete`, `incomplete_details.reason`). */
  | ({ readonly kind: 'incomplete'; readonly reason?: 'max_output_tokens' | 'content_filter' } & FakeTiming)
  /** The response completes upstream, but the stream breaks after `afterEvents` events. */
  | ({ readonly kind: 'break_stream'; readonly afterEvents: number; readonly text?: string } & FakeTiming)
  /** The stream carries an `error` event and the response fails. */
  | ({ readonly kind: 'stream_error'; readonly code?: string; readonly message?: string } & FakeTiming)
  /**
   * The first byte comes `delayMs` late. Not `accepted` (default): nothing happens until the
   * delay has passed, and nothing is created if the client left by then. `accepted: true`: the
   * response is created at once and runs to completion; only the answer is held.
   */
  | ({
      readonly kind: 'slow_first_byte';
      readonly delayMs: number;
      readonly accepted?: boolean;
      readonly text?: string;
    } & FakeTiming)
  /**
   * Accepted and run to completion, but the answer is cut: a JSON body ends halfway; a stream
   * sends `afterEvents` (default 2) events, then half of the next one, then ends.
   */
  | ({ readonly kind: 'malformed'; readonly afterEvents?: number; readonly text?: string } & FakeTiming);

export type FakeSimpleBehaviour = Extract<
  FakeBehaviour,
  { kind: 'ok' | 'error' | 'hang' | 'reset_after_accept' }
>;

export type FakeErrorBehaviour = Extract<FakeBehaviour, { kind: 'error' }>;

/**
 * A transport or server fault any endpoint can be scripted with (`scriptFaults`), with the
 * meanings they have for `POST /v1/responses`: `reset_after_accept` does the request's work
 * (deletes, creates, …) and then drops the connection instead of answering.
 */
export type FakeFault =
  | FakeErrorBehaviour
  | { readonly kind: 'hang' }
  | { readonly kind: 'reset_before_accept' }
  | { readonly kind: 'reset_after_accept' }
  | { readonly kind: 'slow_first_byte'; readonly delayMs: number; readonly accepted?: boolean }
  | { readonly kind: 'malformed'; readonly afterEvents?: number };

export type ModerationCategory =
  | 'hate'
  | 'hate/threatening'
  | 'harassment'
  | 'harassment/threatening'
  | 'illicit'
  | 'illicit/violent'
  | 'self-harm'
  | 'self-harm/intent'
  | 'self-harm/instructions'
  | 'sexual'
  | 'sexual/minors'
  | 'violence'
  | 'violence/graphic';

/** What the next `POST /v1/moderations` does (default: `classify`). */
export type FakeModerationBehaviour =
  /**
   * Classify by content: self-harm phrases ("kill myself", "end my life", "hurt myself",
   * "want to die", "suicidal", …) score `self-harm/intent` 0.93 and `self-harm` 0.91; asking how
   * to (e.g. "how to kill myself") scores `self-harm/instructions` 0.88; threats to others score
   * `violence` 0.9; every other category gets a background score of about 1e-5.
   */
  | { readonly kind: 'classify' }
  /**
   * Exactly these scores for every input of the call (unlisted categories: the background
   * score). A category is flagged from 0.5 unless `flagged` says otherwise.
   */
  | {
      readonly kind: 'scores';
      readonly scores: Partial<Record<ModerationCategory, number>>;
      readonly flagged?: Partial<Record<ModerationCategory, boolean>>;
    }
  | FakeFault;

/** Every endpoint the fake serves, named after the `openai` SDK method that calls it. */
export const FAKE_ENDPOINTS = [
  'conversations.create',
  'conversations.retrieve',
  'conversations.delete',
  'conversations.items.list',
  'conversations.items.retrieve',
  'conversations.items.delete',
  'responses.create',
  'responses.retrieve',
  'responses.cancel',
  'responses.delete',
  'responses.compact',
  'moderations.create',
] as const;

export type FakeEndpoint = (typeof FAKE_ENDPOINTS)[number];

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/v1/responses`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed JSON body, or undefined when there was none. */
  readonly body: unknown;
  /** The endpoint this request was for, or null for an unknown route. */
  readonly endpoint: FakeEndpoint | null;
}

export interface SentMessage {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** `json` body or one SSE `event`. */
  readonly kind: 'json' | 'event';
  /** The component schema of openai-openapi.yaml this body must satisfy. */
  readonly schema: string;
  readonly body: unknown;
}

export interface FakeResponse {
  readonly id: string;
  readonly request: Json;
  readonly conversationId: string | null;
  readonly background: boolean;
  /** The current Response object, as `GET /v1/responses/{id}` returns it. */
  response: Json;
  /** Every event of this response so far, in sequence order (replayed by `starting_after`). */
  readonly events: Json[];
  /** How many conversation items the response saw before its input (0 on a first turn). */
  readonly contextItemCount: number;
  /** How many of them it rendered: those from the latest compaction item on (all without one). */
  readonly renderedItemCount: number;
  /** Its `usage.input_tokens`, known from creation: the rule of `tokens.ts` over what it rendered. */
  readonly inputTokens: number;
  /** The compaction this response ran (its first output item), or null. */
  readonly compaction: FakeCompaction | null;
  /** When it was created, sent its first delta and ended: the fake's own latency. */
  readonly timing: FakeResponseTiming;
  retrieves: number;
}

/** Times in epoch milliseconds (`performance.timeOrigin + performance.now()`, sub-millisecond). */
export interface FakeResponseTiming {
  /** The timing the response was given (its behaviour's, else the server's). */
  readonly planned: Required<FakeTiming>;
  readonly createdAtMs: number;
  /** When its first `response.output_text.delta` was emitted; null before, and for failures. */
  firstDeltaAtMs: number | null;
  /** When its terminal event (completed, incomplete, failed, error) was emitted; null while running or if cancelled. */
  completedAtMs: number | null;
}

/** A server-side compaction: the item it emitted and what that item replaced. */
export interface FakeCompaction {
  /** The compaction item (`type: 'compaction'`, opaque `encrypted_content`). */
  readonly item: Json;
  /** How many rendered items (conversation window and new input) it replaced. */
  readonly replacedItems: number;
  /** Their tokens, and the tokens the item itself counts from now on (a tenth, at least 32). */
  readonly replacedTokens: number;
  readonly summaryTokens: number;
}

/** A conversation as the fake stores it: its resource and its items, oldest first. */
export interface FakeConversation {
  readonly resource: Json;
  readonly items: Json[];
}

export interface OpenAIFake {
  /** `http://127.0.0.1:<port>/v1`: the SDK's `baseURL`. */
  readonly baseURL: string;
  readonly apiKey: string;
  readonly requests: RecordedRequest[];
  readonly sent: SentMessage[];
  readonly responses: Map<string, FakeResponse>;
  readonly conversations: Map<string, FakeConversation>;
  /** Queue behaviours for the next `POST /v1/responses` calls. */
  script(...behaviours: FakeBehaviour[]): void;
  scriptConversations(...behaviours: FakeSimpleBehaviour[]): void;
  scriptRetrieves(...behaviours: Array<Extract<FakeBehaviour, { kind: 'ok' | 'error' | 'hang' }>>): void;
  /** Queue results or faults for the next `POST /v1/moderations` calls (default: classify by content). */
  scriptModerations(...behaviours: FakeModerationBehaviour[]): void;
  /** Finish a `slow` (or timed) response now, as if its last poll had happened (or its time had come). */
  finish(responseId: string): void;
  /** Change the server-wide timing of the responses created from now on (`reset()` restores the start options'). */
  setTiming(timing: FakeTiming): void;
  /**
   * Queue faults for the next calls to one endpoint, applied before that endpoint's own
   * script (e.g. `scriptFaults('conversations.items.delete', { kind: 'error', status: 500 })`).
   */
  scriptFaults(endpoint: FakeEndpoint, ...faults: FakeFault[]): void;
  /** The recorded requests matching a method and path (`/v1/responses`, or a RegExp). */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[];
  /**
   * How many HTTP requests reached an endpoint since the last `reset()`: every one counts,
   * refused, faulted and retried ones included (`count('responses.create')`).
   */
  count(endpoint: FakeEndpoint): number;
  /** `count` for every endpoint at once. */
  counts(): Record<FakeEndpoint, number>;
  /**
   * What is still stored at "OpenAI": live conversations, every item not deleted (those of a
   * deleted conversation included: deleting a conversation keeps its items) and every stored
   * response not deleted. With `owner`, only what belongs to that user: conversations whose
   * metadata `user` is `owner` or that a response with `safety_identifier: owner` ran on, their
   * items, and responses with that `safety_identifier` or on such a conversation.
   */
  stored(owner?: string): FakeStored;
  /**
   * Forget requests, every script and fault, responses, conversations (and their orphaned
   * items) and cache keys; stop running responses and pending timers; restore the start timing.
   */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeStored {
  readonly conversations: ReadonlyArray<{ readonly id: string; readonly metadata: Json }>;
  readonly items: ReadonlyArray<{
    readonly id: string;
    readonly type: string;
    readonly conversationId: string;
    /** True for an item whose conversation was deleted: stored still, reachable by no endpoint. */
    readonly conversationDeleted: boolean;
  }>;
  readonly responses: ReadonlyArray<{
    readonly id: string;
    readonly conversationId: string | null;
    readonly safetyIdentifier: string | null;
    readonly status: string;
  }>;
}

export interface OpenAIFakeOptions extends FakeTiming {
  readonly apiKey?: string;
  /** Listen on this port of 127.0.0.1 (default: any free one). */
  readonly port?: number;
  /** Report dated model snapshots like the real API (default true). */
  readonly snapshotModels?: boolean;
  /**
   * Compact at this many tokens whenever a create asks for compaction (`context_management`),
   * instead of the request's own `compact_threshold`: for demos and benchmarks that want to
   * see compaction within a few turns. Requests without `context_management` never compact.
   */
  readonly compactThreshold?: number;
}

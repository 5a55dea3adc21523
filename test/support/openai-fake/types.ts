/** The public types of the OpenAI fake (re-exported by `index.ts`). */
import type { Json } from './json';

export type FakeBehaviour =
  /** Answer normally: `text` (default "Coach reply to: <first 40 chars of the input>"). */
  | { readonly kind: 'ok'; readonly text?: string }
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
  | { readonly kind: 'reset_after_accept'; readonly text?: string }
  /** Destroy the socket without creating anything. */
  | { readonly kind: 'reset_before_accept' }
  /** Stay `in_progress` for `pollsUntilDone` retrieves; a stream sends created/in_progress and holds. */
  | { readonly kind: 'slow'; readonly pollsUntilDone: number; readonly text?: string }
  /** The response fails (`response.failed`, `error.code`). */
  | { readonly kind: 'fail'; readonly code?: string; readonly message?: string }
  /** The response ends incomplete (`response.incomplete`, `incomplete_details.reason`). */
  | { readonly kind: 'incomplete'; readonly reason?: 'max_output_tokens' | 'content_filter' }
  /** The response completes upstream, but the stream breaks after `afterEvents` events. */
  | { readonly kind: 'break_stream'; readonly afterEvents: number; readonly text?: string }
  /** The stream carries an `error` event and the response fails. */
  | { readonly kind: 'stream_error'; readonly code?: string; readonly message?: string };

export type FakeSimpleBehaviour = Extract<
  FakeBehaviour,
  { kind: 'ok' | 'error' | 'hang' | 'reset_after_accept' }
>;

export type FakeErrorBehaviour = Extract<FakeBehaviour, { kind: 'error' }>;

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/v1/responses`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed JSON body, or undefined when there was none. */
  readonly body: unknown;
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
  retrieves: number;
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
  /** Finish a `slow` response now, as if its last poll had happened. */
  finish(responseId: string): void;
  /** The recorded requests matching a method and path (`/v1/responses`, or a RegExp). */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[];
  /** Forget requests, scripts, responses and conversations. */
  reset(): void;
  close(): Promise<void>;
}

export interface OpenAIFakeOptions {
  readonly apiKey?: string;
  /** Report dated model snapshots like the real API (default true). */
  readonly snapshotModels?: boolean;
}

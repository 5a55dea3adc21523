/** What the fake remembers between requests, and how a test's `reset()` forgets it. */
import type { Json } from './json';
import type { Step } from './run';
import type {
  FakeBehaviour,
  FakeConversation,
  FakeEndpoint,
  FakeFault,
  FakeModerationBehaviour,
  FakeResponse,
  FakeSimpleBehaviour,
  FakeTiming,
  RecordedRequest,
  SentMessage,
} from './types';

/** A response with what it rendered, which `POST /v1/responses/compact` can start from. */
export interface ResponseRecord extends FakeResponse {
  readonly rendered: readonly Json[];
}

/** A conversation with the bookkeeping pagination needs. */
export interface ConversationRecord extends FakeConversation {
  /** Insertion position of every item ever added, so an `after` cursor survives the item's deletion. */
  readonly positions: Map<string, number>;
}

/** An item of a deleted conversation: the API keeps it, though no endpoint reaches it any more. */
export interface OrphanedItem {
  readonly item: Json;
  readonly conversationId: string;
  readonly metadata: unknown;
}

export type Plan =
  | { readonly outcome: 'completed'; readonly text: string }
  | {
      readonly outcome: 'incomplete';
      readonly text: string;
      readonly reason: 'max_output_tokens' | 'content_filter';
    }
  | { readonly outcome: 'failed'; readonly code: string; readonly message: string }
  | { readonly outcome: 'error_event'; readonly code: string; readonly message: string };

export interface StreamListener {
  write(event: Json): void;
  end(): void;
}

/** A response still running: what remains to happen to it, and the open streams following it. */
export interface PendingRun {
  readonly plan: Plan;
  /** A `slow` response: it runs only once polled `pollsUntilDone` times (or `finish()`ed). */
  readonly held: boolean;
  pollsUntilDone: number;
  readonly timing: Required<FakeTiming>;
  readonly listeners: Set<StreamListener>;
  /** Called once when the response ends (a foreground create answers then). */
  readonly onEnd: Array<() => void>;
  /** What remains to run, in order (built when the run starts). */
  steps: Step[] | null;
}

export interface State {
  readonly apiKey: string;
  readonly snapshotModels: boolean;
  readonly compactThreshold: number | null;
  /** The server-wide timing: the start options, or what `setTiming` last set. */
  timing: FakeTiming;
  readonly initialTiming: FakeTiming;
  readonly requests: RecordedRequest[];
  readonly sent: SentMessage[];
  readonly responses: Map<string, ResponseRecord>;
  readonly conversations: Map<string, ConversationRecord>;
  readonly orphanedItems: OrphanedItem[];
  /** The `safety_identifier`s of the responses that ran on each conversation (ownership, for `stored`). */
  readonly conversationUsers: Map<string, Set<string>>;
  readonly createScript: FakeBehaviour[];
  readonly conversationScript: FakeSimpleBehaviour[];
  readonly retrieveScript: Array<Extract<FakeBehaviour, { kind: 'ok' | 'error' | 'hang' }>>;
  readonly moderationScript: FakeModerationBehaviour[];
  readonly faults: Map<FakeEndpoint, FakeFault[]>;
  readonly cacheKeys: Set<string>;
  readonly pending: Map<string, PendingRun>;
  /** Every timer the fake has set (delayed answers, timed runs), cleared by `reset()` and `close()`. */
  readonly timers: Set<NodeJS.Timeout>;
}

export function createState(options: {
  readonly apiKey: string;
  readonly snapshotModels: boolean;
  readonly compactThreshold: number | null;
  readonly timing: FakeTiming;
}): State {
  return {
    ...options,
    initialTiming: options.timing,
    requests: [],
    sent: [],
    responses: new Map(),
    conversations: new Map(),
    orphanedItems: [],
    conversationUsers: new Map(),
    createScript: [],
    conversationScript: [],
    retrieveScript: [],
    moderationScript: [],
    faults: new Map(),
    cacheKeys: new Set(),
    pending: new Map(),
    timers: new Set(),
  };
}

/** Ends every open stream and forgets everything but the key and the options. */
export function resetState(state: State): void {
  for (const pending of state.pending.values()) for (const listener of pending.listeners) listener.end();
  state.requests.length = 0;
  state.sent.length = 0;
  state.responses.clear();
  state.conversations.clear();
  state.orphanedItems.length = 0;
  state.conversationUsers.clear();
  state.createScript.length = 0;
  state.conversationScript.length = 0;
  state.retrieveScript.length = 0;
  state.moderationScript.length = 0;
  state.faults.clear();
  state.cacheKeys.clear();
  state.pending.clear();
  state.timing = state.initialTiming;
  clearTimers(state);
}

export function clearTimers(state: State): void {
  for (const timer of state.timers) clearTimeout(timer);
  state.timers.clear();
}

/** Runs `fn` after `ms`, on a timer `reset()` and `close()` clear. */
export function later(state: State, ms: number, fn: () => void): void {
  const timer = setTimeout(() => {
    state.timers.delete(timer);
    fn();
  }, ms);
  state.timers.add(timer);
}

/**
 * The life of a response once created: its plan, the events it emits (numbered, stored for
 * replay), and how it ends (output, usage, conversation items). A response runs at once, or
 * on timers when it has a first-token delay or a latency: its deltas, one per word, are then
 * spread evenly from the first token to the end, and its timing is recorded.
 */
import { storeOutput } from './conversations';
import { isObject, newId, nowSeconds, snapshot, type Json } from './json';
import { later, type PendingRun, type Plan, type ResponseRecord, type State } from './state';
import { tokensOfText } from './tokens';
import type { FakeBehaviour, FakeResponse, FakeTiming } from './types';

/** One thing that happens to a running response, `atMs` after its creation. */
export interface Step {
  readonly atMs: number;
  run(): void;
}

export function planFor(behaviour: FakeBehaviour, inputText: string): Plan {
  const text = ('text' in behaviour && behaviour.text) || `Coach reply to: ${inputText.slice(0, 40)}`;
  switch (behaviour.kind) {
    case 'fail':
      return {
        outcome: 'failed',
        code: behaviour.code ?? 'server_error',
        message: behaviour.message ?? 'The model failed to generate a response.',
      };
    case 'stream_error':
      return {
        outcome: 'error_event',
        code: behaviour.code ?? 'server_error',
        message: behaviour.message ?? 'An error occurred while processing your request.',
      };
    case 'incomplete':
      return { outcome: 'incomplete', text, reason: behaviour.reason ?? 'max_output_tokens' };
    default:
      return { outcome: 'completed', text };
  }
}

/** A behaviour's timing over the server's: the latency is never shorter than the first token. */
export function timingFor(state: State, behaviour: FakeBehaviour): Required<FakeTiming> {
  const own: FakeTiming = 'firstTokenMs' in behaviour || 'latencyMs' in behaviour ? behaviour : {};
  const firstTokenMs = Math.max(0, own.firstTokenMs ?? state.timing.firstTokenMs ?? 0);
  const latencyMs = Math.max(firstTokenMs, own.latencyMs ?? state.timing.latencyMs ?? firstTokenMs);
  return { firstTokenMs, latencyMs };
}

export function isRunning(response: FakeResponse): boolean {
  return response.response.status === 'queued' || response.response.status === 'in_progress';
}

/** Adds the next sequence number, stores the event for replay, returns it. */
export function emit(target: FakeResponse, event: Json): Json {
  const full = { ...event, sequence_number: target.events.length };
  target.events.push(full);
  return full;
}

/** Milliseconds since the epoch, with the monotonic clock's precision. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Calls `then` once the response has ended (at once if it has). */
export function whenEnded(state: State, id: string, then: () => void): void {
  const pending = state.pending.get(id);
  if (pending) pending.onEnd.push(then);
  else then();
}

/** Starts the run of a new response: at once without timing, on timers with; a `slow` one waits. */
export function startRun(state: State, id: string): void {
  const pending = state.pending.get(id);
  if (!pending || pending.held) return;
  if (pending.timing.latencyMs === 0) return finishResponse(state, id);
  advance(state, id);
}

/** Runs the rest of a response's life now, whatever its timing (`finish()`, a `slow` response's last poll). */
export function finishResponse(state: State, id: string): void {
  const target = state.responses.get(id);
  const pending = state.pending.get(id);
  if (!target || !pending) return;
  for (const step of stepsOf(state, target, pending).splice(0)) step.run();
}

/** Ends a running response where it stands (cancel, delete): nothing more happens to it. */
export function stopRun(state: State, id: string): void {
  const pending = state.pending.get(id);
  if (pending) end(state, id, pending);
}

function end(state: State, id: string, pending: PendingRun): void {
  state.pending.delete(id);
  for (const listener of pending.listeners) listener.end();
  for (const then of pending.onEnd.splice(0)) then();
}

/** Runs the steps that are due, and sets a timer for the next one. */
function advance(state: State, id: string): void {
  const target = state.responses.get(id);
  const pending = state.pending.get(id);
  if (!target || !pending) return;
  const steps = stepsOf(state, target, pending);
  const elapsed = nowMs() - target.timing.createdAtMs;
  while (steps.length > 0 && (steps[0]?.atMs ?? 0) <= elapsed) steps.shift()?.run();
  const next = steps[0];
  if (next) later(state, Math.max(0, next.atMs - elapsed), () => advance(state, id));
}

function stepsOf(state: State, target: ResponseRecord, pending: PendingRun): Step[] {
  pending.steps ??= planSteps(state, target, pending);
  return pending.steps;
}

/** Every event and state change of the response from its first token on, each at its time. */
function planSteps(state: State, target: ResponseRecord, pending: PendingRun): Step[] {
  const { plan } = pending;
  const { firstTokenMs, latencyMs } = pending.timing;
  const write = (event: Json) => {
    const sent = emit(target, event);
    for (const listener of pending.listeners) listener.write(sent);
  };
  const at = (atMs: number, run: () => void): Step => ({ atMs, run });

  if (plan.outcome === 'failed' || plan.outcome === 'error_event') {
    return [
      at(firstTokenMs, () => {
        target.response = {
          ...target.response,
          status: 'failed',
          error: { code: plan.code, message: plan.message },
        };
        target.timing.completedAtMs = nowMs();
        if (plan.outcome === 'error_event')
          write({ type: 'error', code: plan.code, message: plan.message, param: null });
        else write({ type: 'response.failed', response: snapshot(target.response) });
        end(state, target.id, pending);
      }),
    ];
  }

  const text =
    plan.outcome === 'incomplete' ? plan.text.slice(0, Math.ceil(plan.text.length / 2)) : plan.text;
  // A compaction runs before the model answers: its item is the first output item.
  const compacted = target.compaction ? [snapshot(target.compaction.item)] : [];
  const outputIndex = compacted.length;
  const itemId = newId('msg');
  const part = (t: string) => ({ type: 'output_text', text: t, annotations: [], logprobs: [] });
  const message = (status: string, content: Json[]) => ({
    id: itemId,
    type: 'message',
    status,
    role: 'assistant',
    content,
  });
  const where = { item_id: itemId, output_index: outputIndex, content_index: 0 };
  const deltas = words(text);
  const spacing = (latencyMs - firstTokenMs) / deltas.length;

  const opening = at(firstTokenMs, () => {
    for (const [index, item] of compacted.entries()) {
      write({ type: 'response.output_item.added', output_index: index, item });
      write({ type: 'response.output_item.done', output_index: index, item });
    }
    write({
      type: 'response.output_item.added',
      output_index: outputIndex,
      item: message('in_progress', []),
    });
    write({ type: 'response.content_part.added', ...where, part: part('') });
  });
  const streamed = deltas.map((delta, index) =>
    at(firstTokenMs + index * spacing, () => {
      target.timing.firstDeltaAtMs ??= nowMs();
      write({ type: 'response.output_text.delta', ...where, delta, logprobs: [] });
    }),
  );
  const closing = at(latencyMs, () => {
    write({ type: 'response.output_text.done', ...where, text, logprobs: [] });
    write({ type: 'response.content_part.done', ...where, part: part(text) });
    const done = message(plan.outcome === 'incomplete' ? 'incomplete' : 'completed', [part(text)]);
    write({ type: 'response.output_item.done', output_index: outputIndex, item: done });
    const output = [...compacted, done];
    target.response = {
      ...target.response,
      status: plan.outcome,
      output,
      usage: usageFor(state, target, text),
      ...(plan.outcome === 'completed'
        ? { completed_at: nowSeconds() }
        : { incomplete_details: { reason: plan.reason } }),
    };
    if (target.conversationId !== null) storeOutput(state, target.conversationId, snapshot(output));
    target.timing.completedAtMs = nowMs();
    write({
      type: plan.outcome === 'completed' ? 'response.completed' : 'response.incomplete',
      response: snapshot(target.response),
    });
    end(state, target.id, pending);
  });
  return [opening, ...streamed, closing];
}

/**
 * Usage by the rule of `tokens.ts`: input is what the response rendered (known at creation),
 * of which a prompt-cache hit on the instructions' whole 128-token blocks is cached (written
 * on the first use of a `prompt_cache_key`); output is the text plus the reasoning effort's
 * tokens.
 */
function usageFor(state: State, target: FakeResponse, text: string): Json {
  const request = target.request;
  const instructions = typeof request.instructions === 'string' ? request.instructions : '';
  const inputTokens = target.inputTokens;
  const prefix = Math.floor(tokensOfText(instructions) / 128) * 128;
  const cacheKey = typeof request.prompt_cache_key === 'string' ? request.prompt_cache_key : null;
  const warm = cacheKey !== null && state.cacheKeys.has(cacheKey);
  if (cacheKey !== null) state.cacheKeys.add(cacheKey);
  const effort = isObject(request.reasoning) ? request.reasoning.effort : null;
  const reasoning = REASONING_TOKENS[String(effort)] ?? 0;
  const outputTokens = tokensOfText(text) + reasoning;
  return {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: warm ? prefix : 0, cache_write_tokens: warm ? 0 : prefix },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: inputTokens + outputTokens,
  };
}

/** Reasoning tokens per effort, so a reply's output tokens show what its effort costs. */
const REASONING_TOKENS: Readonly<Record<string, number>> = {
  none: 0,
  minimal: 16,
  low: 64,
  medium: 192,
  high: 512,
  xhigh: 1024,
  max: 2048,
};

/** A reply split into one delta per word (each with its following space), like a real stream. */
function words(text: string): string[] {
  const split = text.split(/(?<= )/).filter((word) => word !== '');
  return split.length > 0 ? split : [''];
}

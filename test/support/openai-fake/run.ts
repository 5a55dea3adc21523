/**
 * The life of a response once created: its plan, the events it emits (numbered, stored for
 * replay), the streams following it, and how it ends (output, usage, conversation items).
 */
import { deliver, recordSent, type Exchange } from './http';
import { appendItems } from './items';
import { isObject, newId, nowSeconds, snapshot, type Json } from './json';
import type { Plan, State, StreamListener } from './state';
import { tokensOfText } from './tokens';
import type { FakeBehaviour, FakeResponse } from './types';

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

export function isRunning(response: FakeResponse): boolean {
  return response.response.status === 'queued' || response.response.status === 'in_progress';
}

/** Adds the next sequence number, stores the event for replay, returns it. */
export function emit(target: FakeResponse, event: Json): Json {
  const full = { ...event, sequence_number: target.events.length };
  target.events.push(full);
  return full;
}

/** Ends a running response where it stands (cancel, delete): nothing more happens to it. */
export function stopRun(state: State, id: string): void {
  const pending = state.pending.get(id);
  state.pending.delete(id);
  for (const listener of pending?.listeners ?? []) listener.end();
}

/** Runs the rest of a response's life: output events, usage, the final status, the conversation items. */
export function finishResponse(state: State, id: string): void {
  const target = state.responses.get(id);
  const pending = state.pending.get(id);
  if (!target || !pending) return;
  state.pending.delete(id);
  const { plan } = pending;
  const write = (event: Json) => {
    const sent = emit(target, event);
    for (const listener of pending.listeners) listener.write(sent);
  };

  if (plan.outcome === 'failed' || plan.outcome === 'error_event') {
    const error = { code: plan.code, message: plan.message };
    target.response = { ...target.response, status: 'failed', error };
    if (plan.outcome === 'error_event')
      write({ type: 'error', code: plan.code, message: plan.message, param: null });
    else write({ type: 'response.failed', response: snapshot(target.response) });
    for (const listener of pending.listeners) listener.end();
    return;
  }

  const text =
    plan.outcome === 'incomplete' ? plan.text.slice(0, Math.ceil(plan.text.length / 2)) : plan.text;
  // A compaction runs before the model answers: its item is the first output item.
  const compacted = target.compaction ? [snapshot(target.compaction.item)] : [];
  for (const [index, item] of compacted.entries()) {
    write({ type: 'response.output_item.added', output_index: index, item });
    write({ type: 'response.output_item.done', output_index: index, item });
  }
  const outputIndex = compacted.length;
  const itemId = newId('msg');
  const itemStatus = plan.outcome === 'incomplete' ? 'incomplete' : 'completed';
  const part = (t: string) => ({ type: 'output_text', text: t, annotations: [], logprobs: [] });
  const item = (status: string, content: Json[]) => ({
    id: itemId,
    type: 'message',
    status,
    role: 'assistant',
    content,
  });
  const at = { item_id: itemId, output_index: outputIndex, content_index: 0 };

  write({ type: 'response.output_item.added', output_index: outputIndex, item: item('in_progress', []) });
  write({ type: 'response.content_part.added', ...at, part: part('') });
  for (const delta of chunks(text)) write({ type: 'response.output_text.delta', ...at, delta, logprobs: [] });
  write({ type: 'response.output_text.done', ...at, text, logprobs: [] });
  write({ type: 'response.content_part.done', ...at, part: part(text) });
  const done = item(itemStatus, [part(text)]);
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
  const conversation = target.conversationId ? state.conversations.get(target.conversationId) : undefined;
  if (conversation) appendItems(conversation, snapshot(output));
  write({
    type: plan.outcome === 'completed' ? 'response.completed' : 'response.incomplete',
    response: snapshot(target.response),
  });
  for (const listener of pending.listeners) listener.end();
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

/**
 * Streams the response's events after `startingAfter`, then follows it until it ends (or the
 * client leaves). `cutAfter` destroys the socket after that many events (a reset mid-stream);
 * a malformed exchange ends the stream cleanly in the middle of an event instead.
 */
export function openStream(
  ex: Exchange,
  target: FakeResponse,
  startingAfter: number,
  cutAfter: number,
): void {
  const { state, req, res } = ex;
  deliver(ex, () => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': newId('req'),
    });
    const truncateAfter = ex.malformedAfterEvents ?? Infinity;
    let written = 0;
    let ended = false;
    const listener: StreamListener = {
      write(event) {
        // After the cut nothing more is sent; the socket is destroyed once the cut is flushed.
        if (ended || res.destroyed || written >= cutAfter) return;
        const frame = `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`;
        if (written >= truncateAfter) {
          ended = true;
          return void res.end(frame.slice(0, Math.floor(frame.length / 2)));
        }
        recordSent(ex, 200, 'event', schemaForEvent(String(event.type)), event);
        written += 1;
        const cut = written >= cutAfter;
        res.write(frame, () => {
          if (cut) res.destroy();
        });
      },
      end() {
        if (ended || res.destroyed || written >= cutAfter) return;
        ended = true;
        res.end();
      },
    };
    for (const event of target.events)
      if (Number(event.sequence_number) > startingAfter) listener.write(event);
    const pending = state.pending.get(target.id);
    if (!pending) return listener.end();
    pending.listeners.add(listener);
    req.on('close', () => pending.listeners.delete(listener));
    res.on('close', () => pending.listeners.delete(listener));
  });
}

function schemaForEvent(type: string): string {
  const names: Record<string, string> = {
    'response.created': 'ResponseCreatedEvent',
    'response.queued': 'ResponseQueuedEvent',
    'response.in_progress': 'ResponseInProgressEvent',
    'response.output_item.added': 'ResponseOutputItemAddedEvent',
    'response.content_part.added': 'ResponseContentPartAddedEvent',
    'response.output_text.delta': 'ResponseTextDeltaEvent',
    'response.output_text.done': 'ResponseTextDoneEvent',
    'response.content_part.done': 'ResponseContentPartDoneEvent',
    'response.output_item.done': 'ResponseOutputItemDoneEvent',
    'response.completed': 'ResponseCompletedEvent',
    'response.failed': 'ResponseFailedEvent',
    'response.incomplete': 'ResponseIncompleteEvent',
    error: 'ResponseErrorEvent',
  };
  return names[type] ?? 'ResponseStreamEvent';
}

/** A reply split into a few deltas at word boundaries, like a real stream. */
function chunks(text: string): string[] {
  const words = text.split(/(?<= )/);
  const size = Math.max(1, Math.ceil(words.length / 4));
  const out: string[] = [];
  for (let i = 0; i < words.length; i += size) out.push(words.slice(i, i + size).join(''));
  return out.length > 0 ? out : [''];
}

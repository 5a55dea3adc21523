/** The Responses API: create (JSON or SSE), retrieve (JSON or resumed SSE), cancel, delete. */
import { applyFault, isFault } from './faults';
import { badRequest, notFound, sendJson, type Exchange } from './http';
import { appendItems, textOfInput } from './items';
import { isObject, newId, nowSeconds, snapshot, type Json } from './json';
import {
  emit,
  finishResponse,
  isRunning,
  nowMs,
  planFor,
  startRun,
  stopRun,
  timingFor,
  whenEnded,
} from './run';
import { openStream } from './stream';
import { DELETED_RESPONSE_SCHEMA } from './schemas';
import { isContextError, renderContext, type RenderedContext } from './context';
import type { ConversationRecord, ResponseRecord, State } from './state';
import type { FakeBehaviour, FakeResponse } from './types';

const SNAPSHOT_SUFFIX = '-2026-10-02';

export function createResponse(ex: Exchange): void {
  const behaviour = ex.state.createScript.shift() ?? { kind: 'ok' };
  if (isFault(behaviour)) return applyFault(ex, behaviour, () => acceptResponse(ex, behaviour));
  acceptResponse(ex, behaviour);
}

function acceptResponse(ex: Exchange, behaviour: FakeBehaviour): void {
  const { state, body } = ex;
  const checked = checkCreate(ex);
  if (!checked) return;
  const { conversationId, conversation, context } = checked;
  const background = body.background === true;
  const stream = body.stream === true;
  const timing = timingFor(state, behaviour);
  const created: ResponseRecord = {
    id: newId('resp'),
    request: body,
    conversationId,
    background,
    response: {},
    events: [],
    contextItemCount: conversation?.items.length ?? 0,
    renderedItemCount: context.window.length,
    inputTokens: context.inputTokens,
    compaction: context.compaction,
    rendered: [...context.window, ...context.input],
    timing: { planned: timing, createdAtMs: nowMs(), firstDeltaAtMs: null, completedAtMs: null },
    retrieves: 0,
  };
  created.response = responseObject(state, created, background ? 'queued' : 'in_progress');
  const accepted = snapshot(created.response);
  state.responses.set(created.id, created);
  if (conversationId !== null && typeof body.safety_identifier === 'string') {
    const users = state.conversationUsers.get(conversationId) ?? new Set<string>();
    state.conversationUsers.set(conversationId, users.add(body.safety_identifier));
  }
  if (conversation) appendItems(conversation, context.input);
  const held = behaviour.kind === 'slow' && behaviour.pollsUntilDone > 0;
  state.pending.set(created.id, {
    plan: planFor(behaviour, textOfInput(body.input)),
    held,
    pollsUntilDone: behaviour.kind === 'slow' ? Math.max(0, behaviour.pollsUntilDone) : 0,
    timing,
    listeners: new Set(),
    onEnd: [],
    steps: null,
  });
  emit(created, { type: 'response.created', response: accepted });
  created.response = { ...created.response, status: 'in_progress' };
  emit(created, { type: 'response.in_progress', response: snapshot(created.response) });

  if (stream) {
    const cutAfter = behaviour.kind === 'break_stream' ? behaviour.afterEvents : Infinity;
    openStream(ex, created, -1, cutAfter);
    return startRun(state, created.id);
  }
  startRun(state, created.id);
  // A background create answers at once with the queued response; a foreground one when it
  // ends (a held `slow` one at once, still in progress, as before).
  if (background) return sendJson(ex, 200, 'Response', accepted);
  if (held) return sendJson(ex, 200, 'Response', created.response);
  whenEnded(state, created.id, () => sendJson(ex, 200, 'Response', created.response));
}

/** The create's conversation and rendered context, or null once a 4xx has been sent. */
function checkCreate(
  ex: Exchange,
): { conversationId: string | null; conversation?: ConversationRecord; context: RenderedContext } | null {
  const { state, body } = ex;
  if (typeof body.model !== 'string' || body.model === '') {
    badRequest(ex, "Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
    return null;
  }
  const conversationId =
    typeof body.conversation === 'string'
      ? body.conversation
      : isObject(body.conversation) && typeof body.conversation.id === 'string'
        ? body.conversation.id
        : null;
  if (conversationId !== null && body.previous_response_id) {
    badRequest(ex, 'Cannot use both conversation and previous_response_id.', 'conversation');
    return null;
  }
  const conversation = conversationId === null ? undefined : state.conversations.get(conversationId);
  if (conversationId !== null && !conversation) {
    notFound(ex, 'Conversation', conversationId, 'conversation');
    return null;
  }
  if (
    conversationId !== null &&
    [...state.responses.values()].some((r) => r.conversationId === conversationId && isRunning(r))
  ) {
    badRequest(
      ex,
      'Another process is currently operating on this conversation. Please retry in a few seconds.',
      'conversation',
      'conversation_locked',
    );
    return null;
  }
  if (body.background === true && body.store === false) {
    badRequest(ex, 'Background responses must be stored: set store=true or leave it unset.', 'store');
    return null;
  }
  const context = renderContext(state, conversation?.items, body);
  if (isContextError(context)) {
    badRequest(ex, context.message, context.param, context.code);
    return null;
  }
  return { conversationId, conversation, context };
}

export function retrieveResponse(ex: Exchange, id: string): void {
  const { state } = ex;
  const found = state.responses.get(id);
  const behaviour = state.retrieveScript.shift() ?? { kind: 'ok' };
  if (isFault(behaviour)) return applyFault(ex, behaviour, () => undefined);
  if (!found || !isStored(found)) return notFound(ex, 'Response', id);
  found.retrieves += 1;
  const pending = state.pending.get(id);
  if (pending?.held && found.retrieves >= pending.pollsUntilDone) finishResponse(state, id);

  const query = ex.url.searchParams;
  if (query.get('stream') === 'true') {
    const startingAfter = Number(query.get('starting_after') ?? -1);
    return openStream(ex, found, Number.isFinite(startingAfter) ? startingAfter : -1, Infinity);
  }
  sendJson(ex, 200, 'Response', found.response);
}

export function cancelResponse(ex: Exchange, id: string): void {
  const { state } = ex;
  const found = state.responses.get(id);
  if (!found || !isStored(found)) return notFound(ex, 'Response', id);
  if (!found.background) {
    return badRequest(ex, 'Only responses created with background=true can be cancelled.', null);
  }
  const status = found.response.status;
  if (status === 'completed' || status === 'failed' || status === 'incomplete') {
    return badRequest(ex, `Cannot cancel a response with status '${String(status)}'.`, null);
  }
  if (status !== 'cancelled') {
    found.response = { ...found.response, status: 'cancelled' };
    stopRun(state, id);
  }
  sendJson(ex, 200, 'Response', found.response);
}

/**
 * Deletes a stored response (a running one stops, its streams end). The description gives
 * this 200 no schema, only the example body sent here (see `openai-spec.ts`). The
 * conversation's items are not touched: they are deleted through the Conversations API.
 */
export function deleteResponse(ex: Exchange, id: string): void {
  const { state } = ex;
  const found = state.responses.get(id);
  if (!found || !isStored(found)) return notFound(ex, 'Response', id);
  stopRun(state, id);
  state.responses.delete(id);
  sendJson(ex, 200, DELETED_RESPONSE_SCHEMA, { id, object: 'response', deleted: true });
}

/** Responses created with `store: false` cannot be retrieved, cancelled or deleted. */
function isStored(response: FakeResponse): boolean {
  return response.request.store !== false;
}

function responseObject(state: State, target: FakeResponse, status: string): Json {
  const request = target.request;
  const model = String(request.model);
  const reasoning = isObject(request.reasoning) ? request.reasoning : {};
  return {
    id: target.id,
    object: 'response',
    created_at: nowSeconds(),
    status,
    background: target.background,
    completed_at: null,
    conversation: target.conversationId ? { id: target.conversationId } : null,
    error: null,
    incomplete_details: null,
    instructions: typeof request.instructions === 'string' ? request.instructions : null,
    max_output_tokens: typeof request.max_output_tokens === 'number' ? request.max_output_tokens : null,
    max_tool_calls: null,
    model: state.snapshotModels && !/-\d{4}-\d{2}-\d{2}$/.test(model) ? `${model}${SNAPSHOT_SUFFIX}` : model,
    output: [],
    parallel_tool_calls: true,
    previous_response_id: null,
    prompt_cache_key: typeof request.prompt_cache_key === 'string' ? request.prompt_cache_key : null,
    reasoning: { effort: typeof reasoning.effort === 'string' ? reasoning.effort : null, summary: null },
    safety_identifier: typeof request.safety_identifier === 'string' ? request.safety_identifier : null,
    service_tier: 'default',
    store: request.store !== false,
    temperature: typeof request.temperature === 'number' ? request.temperature : 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_logprobs: 0,
    top_p: typeof request.top_p === 'number' ? request.top_p : 1,
    truncation: 'disabled',
    metadata: isObject(request.metadata) ? request.metadata : {},
  };
}

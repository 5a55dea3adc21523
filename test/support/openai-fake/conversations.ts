/** The Conversations API: create, retrieve, and list items. */
import { badRequest, notFound, sendJson, sendScriptedError, type Exchange } from './http';
import { appendItems, inputItems } from './items';
import { isObject, newId, nowSeconds } from './json';
import type { ConversationRecord } from './state';

export function createConversation(ex: Exchange): void {
  const { state, body } = ex;
  const behaviour = state.conversationScript.shift() ?? { kind: 'ok' };
  if (behaviour.kind === 'error') return sendScriptedError(ex, behaviour);
  if (behaviour.kind === 'hang') return;
  const resource = {
    id: newId('conv'),
    object: 'conversation',
    created_at: nowSeconds(),
    metadata: isObject(body.metadata) ? body.metadata : {},
  };
  const conversation: ConversationRecord = { resource, items: [], positions: new Map() };
  appendItems(conversation, Array.isArray(body.items) ? body.items.flatMap((item) => inputItems(item)) : []);
  state.conversations.set(resource.id, conversation);
  if (behaviour.kind === 'reset_after_accept') return void ex.req.socket.destroy();
  sendJson(ex, 200, 'ConversationResource', resource);
}

export function retrieveConversation(ex: Exchange, id: string): void {
  const conversation = ex.state.conversations.get(id);
  if (!conversation) return notFound(ex, 'Conversation', id);
  sendJson(ex, 200, 'ConversationResource', conversation.resource);
}

/** Lists items newest first (or `order=asc`), `limit` 1–100 (default 20), after the `after` cursor. */
export function listItems(ex: Exchange, id: string): void {
  const conversation = ex.state.conversations.get(id);
  if (!conversation) return notFound(ex, 'Conversation', id);
  const query = ex.url.searchParams;
  const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 20) || 20));
  const order = query.get('order') === 'asc' ? 'asc' : 'desc';
  let items = order === 'asc' ? [...conversation.items] : [...conversation.items].reverse();
  const after = query.get('after');
  if (after) {
    const cursor = conversation.positions.get(after);
    if (cursor === undefined) {
      return badRequest(ex, `Invalid 'after': no item with id '${after}' in this conversation.`, 'after');
    }
    const position = (item: { id?: unknown }) => conversation.positions.get(String(item.id)) ?? -1;
    items = items.filter((item) => (order === 'asc' ? position(item) > cursor : position(item) < cursor));
  }
  const data = items.slice(0, limit);
  sendJson(ex, 200, 'ConversationItemList', {
    object: 'list',
    data,
    // The description requires both ids as strings, even for an empty page.
    first_id: String(data[0]?.id ?? ''),
    last_id: String(data[data.length - 1]?.id ?? ''),
    has_more: items.length > limit,
  });
}

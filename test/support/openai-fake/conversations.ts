/** The Conversations API: create, retrieve, delete; list, retrieve and delete items. */
import { applyFault, isFault } from './faults';
import { badRequest, notFound, sendJson, type Exchange } from './http';
import { appendItems, inputItems } from './items';
import { isObject, newId, nowSeconds, type Json } from './json';
import type { ConversationRecord, State } from './state';

export function createConversation(ex: Exchange): void {
  const behaviour = ex.state.conversationScript.shift() ?? { kind: 'ok' };
  if (isFault(behaviour)) return applyFault(ex, behaviour, () => storeConversation(ex));
  storeConversation(ex);
}

function storeConversation(ex: Exchange): void {
  const { state, body } = ex;
  const resource = {
    id: newId('conv'),
    object: 'conversation',
    created_at: nowSeconds(),
    metadata: isObject(body.metadata) ? body.metadata : {},
  };
  const conversation: ConversationRecord = { resource, items: [], positions: new Map() };
  appendItems(conversation, Array.isArray(body.items) ? body.items.flatMap((item) => inputItems(item)) : []);
  state.conversations.set(resource.id, conversation);
  sendJson(ex, 200, 'ConversationResource', resource);
}

export function retrieveConversation(ex: Exchange, id: string): void {
  const conversation = ex.state.conversations.get(id);
  if (!conversation) return notFound(ex, 'Conversation', id);
  sendJson(ex, 200, 'ConversationResource', conversation.resource);
}

/** Deletes the conversation; its items stay stored (as the API documents), out of every endpoint's reach. */
export function deleteConversation(ex: Exchange, id: string): void {
  const { state } = ex;
  const conversation = state.conversations.get(id);
  if (!conversation) return notFound(ex, 'Conversation', id);
  state.conversations.delete(id);
  for (const item of conversation.items) {
    state.orphanedItems.push({ item, conversationId: id, metadata: conversation.resource.metadata });
  }
  sendJson(ex, 200, 'DeletedConversationResource', { id, object: 'conversation.deleted', deleted: true });
}

/**
 * Stores a response's output in its conversation; if the conversation was deleted while the
 * response ran, the items are stored all the same, out of reach like the conversation's others.
 */
export function storeOutput(state: State, conversationId: string, items: readonly Json[]): void {
  const conversation = state.conversations.get(conversationId);
  if (conversation) return appendItems(conversation, items);
  const metadata = state.orphanedItems.find((orphan) => orphan.conversationId === conversationId)?.metadata;
  for (const item of items) state.orphanedItems.push({ item, conversationId, metadata });
}

export function retrieveItem(ex: Exchange, id: string, itemId: string): void {
  const conversation = ex.state.conversations.get(id);
  if (!conversation) return notFound(ex, 'Conversation', id);
  const item = conversation.items.find((candidate) => candidate.id === itemId);
  if (!item) return notFound(ex, 'Item', itemId);
  sendJson(ex, 200, 'ConversationItem', item);
}

/** Deletes one item and answers with its conversation, as the API does. */
export function deleteItem(ex: Exchange, id: string, itemId: string): void {
  const conversation = ex.state.conversations.get(id);
  if (!conversation) return notFound(ex, 'Conversation', id);
  const index = conversation.items.findIndex((candidate) => candidate.id === itemId);
  if (index < 0) return notFound(ex, 'Item', itemId);
  conversation.items.splice(index, 1);
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

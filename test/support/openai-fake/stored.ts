/** What a test can ask about the fake's stored data: what exists, and whose it is. */
import { isObject, type Json } from './json';
import type { State } from './state';
import type { FakeStored } from './types';

export function storedState(state: State, owner?: string): FakeStored {
  const ownsConversation = (id: string, metadata: unknown): boolean =>
    owner === undefined ||
    (isObject(metadata) && metadata.user === owner) ||
    (state.conversationUsers.get(id)?.has(owner) ?? false);

  const conversations = [...state.conversations.values()]
    .filter((c) => ownsConversation(String(c.resource.id), c.resource.metadata))
    .map((c) => ({ id: String(c.resource.id), metadata: c.resource.metadata as Json }));

  const live = [...state.conversations.values()].flatMap((c) =>
    ownsConversation(String(c.resource.id), c.resource.metadata)
      ? c.items.map((item) => storedItem(item, String(c.resource.id), false))
      : [],
  );
  const orphaned = state.orphanedItems
    .filter((orphan) => ownsConversation(orphan.conversationId, orphan.metadata))
    .map((orphan) => storedItem(orphan.item, orphan.conversationId, true));

  const responses = [...state.responses.values()]
    .filter((r) => r.request.store !== false)
    .filter((r) => {
      if (owner === undefined || r.request.safety_identifier === owner) return true;
      if (r.conversationId === null) return false;
      return ownsConversation(r.conversationId, metadataOf(state, r.conversationId));
    })
    .map((r) => ({
      id: r.id,
      conversationId: r.conversationId,
      safetyIdentifier: typeof r.request.safety_identifier === 'string' ? r.request.safety_identifier : null,
      status: String(r.response.status),
    }));

  return { conversations, items: [...live, ...orphaned], responses };
}

/** A conversation's metadata, kept with its items after the conversation itself was deleted. */
function metadataOf(state: State, conversationId: string): unknown {
  return (
    state.conversations.get(conversationId)?.resource.metadata ??
    state.orphanedItems.find((orphan) => orphan.conversationId === conversationId)?.metadata
  );
}

function storedItem(item: Json, conversationId: string, conversationDeleted: boolean) {
  return { id: String(item.id), type: String(item.type), conversationId, conversationDeleted };
}

/** Conversation items: what an input becomes when stored, and the text an item carries. */
import { isObject, newId, type Json } from './json';
import type { ConversationRecord } from './state';
import { renderedText } from './tokens';

/**
 * The conversation items an input (string, message, compaction item or a list of them)
 * becomes. Other item types are not modelled and dropped; a `compaction_trigger` is an
 * instruction, not an item (see `context.ts`).
 */
export function inputItems(input: unknown): Json[] {
  if (typeof input === 'string') return [userMessage(input)];
  if (Array.isArray(input)) return input.flatMap((item) => inputItems(item));
  if (isObject(input) && input.type === 'compaction' && typeof input.encrypted_content === 'string') {
    // A CompactionSummaryItemParam: stored as the CompactionBody the API lists.
    const id = typeof input.id === 'string' ? input.id : newId('cmp');
    return [{ id, type: 'compaction', encrypted_content: input.encrypted_content }];
  }
  if (!isObject(input) || (input.type !== undefined && input.type !== 'message')) return [];
  const role = typeof input.role === 'string' ? input.role : 'user';
  const content =
    typeof input.content === 'string'
      ? [{ type: role === 'assistant' ? 'output_text' : 'input_text', text: input.content }]
      : Array.isArray(input.content)
        ? input.content
        : [];
  return [
    {
      type: 'message',
      id: newId('msg'),
      status: 'completed',
      role,
      content: content.map((part: unknown) =>
        isObject(part) && part.type === 'output_text' ? { annotations: [], logprobs: [], ...part } : part,
      ),
    },
  ];
}

export function userMessage(text: string): Json {
  return {
    type: 'message',
    id: newId('msg'),
    status: 'completed',
    role: 'user',
    content: [{ type: 'input_text', text }],
  };
}

/** Appends items to a conversation, remembering each one's position for pagination cursors. */
export function appendItems(conversation: ConversationRecord, items: readonly Json[]): void {
  for (const item of items) {
    conversation.positions.set(String(item.id), conversation.positions.size);
    conversation.items.push(item);
  }
}

export function textOfInput(input: unknown): string {
  if (typeof input === 'string') return input;
  return inputItems(input)
    .map((item) => textOfItem(item))
    .join('\n');
}

/** The text of a message item ('' for other items). */
export function textOfItem(item: Json): string {
  return item.type === 'compaction' ? '' : renderedText(item);
}

/** Conversation items: what an input becomes when stored, and the text an item carries. */
import { isObject, newId, type Json } from './json';
import type { ConversationRecord } from './state';

/** The conversation items an input (string, message or message list) becomes. */
export function inputItems(input: unknown): Json[] {
  if (typeof input === 'string') return [userMessage(input)];
  if (Array.isArray(input)) return input.flatMap((item) => inputItems(item));
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

export function textOfItem(item: Json): string {
  if (!Array.isArray(item.content)) return '';
  return item.content
    .map((part: unknown) => (isObject(part) && typeof part.text === 'string' ? part.text : ''))
    .join('');
}

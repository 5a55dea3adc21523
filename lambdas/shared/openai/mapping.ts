/** OpenAI's objects as the ports see them. */
import type { Response as OpenAIResponse } from 'openai/resources/responses/responses';
import type { ConversationItem } from 'openai/resources/conversations/items';
import { usageFromOpenAI } from '../coach/pricing';
import type { CoachPoll } from '../ports';

/** OpenAI's metadata limits: 16 keys, keys of at most 64 and values of at most 512 characters. */
const METADATA_MAX_KEYS = 16;
const METADATA_KEY_MAX = 64;
const METADATA_VALUE_MAX = 512;

/** A Response (streamed or retrieved) as the service sees it. */
export function pollFrom(response: OpenAIResponse): CoachPoll {
  const id = response.id;
  switch (response.status) {
    case 'completed': {
      const text = outputText(response);
      // A completed response with no text (all tokens spent reasoning) is no answer.
      if (text.trim() === '') return { status: 'failed', response_id: id, code: 'empty_output' };
      return {
        status: 'completed',
        response_id: id,
        text,
        model: response.model,
        usage: usageFromOpenAI(response.usage),
      };
    }
    case 'failed':
      return { status: 'failed', response_id: id, code: response.error?.code ?? 'failed' };
    case 'cancelled':
      return { status: 'cancelled', response_id: id, code: 'cancelled' };
    case 'incomplete':
      return {
        status: 'incomplete',
        response_id: id,
        code: response.incomplete_details?.reason ?? 'incomplete',
      };
    case 'queued':
      return { status: 'queued', response_id: id };
    default:
      // `in_progress`, or a status newer than this code: keep polling until the poller's timeout.
      return { status: 'in_progress', response_id: id };
  }
}

/** The assistant's text: every `output_text` (or refusal) part of every output message, in order. */
function outputText(response: OpenAIResponse): string {
  return response.output
    .map((item) =>
      item.type === 'message'
        ? item.content
            .map((part) =>
              part.type === 'output_text' ? part.text : part.type === 'refusal' ? part.refusal : '',
            )
            .join('')
        : '',
    )
    .join('');
}

export function isMessage(item: ConversationItem, role: 'user' | 'assistant'): boolean {
  return item.type === 'message' && item.role === role;
}

/** The text of a conversation message item (empty for other items). */
export function textOfItem(item: ConversationItem): string {
  if (item.type !== 'message') return '';
  return item.content
    .map((part) =>
      'text' in part && typeof part.text === 'string'
        ? part.text
        : 'refusal' in part
          ? String(part.refusal)
          : '',
    )
    .join('');
}

/** Metadata within OpenAI's limits (excess keys dropped, long keys and values cut). */
export function boundedMetadata(metadata: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(metadata)
      .slice(0, METADATA_MAX_KEYS)
      .map(([key, value]) => [key.slice(0, METADATA_KEY_MAX), value.slice(0, METADATA_VALUE_MAX)]),
  );
}

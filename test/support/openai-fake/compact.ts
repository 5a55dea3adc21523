/**
 * `POST /v1/responses/compact`: compacts a window on demand. Its output is what the API
 * documents, every user message of the window followed by one compaction item that replaces
 * everything else (assistant messages, earlier compaction items); the caller sends that
 * output as the next request's input. Nothing is stored.
 */
import { badRequest, notFound, sendJson, type Exchange } from './http';
import { inputItems } from './items';
import { newId, nowSeconds, type Json } from './json';
import { compactionItem, summaryTokens, tokensOfContext, tokensOfItem } from './tokens';

export function compactResponse(ex: Exchange): void {
  const { state, body } = ex;
  if (typeof body.model !== 'string' || body.model === '') {
    return badRequest(ex, "Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  }
  const previousId = body.previous_response_id;
  const previous = typeof previousId === 'string' ? state.responses.get(previousId) : undefined;
  if (typeof previousId === 'string' && (!previous || previous.request.store === false)) {
    return notFound(ex, 'Previous response', previousId, 'previous_response_id');
  }
  if (previous === undefined && (body.input === undefined || body.input === null)) {
    return badRequest(ex, "Either 'input' or 'previous_response_id' must be provided.", 'input');
  }
  const earlier = previous ? [...previous.rendered, ...(previous.response.output as Json[])] : [];
  const window = [...earlier, ...inputItems(body.input ?? [])];
  const isUserMessage = (item: Json) => item.type === 'message' && item.role === 'user';
  const replacedTokens = window
    .filter((item) => !isUserMessage(item))
    .reduce((sum, item) => sum + tokensOfItem(item), 0);
  const instructions = typeof body.instructions === 'string' ? body.instructions : '';
  const inputTokens = tokensOfContext(instructions, window);
  const outputTokens = summaryTokens(replacedTokens);
  sendJson(ex, 200, 'CompactResource', {
    id: newId('resp'),
    object: 'response.compaction',
    output: [...window.filter(isUserMessage), compactionItem(replacedTokens)],
    created_at: nowSeconds(),
    usage: {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: inputTokens + outputTokens,
    },
  });
}

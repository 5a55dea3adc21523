/**
 * Examples of the streamed chat's events (`../shared/contract/stream.ts`), one per event
 * name, built on the JSON route's reply example: `done` is exactly that body.
 */
import { RUN_ID_EXAMPLE } from '../shared/contract/routes';
import type { StreamEvent } from '../shared/contract/stream';
import { chatReplyExamples, type Examples } from './examples';

type Event = ReturnType<typeof StreamEvent.parse>;

const reply = chatReplyExamples.openai!.value;

const streamEventExamples: Examples<Event> = {
  meta: {
    summary: 'First: the turn is stored, and where its reply goes',
    value: {
      event: 'meta',
      data: { thread_id: reply.thread_id, user_message_id: reply.user_message_id, run_id: RUN_ID_EXAMPLE },
    },
  },
  delta: {
    summary: "Words of the reply as they are written; `id` is OpenAI's event number",
    description: 'Resume after it with `GET …/runs/{run_id}/stream?after=12` (or `Last-Event-ID: 12`).',
    value: { event: 'delta', id: '12', data: { text: 'Try ' } },
  },
  done: {
    summary: "Last: the JSON route's 200 body, the exchange recorded",
    value: { event: 'done', data: reply },
  },
  error: {
    summary: 'Last, instead of done: the turn failed after the stream started',
    value: {
      event: 'error',
      data: {
        code: 'upstream_unavailable',
        message: 'The coach could not answer right now; please try again.',
        request_id: '6a1f7e2b-9c3d-4b5e-8f1a-2d3c4b5a6e7f',
        retry_after_seconds: 10,
      },
    },
  },
};

/** Success response examples of the streamed routes, by operation id and status. */
export const STREAM_RESPONSE_EXAMPLES: Readonly<Record<string, Readonly<Record<number, Examples<unknown>>>>> =
  {
    streamChatMessage: { 200: streamEventExamples },
    resumeChatStream: { 200: streamEventExamples },
  };

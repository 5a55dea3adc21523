/**
 * The streamed chat's server-sent events: what each event's `data` holds, as the handlers send
 * it and the OpenAPI document describes it. A stream is `meta`, then `delta`s, then exactly one
 * of `done` (the JSON route's 200 body, sent once the exchange is recorded) or `error`.
 */
import * as z from 'zod';
import { ChatReply } from './schemas';

const uuid = z.uuid();

/** The turn being answered: where the reply goes, and the run to resume or poll if the stream breaks. */
export const StreamMeta = z
  .object({
    thread_id: z.string(),
    user_message_id: uuid,
    run_id: uuid.nullable().meta({
      description:
        'The run answering the message; null only for the replay of a message answered before (its `done` follows at once).',
    }),
  })
  .meta({ id: 'StreamMeta' });
export type StreamMeta = z.infer<typeof StreamMeta>;

/** Words of the reply as they arrive; the event's `id` is what `after` resumes from. */
export const StreamDelta = z.object({ text: z.string() }).meta({ id: 'StreamDelta' });
export type StreamDelta = z.infer<typeof StreamDelta>;

/** The stream ended without a reply; `code` is one of the route's error codes. */
export const StreamError = z
  .object({
    code: z.string(),
    message: z.string(),
    request_id: z.string(),
    retry_after_seconds: z.int().nonnegative().optional(),
  })
  .meta({ id: 'StreamError' });
export type StreamError = z.infer<typeof StreamError>;

/** Every event a chat stream sends, by its SSE `event` name. */
export const STREAM_EVENTS = {
  meta: StreamMeta,
  delta: StreamDelta,
  done: ChatReply,
  error: StreamError,
} as const;
export type StreamEventName = keyof typeof STREAM_EVENTS;

/** One event as the document describes it: its name and its `data` (JSON). */
export const StreamEvent = z
  .discriminatedUnion('event', [
    z.object({ event: z.literal('meta'), data: StreamMeta }),
    z.object({ event: z.literal('delta'), id: z.string(), data: StreamDelta }),
    z.object({ event: z.literal('done'), data: ChatReply }),
    z.object({ event: z.literal('error'), data: StreamError }),
  ])
  .meta({
    id: 'StreamEvent',
    description:
      'One server-sent event (`event:` its name, `data:` its JSON, `id:` on deltas). A stream is `meta`, `delta`…, then `done` or `error`. `done` may differ from the deltas joined (a fallback after OpenAI broke off): show `done.response`.',
  });

/** `?after=N`: resume after the delta whose `id` was N (the SSE `Last-Event-ID` header is read too). */
export const StreamResumeQuery = z
  .object({
    after: z.coerce.number().int().min(-1).max(1_000_000_000).optional().meta({
      description:
        'The `id` of the last delta received; the stream resumes after it. Absent: from the start.',
      example: 12,
    }),
  })
  .strict();

/** The stream route's description in the document (`./routes.ts`). */
export const STREAM_CHAT_DESCRIPTION = [
  'The same body, headers, idempotency, limits and refusals as `POST /functions/v1/openai-chat-completion` (a refusal before the stream starts is the same JSON error), answered with `text/event-stream`:',
  '- `meta`: `thread_id`, `user_message_id`, `run_id`, as soon as the turn is stored;',
  "- `delta`: `text`, the reply's words as they are written (each with an `id`);",
  "- `done`: exactly the JSON route's 200 body, once the exchange is recorded; the stream ends;",
  '- `error`: `code`, `message`, when the turn fails after the stream started; the stream ends.',
  'If the connection drops, the reply is still written and recorded: resume with `GET /functions/v1/openai-chat-completion/runs/{run_id}/stream?after=<last delta id>`, poll the run, or send the message again with the same key (either route returns the stored reply).',
].join('\n\n');

/** The resume route's description in the document. */
export const RESUME_STREAM_DESCRIPTION =
  "The events of a run (after a broken stream or a 202), from OpenAI's own stream of the response: `meta`, the deltas after `after` (or the `Last-Event-ID` header), then `done` (the run's reply, once recorded) or `error`. Another user's run is 404; a run whose chat rows the user deleted is 410 `answer_deleted`.";

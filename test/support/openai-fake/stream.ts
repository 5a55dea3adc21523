/** Server-sent events: a response's stored events replayed after a sequence number, then followed live. */
import { deliver, recordSent, type Exchange } from './http';
import { newId } from './json';
import type { StreamListener } from './state';
import type { FakeResponse } from './types';

/**
 * Streams the response's events after `startingAfter`, then follows it until it ends (or the
 * client leaves). `cutAfter` destroys the socket after that many events (a reset mid-stream);
 * a malformed exchange ends the stream cleanly in the middle of an event instead.
 */
export function openStream(
  ex: Exchange,
  target: FakeResponse,
  startingAfter: number,
  cutAfter: number,
): void {
  const { state, req, res } = ex;
  deliver(ex, () => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': newId('req'),
    });
    const truncateAfter = ex.malformedAfterEvents ?? Infinity;
    let written = 0;
    let ended = false;
    const listener: StreamListener = {
      write(event) {
        // After the cut nothing more is sent; the socket is destroyed once the cut is flushed.
        if (ended || res.destroyed || written >= cutAfter) return;
        const frame = `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`;
        if (written >= truncateAfter) {
          ended = true;
          return void res.end(frame.slice(0, Math.floor(frame.length / 2)));
        }
        recordSent(ex, 200, 'event', schemaForEvent(String(event.type)), event);
        written += 1;
        const cut = written >= cutAfter;
        res.write(frame, () => {
          if (cut) res.destroy();
        });
      },
      end() {
        if (ended || res.destroyed || written >= cutAfter) return;
        ended = true;
        res.end();
      },
    };
    for (const event of target.events)
      if (Number(event.sequence_number) > startingAfter) listener.write(event);
    const pending = state.pending.get(target.id);
    if (!pending) return listener.end();
    pending.listeners.add(listener);
    req.on('close', () => pending.listeners.delete(listener));
    res.on('close', () => pending.listeners.delete(listener));
  });
}

function schemaForEvent(type: string): string {
  const names: Record<string, string> = {
    'response.created': 'ResponseCreatedEvent',
    'response.queued': 'ResponseQueuedEvent',
    'response.in_progress': 'ResponseInProgressEvent',
    'response.output_item.added': 'ResponseOutputItemAddedEvent',
    'response.content_part.added': 'ResponseContentPartAddedEvent',
    'response.output_text.delta': 'ResponseTextDeltaEvent',
    'response.output_text.done': 'ResponseTextDoneEvent',
    'response.content_part.done': 'ResponseContentPartDoneEvent',
    'response.output_item.done': 'ResponseOutputItemDoneEvent',
    'response.completed': 'ResponseCompletedEvent',
    'response.failed': 'ResponseFailedEvent',
    'response.incomplete': 'ResponseIncompleteEvent',
    error: 'ResponseErrorEvent',
  };
  return names[type] ?? 'ResponseStreamEvent';
}

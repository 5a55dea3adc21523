/**
 * A streamed route over node:http, as API Gateway's streamed integration passes it on: the
 * status and headers once, then every chunk written (and so flushed) as the handler sends it,
 * chunked. A client that goes away ends nothing: the handler runs on and its writes are dropped.
 */
import type { ServerResponse } from 'node:http';
import type { ResponseSink } from '../lambdas/shared/sse';

/** What the streamed answer was, for the server's `onAnswer` (the contract check). */
export interface StreamedAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export async function streamTo(
  res: ServerResponse,
  run: (sink: ResponseSink) => Promise<void>,
): Promise<StreamedAnswer> {
  let status = 500;
  let headers: Readonly<Record<string, string>> = {};
  let body = '';
  const gone = () => res.destroyed || res.writableEnded;
  await run({
    open(statusCode, sent) {
      status = statusCode;
      headers = sent;
      if (gone()) return;
      res.writeHead(statusCode, { ...sent });
      res.flushHeaders();
    },
    write(chunk) {
      body += chunk;
      if (!gone()) res.write(chunk);
    },
    async end() {
      if (!gone()) await new Promise<void>((resolve) => res.end(() => resolve()));
    },
  });
  return { status, body, headers };
}

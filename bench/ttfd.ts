/**
 * Time to the first delta and to `done` through the local API's stream route (HTTP, token
 * check, the turn's prepare, the OpenAI adapter relaying the stream, the record), against
 * the OpenAI fake's own time to its first delta and to its completion for the same response.
 * What the backend adds before the first word is what a streamed reply's user waits for.
 */
import { randomUUID } from 'node:crypto';
import type { OpenAIFake } from '../test/support/openai-fake';
import { readEvents } from '../scripts/chat-stream';
import { benchMessage, nowMs, type BenchApi, type BenchUser } from './harness';
import { distribution, type Distribution } from './stats';

export interface TtfdResult {
  /** Request sent → first `delta` event read, ms. */
  readonly firstDeltaMs: Distribution;
  /** Request sent → `done` event read, ms. */
  readonly doneMs: Distribution;
  /** What the backend adds: first delta minus the fake's own first-token time. */
  readonly addedFirstMs: Distribution;
  /** `done` minus the fake's own total time (the record comes before `done`). */
  readonly addedDoneMs: Distribution;
  /** Streams that did not end in `done` with an OpenAI reply. */
  readonly failures: number;
}

interface Timed {
  readonly message: string;
  readonly startedAt: number;
  readonly firstDeltaAt: number | null;
  readonly doneAt: number | null;
  readonly openai: boolean;
}

async function streamOne(bench: BenchApi, user: BenchUser, message: string): Promise<Timed> {
  const startedAt = nowMs();
  const res = await fetch(`${bench.api.url}/openai-chat-completion/stream`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message, chat_type: 'pillar_health' }),
  });
  let firstDeltaAt: number | null = null;
  let doneAt: number | null = null;
  let openai = false;
  if (res.body) {
    for await (const event of readEvents(res.body)) {
      if (event.event === 'delta') firstDeltaAt ??= nowMs();
      if (event.event === 'done') {
        doneAt = nowMs();
        openai = (event.data as { variant?: unknown }).variant === 'openai';
      }
    }
  }
  return { message, startedAt, firstDeltaAt, doneAt, openai };
}

/** `messages` streamed one after another by one user; the fake streams from `firstTokenMs` to `latencyMs`. */
export async function measureTimeToFirstDelta(
  bench: BenchApi,
  fake: OpenAIFake,
  user: BenchUser,
  options: {
    readonly messages: number;
    readonly firstTokenMs: number;
    readonly latencyMs: number;
    readonly reply: string;
  },
): Promise<TtfdResult> {
  fake.setTiming({ firstTokenMs: options.firstTokenMs, latencyMs: options.latencyMs });
  fake.script(
    ...Array.from({ length: options.messages }, () => ({ kind: 'ok' as const, text: options.reply })),
  );
  const timed: Timed[] = [];
  for (let i = 0; i < options.messages; i++)
    timed.push(await streamOne(bench, user, benchMessage(randomUUID())));

  const fakeTimes = new Map<string, { first: number; total: number }>();
  for (const response of fake.responses.values()) {
    const { createdAtMs, firstDeltaAtMs, completedAtMs } = response.timing;
    if (typeof response.request.input === 'string' && firstDeltaAtMs !== null && completedAtMs !== null)
      fakeTimes.set(response.request.input, {
        first: firstDeltaAtMs - createdAtMs,
        total: completedAtMs - createdAtMs,
      });
  }
  const ok = timed.filter(
    (t) => t.openai && t.firstDeltaAt !== null && t.doneAt !== null && fakeTimes.has(t.message),
  );
  const first = (t: Timed) => (t.firstDeltaAt as number) - t.startedAt;
  const done = (t: Timed) => (t.doneAt as number) - t.startedAt;
  const own = (t: Timed) => fakeTimes.get(t.message) as { first: number; total: number };
  return {
    firstDeltaMs: distribution(ok.map(first)),
    doneMs: distribution(ok.map(done)),
    addedFirstMs: distribution(ok.map((t) => first(t) - own(t).first)),
    addedDoneMs: distribution(ok.map((t) => done(t) - own(t).total)),
    failures: timed.length - ok.length,
  };
}

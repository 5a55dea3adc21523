/**
 * The backend against the model's own time: each message's end-to-end time through the local
 * API (HTTP, token check, handlers, two round trips to PostgreSQL, the OpenAI adapter
 * following the stream) divided by the time the OpenAI fake itself took for that message's
 * response (from its creation to its `response.completed`, as the fake records it). A ratio
 * of 1.00 is a backend that adds nothing to the model's time.
 */
import { randomUUID } from 'node:crypto';
import type { OpenAIFake } from '../test/support/openai-fake';
import {
  benchMessage,
  BENCH_REPLY,
  sendMessage,
  type BenchApi,
  type BenchUser,
  type SentMessage,
} from './harness';
import { distribution, type Distribution } from './stats';

export interface TimedMessage extends SentMessage {
  /** The fake's own time for the response, ms; null when no completed response matched. */
  readonly modelMs: number | null;
}

export interface OverheadResult {
  readonly messages: readonly TimedMessage[];
  /** End-to-end time over the model's own time, per message answered by the model. */
  readonly ratio: Distribution;
  /** End-to-end time minus the model's own time, ms. */
  readonly addedMs: Distribution;
  readonly endToEndMs: Distribution;
  /** Answers that were not a 200 from the model (fallbacks, 202s, errors): each is a finding. */
  readonly notFromModel: number;
}

/** The fake's timing of the response to each message, found by the message's unique text. */
export function modelTimes(fake: OpenAIFake, sent: readonly SentMessage[]): TimedMessage[] {
  const byInput = new Map<string, number>();
  for (const response of fake.responses.values()) {
    const { createdAtMs, completedAtMs } = response.timing;
    if (typeof response.request.input === 'string' && completedAtMs !== null)
      byInput.set(response.request.input, completedAtMs - createdAtMs);
  }
  return sent.map((m) => ({ ...m, modelMs: byInput.get(m.message) ?? null }));
}

export function summarize(messages: readonly TimedMessage[]): OverheadResult {
  const answered = messages.filter(
    (m) => m.status === 200 && m.body.variant === 'openai' && m.body.fallback === false && m.modelMs !== null,
  );
  const e2e = (m: TimedMessage) => m.endedAt - m.startedAt;
  return {
    messages,
    ratio: distribution(answered.map((m) => e2e(m) / (m.modelMs as number))),
    addedMs: distribution(answered.map((m) => e2e(m) - (m.modelMs as number))),
    endToEndMs: distribution(messages.map(e2e)),
    notFromModel: messages.length - answered.length,
  };
}

/**
 * `users` send `perUser` messages each, one after another per user, all users at once; every
 * response takes `latencyMs` at the fake, its words streamed from `firstTokenMs` on.
 */
export async function measureOverhead(
  bench: BenchApi,
  fake: OpenAIFake,
  users: readonly BenchUser[],
  options: {
    readonly perUser: number;
    readonly latencyMs: number;
    readonly firstTokenMs: number;
    /** The reply, streamed one delta a word. */
    readonly reply?: string;
  },
): Promise<OverheadResult> {
  fake.setTiming({ firstTokenMs: options.firstTokenMs, latencyMs: options.latencyMs });
  fake.script(
    ...Array.from({ length: users.length * options.perUser }, () => ({
      kind: 'ok' as const,
      text: BENCH_REPLY,
    })),
  );
  const sent = await Promise.all(
    users.map(async (user) => {
      const mine: SentMessage[] = [];
      for (let i = 0; i < options.perUser; i++)
        mine.push(await sendMessage(bench.api, user, benchMessage(randomUUID())));
      return mine;
    }),
  );
  return summarize(modelTimes(fake, sent.flat()));
}

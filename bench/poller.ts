/**
 * Long replies: the chat answers 202 when the model outlasts the sync budget, and the
 * `RunPoller` state machine (the definition synthesized from lib/poller.ts, executed by the
 * local API) polls until it records the reply. The delay measured is from the model
 * finishing (the fake's `response.completed` time) to the poll step that recorded the reply
 * returning, with the definition's own waits: the delay a user of a long reply really waits
 * (small since each poll step follows the response's stream, `POLL_FOLLOW_MS`).
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

export interface PollerResult {
  readonly runs: number;
  /** 202 answers (every message should be one). */
  readonly pending: number;
  /** Model finished → reply stored, ms. */
  readonly delayMs: Distribution;
  /** How long the poll step that recorded the reply took (its retrieve and record), ms. */
  readonly recordingStepMs: Distribution;
  /** Poll steps per run, and each step's duration (all steps), for the cost of a long run. */
  readonly stepsPerRun: number;
  readonly stepMs: Distribution;
  /** Database round trips per long run, the chat's and the poller's. */
  readonly roundTripsPerRun: number;
  readonly unrecorded: number;
  /** One run and its owner's token, for timing the app's status poll. */
  readonly sample: { readonly runId: string; readonly token: string } | null;
}

/**
 * `users.length` messages at once, each a reply the fake finishes between `minMs` and
 * `maxMs` after its creation (spread evenly, so completions fall anywhere in the poll
 * schedule), against an API whose sync budget ends before any of them.
 */
export async function measurePollerDelay(
  bench: BenchApi,
  fake: OpenAIFake,
  users: readonly BenchUser[],
  options: { readonly minMs: number; readonly maxMs: number },
): Promise<PollerResult> {
  const callsBefore = bench.storeCalls.length;
  const stepsBefore = bench.pollSteps.length;
  const span = options.maxMs - options.minMs;
  const latencies = users.map(
    (_, i) => options.minMs + (users.length > 1 ? (span * i) / (users.length - 1) : 0),
  );
  fake.script(
    ...latencies.map((latencyMs) => ({
      kind: 'ok' as const,
      text: BENCH_REPLY,
      firstTokenMs: 300,
      latencyMs,
    })),
  );
  const sent = await Promise.all(
    users.map((user) => sendMessage(bench.api, user, benchMessage(randomUUID()))),
  );
  await bench.api.pollerIdle();

  const calls = bench.storeCalls.slice(callsBefore);
  const steps = bench.pollSteps.slice(stepsBefore);
  const runIds = new Set(sent.flatMap((m) => (m.status === 202 ? [String(m.body.run_id)] : [])));
  const delays: number[] = [];
  const recording: number[] = [];
  let unrecorded = 0;
  for (const runId of runIds) {
    const begun = calls.find((c) => c.method === 'beginPendingRun' && c.runId === runId);
    const completedAt = begun?.responseId ? fake.responses.get(begun.responseId)?.timing.completedAtMs : null;
    const recordingStep = steps.find((s) => s.runId === runId && s.outcome === 'completed');
    if (!completedAt || !recordingStep?.endedAt) {
      unrecorded += 1;
      continue;
    }
    delays.push(recordingStep.endedAt - completedAt);
    recording.push(recordingStep.endedAt - recordingStep.startedAt);
  }
  const runSteps = steps.filter((s) => runIds.has(s.runId));
  return {
    runs: users.length,
    pending: runIds.size,
    delayMs: distribution(delays),
    recordingStepMs: distribution(recording),
    stepsPerRun: runIds.size ? runSteps.length / runIds.size : NaN,
    stepMs: distribution(runSteps.flatMap((s) => (s.endedAt ? [s.endedAt - s.startedAt] : []))),
    // Only this phase's messages ran in the window: every call in it belongs to one of them.
    roundTripsPerRun: runIds.size ? calls.length / runIds.size : NaN,
    unrecorded,
    sample: pendingSample(sent),
  };
}

function pendingSample(sent: readonly SentMessage[]): PollerResult['sample'] {
  const first = sent.find((m) => m.status === 202);
  return first ? { runId: String(first.body.run_id), token: first.user.token } : null;
}

/**
 * `npm run bench`: what the backend adds to the model's own time and what a message costs,
 * as one table from one run, all on 127.0.0.1 (docs/performance.md explains every figure):
 *
 *   npm run bench [-- --json FILE] [--latency-ms N] [--c1-messages N] [--users N]
 *                 [--poller-runs N] [--turns N] [--messages-per-container N]
 *                 [--reply-words N] [--stream-messages N] [--bundle-runs N] [--no-bundles]
 *
 * Each measurement is a module of its own (`overhead.ts`, `tokens.ts`, `poller.ts`,
 * `cost.ts`, the bundle hook) returning figures; a new one (moderation, time to first delta)
 * is one more module and one more `figures.push`. Bounded: a few minutes on two cores.
 */
import './env';
import { parseArgs } from 'node:util';
import { localAuthenticator, LOCAL_DEFAULTS } from '../local/auth';
import { measureBundleFigures } from './bundles-hook';
import { awsCost, PRICES, type CostBreakdown } from './cost';
import { benchReply, nowMs, startHarness, type BenchApi } from './harness';
import { countStdout, progress } from './log-bytes';
import { measureOverhead, type OverheadResult } from './overhead';
import { measurePollerDelay } from './poller';
import { distribution, median, round } from './stats';
import { atMost, figure, formatTable, writeFigures, type Figure } from './table';
import { functionMemoryMb } from './template';
import { atTurn, maxOver, measureThreadTokens, worstCaseContextEstimate } from './tokens';
import { measureTimeToFirstDelta, type TtfdResult } from './ttfd';

const USAGE =
  'Usage: npm run bench [-- --json FILE] [--latency-ms N] [--c1-messages N] [--users N] [--poller-runs N] [--turns N] [--messages-per-container N] [--reply-words N] [--stream-messages N] [--bundle-runs N] [--no-bundles]';

function options() {
  const { values } = parseArgs({
    options: {
      json: { type: 'string' },
      'latency-ms': { type: 'string', default: '1500' },
      'c1-messages': { type: 'string', default: '40' },
      users: { type: 'string', default: '50' },
      'poller-runs': { type: 'string', default: '24' },
      turns: { type: 'string', default: '200' },
      'messages-per-container': { type: 'string', default: '10' },
      'reply-words': { type: 'string', default: '170' },
      'stream-messages': { type: 'string', default: '20' },
      'bundle-runs': { type: 'string', default: '3' },
      'no-bundles': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const whole = (name: keyof typeof values, min: number, max: number): number => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`--${name} takes a whole number from ${min} to ${max}. ${USAGE}`);
    return n;
  };
  return {
    json: values.json,
    latencyMs: whole('latency-ms', 100, 10_000),
    c1Messages: whole('c1-messages', 5, 500),
    users: whole('users', 2, 200),
    pollerRuns: whole('poller-runs', 2, 100),
    // Turns 5, 50 and 200 are the keys: at least 200.
    turns: whole('turns', 200, 1000),
    messagesPerContainer: whole('messages-per-container', 1, 10_000),
    replyWords: whole('reply-words', 1, 2000),
    streamMessages: whole('stream-messages', 2, 500),
    bundleRuns: whole('bundle-runs', 1, 50),
    bundles: !values['no-bundles'],
  };
}

/** Store calls per message over a window of the API's call log. */
function roundTrips(bench: BenchApi, from: number, messages: number): number {
  return (bench.storeCalls.length - from) / messages;
}

/** How long the authorizer's check of a token takes (the verifier of the deployed authorizer, HS256). */
async function authorizerMs(token: string): Promise<number> {
  const authenticate = localAuthenticator({ ...LOCAL_DEFAULTS });
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = nowMs();
    await authenticate(`Bearer ${token}`);
    samples.push(nowMs() - t0);
  }
  return median(samples);
}

function overheadFigures(label: string, result: OverheadResult, goals: boolean): Figure[] {
  const how = `${result.ratio.n} messages; end-to-end ÷ the fake's own time`;
  return [
    figure(`overhead.${label}.p50`, round(result.ratio.p50, 4), 3, {
      note: how,
      ...(goals ? { goal: atMost(result.ratio.p50, 1.02, '≤ 1.02') } : {}),
    }),
    figure(
      `overhead.${label}.p99`,
      round(result.ratio.p99, 4),
      3,
      goals ? { goal: atMost(result.ratio.p99, 1.1, '≤ 1.10') } : {},
    ),
    figure(`overhead_ms.${label}.p50`, round(result.addedMs.p50, 1), 1, {
      unit: 'ms',
      note: 'end-to-end minus the fake’s time',
    }),
    figure(`overhead_ms.${label}.p99`, round(result.addedMs.p99, 1), 1, { unit: 'ms' }),
  ];
}

function ttfdFigures(result: TtfdResult, firstTokenMs: number): Figure[] {
  return [
    figure('ttfd.p50', round(result.firstDeltaMs.p50, 0), 0, {
      unit: 'ms',
      goal: atMost(result.firstDeltaMs.p50, 1000, '≤ 1000'),
      note: `${result.firstDeltaMs.n} streams; request → first delta (the fake's first token at ${firstTokenMs} ms)`,
    }),
    figure('ttfd.p99', round(result.firstDeltaMs.p99, 0), 0, { unit: 'ms' }),
    figure('ttfd_added_ms.p50', round(result.addedFirstMs.p50, 1), 1, {
      unit: 'ms',
      note: "first delta minus the fake's own first-token time",
    }),
    figure('ttfd_added_ms.p99', round(result.addedFirstMs.p99, 1), 1, { unit: 'ms' }),
    figure('ttdone.p50', round(result.doneMs.p50, 0), 0, { unit: 'ms', note: 'request → done (recorded)' }),
    figure('ttdone_added_ms.p50', round(result.addedDoneMs.p50, 1), 1, {
      unit: 'ms',
      note: "done minus the fake's own total time",
    }),
  ];
}

async function main(): Promise<void> {
  const opts = options();
  const startedAt = Date.now();
  const stdout = countStdout();
  const figures: Figure[] = [];
  const harness = await startHarness();
  let cost: CostBreakdown | undefined;
  try {
    progress('starting the local API on PostgreSQL 17 and the OpenAI fake');
    const bench = await harness.startApi();
    const { fake } = harness;

    progress(`one thread of ${opts.turns} turns (input tokens, compaction, calls per message)`);
    const [threadUser] = await harness.users(1);
    const tokensFrom = bench.storeCalls.length;
    const tokens = await measureThreadTokens(bench, fake, threadUser!, opts.turns);
    const tokenTrips = roundTrips(bench, tokensFrom, opts.turns);

    progress(`c1: one user, ${opts.c1Messages} messages, the fake at ${opts.latencyMs} ms`);
    const [c1User] = await harness.users(1);
    const timing = {
      latencyMs: opts.latencyMs,
      firstTokenMs: Math.round(opts.latencyMs / 5),
      reply: benchReply(opts.replyWords),
    };
    const syncFrom = bench.storeCalls.length;
    stdout.reset();
    const c1 = await measureOverhead(bench, fake, [c1User!], { perUser: opts.c1Messages, ...timing });
    const c50From = bench.storeCalls.length;
    progress(`c${opts.users}: ${opts.users} users at once, 3 messages each`);
    const crowd = await harness.users(opts.users);
    const c50 = await measureOverhead(bench, fake, crowd, { perUser: 3, ...timing });
    const syncMessages = c1.messages.length + c50.messages.length;
    const callMs = (from: number, to?: number) =>
      distribution(bench.storeCalls.slice(from, to).map((c) => (c.endedAt ?? c.startedAt) - c.startedAt));
    const [c1Calls, c50Calls] = [callMs(syncFrom, c50From), callMs(c50From)];
    const handlerLogBytes = stdout.bytes() / syncMessages;
    const syncTrips = roundTrips(bench, syncFrom, syncMessages);
    const longRunShare =
      [...c1.messages, ...c50.messages].filter((m) => m.status === 202).length / syncMessages;

    progress(`streamed: one user, ${opts.streamMessages} messages on the stream route`);
    const [streamUser] = await harness.users(1);
    const ttfd = await measureTimeToFirstDelta(bench, fake, streamUser!, {
      messages: opts.streamMessages,
      ...timing,
    });

    progress(`long replies: ${opts.pollerRuns} runs past a 1 s sync budget, the poller's real waits`);
    const longApi = await harness.startApi({ CHAT_SYNC_BUDGET_MS: '1000' });
    const longUsers = await harness.users(opts.pollerRuns);
    const poller = await measurePollerDelay(longApi, fake, longUsers, { minMs: 2000, maxMs: 6000 });
    const runsMs = poller.sample ? await timeRunReads(longApi, poller.sample) : NaN;

    const authMs = await authorizerMs(c1User!.token);
    progress('synthesizing the stack for the functions’ memory sizes');
    const memory = functionMemoryMb();
    const e2eMean = distribution([...c1.messages, ...c50.messages].map((m) => m.endedAt - m.startedAt)).mean;
    cost = awsCost({
      chatMemoryMb: memory.chat,
      authorizerMemoryMb: memory.authorizer,
      pollerMemoryMb: memory.poller,
      runsMemoryMb: memory.runs,
      chatMs: e2eMean,
      authorizerMs: authMs,
      handlerLogBytesPerMessage: handlerLogBytes,
      messagesPerContainerWindow: opts.messagesPerContainer,
      longRunShare,
      longRun: {
        pollSteps: poller.stepsPerRun,
        pollStepMs: poller.stepMs.mean,
        // The app polls every retry_after_ms (2 s) from the 202 until the reply is there.
        appPolls: Math.ceil((opts.latencyMs + poller.delayMs.mean) / 2000),
        runsMs,
      },
    });

    const bundles = opts.bundles ? await measureBundleFigures(opts.bundleRuns) : null;

    const turn50 = atTurn(tokens, 50);
    const worstLate = maxOver(tokens, opts.turns - 49, opts.turns);
    const context = worstCaseContextEstimate();
    figures.push(
      ...overheadFigures('c1', c1, false),
      ...overheadFigures(`c${opts.users}`, c50, opts.users === 50),
      figure('store_call_ms.c1.p50', round(c1Calls.p50, 1), 1, {
        unit: 'ms',
        note: 'one round trip (a pooled pg connection; waiting for one included)',
      }),
      figure(`store_call_ms.c${opts.users}.p50`, round(c50Calls.p50, 1), 1, { unit: 'ms' }),
      figure(`store_call_ms.c${opts.users}.p99`, round(c50Calls.p99, 1), 1, { unit: 'ms' }),
      // Each of the 1 + users threads saves its new conversation before its first create: +1 each.
      figure('round_trips_per_message', round(syncTrips, 3), 2, {
        goal: atMost(
          Math.round(syncTrips * syncMessages),
          2 * syncMessages + 1 + opts.users,
          '= 2.00 (+1 per new thread)',
        ),
        note: `store calls ÷ ${syncMessages} messages (c1 and c${opts.users}); ${tokenTrips.toFixed(2)} over the long thread`,
      }),
      figure('openai_calls_per_message', round(tokens.openaiCalls / opts.turns, 4), 3, {
        goal: atMost(tokens.openaiCalls, opts.turns + 1, `1.00 (+1 conversation per thread)`),
        note: `${tokens.openaiCalls} model calls over a ${opts.turns}-turn thread`,
      }),
      figure('moderation_calls_per_message', round(tokens.moderationCalls / opts.turns, 3), 2, {
        note: 'counted at the fake: the message, then the reply',
      }),
      ...ttfdFigures(ttfd, timing.firstTokenMs),
      figure('poller_delay_ms.p50', round(poller.delayMs.p50, 0), 0, {
        unit: 'ms',
        goal: atMost(poller.delayMs.p50, 1000, '≤ 1000'),
        note: `${poller.delayMs.n} runs; model done → reply stored, the definition's waits`,
      }),
      figure('poller_delay_ms.p99', round(poller.delayMs.p99, 0), 0, { unit: 'ms' }),
      figure('poller_record_step_ms.p50', round(poller.recordingStepMs.p50, 1), 1, {
        unit: 'ms',
        note: 'the poll step that records the reply (following its stream, then the record)',
      }),
      figure('input_tokens.turn5', atTurn(tokens, 5), 0, {
        note: `pillar coach, compact_threshold ${tokens.threshold}`,
      }),
      figure('input_tokens.turn50', turn50, 0, {
        note: `compacted at turns ${tokens.compactedAt.join(', ') || 'none'}`,
      }),
      figure('input_tokens.turn200', atTurn(tokens, 200), 0),
      figure(`input_tokens.max_${opts.turns - 49}_${opts.turns}`, worstLate, 0, {
        goal: atMost(worstLate, 1.3 * turn50, `≤ 1.3 × turn 50 (${Math.round(1.3 * turn50)})`),
        note: 'the worst turn of the last 50: the sawtooth’s peak',
      }),
      figure('context_tokens', tokens.contextTokens, 0, {
        note: `this user’s context block (fake’s count; our estimate ${tokens.contextEstimate})`,
      }),
      figure('context_tokens_estimate_max', context.estimate, 0, {
        goal: atMost(context.estimate, 1500, '≤ 1500'),
        note: 'the largest context any data gives, by our high estimate',
      }),
      figure('aws_cost_per_1000_usd', round(cost.totalPer1000, 5), 4, {
        unit: 'USD',
        goal: atMost(cost.totalPer1000, 0.02, '≤ 0.02'),
        note: `OpenAI excluded; ${(longRunShare * 100).toFixed(1)} % long runs`,
      }),
      figure('aws_cost_per_1000_long_runs_usd', round(cost.longRunPer1000, 5), 4, {
        unit: 'USD',
        note: `what 1,000 long runs add (${poller.stepsPerRun.toFixed(1)} poll steps each)`,
      }),
    );
    if (bundles?.measured) {
      for (const [name, b] of Object.entries(bundles.figures.bundles))
        figures.push(figure(`bundles.${name}.kb`, b.kb, 1, { unit: 'kB' }));
      for (const [name, ms] of Object.entries(bundles.figures.cold_init_ms))
        figures.push(figure(`cold_init_ms.${name}`, ms, 1, { unit: 'ms' }));
    }
    stdout.stop();
    const note = (text: string) => console.log(text);
    note(formatTable(figures));
    note('');
    note(
      `AWS cost per 1,000 messages (us-east-1 prices checked ${PRICES.lambdaArmGbSecond.checked}; bench/cost.ts names each source):`,
    );
    for (const line of cost.lines) note(`  $${line.per1000.toFixed(5)}  ${line.item}`);
    note(
      `  Functions' memory (template): chat ${memory.chat} MB, authorizer ${memory.authorizer} MB, poller ${memory.poller} MB, runs ${memory.runs} MB.`,
    );
    if (bundles && !bundles.measured) note(`bundles and cold starts: not measured (${bundles.reason})`);
    if (c1.notFromModel + c50.notFromModel + tokens.failures + poller.unrecorded + ttfd.failures > 0) {
      note(
        `not answered by the model: c1 ${c1.notFromModel}, c${opts.users} ${c50.notFromModel}, thread ${tokens.failures}, streamed ${ttfd.failures}; long runs not recorded: ${poller.unrecorded}`,
      );
    }
    note(
      `${process.version}, ${Math.round((Date.now() - startedAt) / 1000)} s; figures are one run on this machine: rerun on a quiet one for comparisons.`,
    );
    if (opts.json) {
      writeFigures(opts.json, figures, {
        node: process.version,
        date: new Date().toISOString(),
        latency_ms: opts.latencyMs,
        users: opts.users,
        c1_messages: opts.c1Messages,
        poller_runs: opts.pollerRuns,
        turns: opts.turns,
        messages_per_container: opts.messagesPerContainer,
        reply_words: opts.replyWords,
      });
      note(`figures written to ${opts.json}`);
    }
  } finally {
    stdout.stop();
    await harness.close();
  }
}

/** The app's status poll (`GET …/runs/{run_id}`) of a finished run, timed: its Lambda's duration in the cost. */
async function timeRunReads(
  bench: BenchApi,
  sample: { readonly runId: string; readonly token: string },
): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = nowMs();
    const res = await fetch(`${bench.api.url}/openai-chat-completion/runs/${sample.runId}`, {
      headers: { authorization: `Bearer ${sample.token}` },
    });
    await res.text();
    samples.push(nowMs() - t0);
  }
  return median(samples);
}

await main();

/**
 * `npm run load`: N distinct users send messages for T seconds, each user one message at a
 * time (a closed loop, like the app), against the local API on the harness's PostgreSQL 17
 * with the OpenAI fake at a fixed latency; then every accepted message is accounted for in
 * the database. All on 127.0.0.1, bounded in users, seconds and messages.
 *
 *   npm run load [-- --users N] [--seconds T] [--latency-ms N] [--max-messages N]
 *
 * Accounting (`accounting.ts`): every 200 has its user row and its AI row, every 202 a run
 * that is pending or finished, and no client_message_id is stored twice.
 */
import './env';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { accountFor } from './accounting';
import { benchMessage, BENCH_REPLY, nowMs, sendMessage, startHarness, type SentMessage } from './harness';
import { countStdout, progress } from './log-bytes';
import { modelTimes, summarize } from './overhead';
import { round } from './stats';

const USAGE = 'Usage: npm run load [-- --users N] [--seconds T] [--latency-ms N] [--max-messages N]';

function options() {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '50' },
      seconds: { type: 'string', default: '30' },
      'latency-ms': { type: 'string', default: '1500' },
      'max-messages': { type: 'string', default: '5000' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const whole = (name: 'users' | 'seconds' | 'latency-ms' | 'max-messages', min: number, max: number) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`--${name} takes a whole number from ${min} to ${max}. ${USAGE}`);
    return n;
  };
  return {
    users: whole('users', 1, 200),
    seconds: whole('seconds', 1, 300),
    latencyMs: whole('latency-ms', 0, 10_000),
    maxMessages: whole('max-messages', 1, 20_000),
  };
}

async function main(): Promise<void> {
  const opts = options();
  const stdout = countStdout();
  const harness = await startHarness();
  try {
    const bench = await harness.startApi();
    const { fake } = harness;
    fake.setTiming({ firstTokenMs: Math.round(opts.latencyMs / 5), latencyMs: opts.latencyMs });
    const users = await harness.users(opts.users);
    progress(`${opts.users} users for ${opts.seconds} s, the fake at ${opts.latencyMs} ms`);

    const sent: SentMessage[] = [];
    const failures: string[] = [];
    const started = nowMs();
    const deadline = started + opts.seconds * 1000;
    await Promise.all(
      users.map(async (user) => {
        while (nowMs() < deadline && sent.length + failures.length < opts.maxMessages) {
          fake.script({ kind: 'ok', text: BENCH_REPLY });
          try {
            sent.push(
              await sendMessage(bench.api, user, benchMessage(randomUUID()), 'pillar_health', randomUUID()),
            );
          } catch (error) {
            failures.push(error instanceof Error ? error.name : 'unknown');
          }
        }
      }),
    );
    const elapsedS = (nowMs() - started) / 1000;
    await bench.api.pollerIdle();

    const account = await accountFor(harness.db.pool, users, sent);
    const overhead = summarize(modelTimes(fake, sent));
    stdout.stop();
    const statuses = new Map<number, number>();
    for (const m of sent) statuses.set(m.status, (statuses.get(m.status) ?? 0) + 1);
    const out = (text: string) => console.log(text);
    out(
      `load: ${opts.users} users × ${opts.seconds} s, the OpenAI fake at ${opts.latencyMs} ms per reply (${process.version})`,
    );
    out(
      `  messages sent       ${sent.length} (${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')}); client errors ${failures.length}`,
    );
    out(`  throughput          ${round(sent.length / elapsedS, 1)} messages/s over ${round(elapsedS, 1)} s`);
    out(
      `  latency             p50 ${round(overhead.endToEndMs.p50, 0)} ms, p99 ${round(overhead.endToEndMs.p99, 0)} ms, max ${round(overhead.endToEndMs.max, 0)} ms`,
    );
    out(
      `  overhead ratio      p50 ${overhead.ratio.p50.toFixed(3)}, p99 ${overhead.ratio.p99.toFixed(3)} (end-to-end ÷ the fake's own time; ${overhead.ratio.n} model replies)`,
    );
    out(`  accepted            ${account.accepted} (200: ${account.replied}, 202: ${account.pending})`);
    out(
      `  lost                ${account.lost.length}${account.lost.length ? `: ${account.lost.slice(0, 5).join('; ')}` : ''}`,
    );
    out(
      `  duplicated          ${account.duplicated.length}${account.duplicated.length ? `: ${account.duplicated.slice(0, 5).join('; ')}` : ''}`,
    );
    out(
      `  stored, not accepted ${account.unaccepted.length}${account.unaccepted.length ? `: ${account.unaccepted.slice(0, 5).join('; ')}` : ''}`,
    );
    out(
      `  database            ${account.userRows} user rows, ${account.aiRows} AI rows, ${account.runs} runs (${account.runStates})`,
    );
    if (account.lost.length + account.duplicated.length + account.unaccepted.length > 0) process.exitCode = 1;
  } finally {
    stdout.stop();
    await harness.close();
  }
}

await main();

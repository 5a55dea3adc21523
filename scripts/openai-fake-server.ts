/**
 * A stand-in for OpenAI on 127.0.0.1, for trying the local API's OpenAI path (long runs,
 * streaming at a realistic pace, compaction, the crisis path) without a key: the same fake
 * the tests use, shaped like the official API. `--help` lists the options.
 */
import { parseArgs } from 'node:util';
import { startOpenAIFake, type FakeBehaviour } from '../test/support/openai-fake';

const USAGE = `Usage: npx tsx scripts/openai-fake-server.ts [options]

  --port N            listen on 127.0.0.1:N (default: a free port)
  --first-token-ms N  every reply's first word streams N ms after its create (default 0)
  --latency-ms N      every reply completes N ms after its create, its words spread evenly
                      from the first token on (default: the first-token time)
  --slow N            every reply stays in progress for N polls (shows 202 → poll → completed
                      with a small CHAT_SYNC_BUDGET_MS)
  --compact N         compact at N tokens on every create that asks for compaction
                      (context_management), instead of its own threshold: compaction in a few turns
  --moderation-down   every moderation call answers 503 (shows the coach answering anyway)
  --turns N           how many replies --slow and --moderation-down apply to (default 100)
  --help              this text

Moderation flags self-harm by content ("I want to end my life", "hurt myself", …), so the
crisis reply can be tried from the chat.`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string' },
      'first-token-ms': { type: 'string' },
      'latency-ms': { type: 'string' },
      slow: { type: 'string', default: '0' },
      compact: { type: 'string' },
      'moderation-down': { type: 'boolean', default: false },
      turns: { type: 'string', default: '100' },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

/** A whole number ≥ `min` from a flag, or undefined when the flag is absent. */
function count(name: string, min = 0): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    fail(`--${name} must be a whole number ≥ ${min}, got '${String(raw)}'.`);
  return value;
}

const slow = count('slow') ?? 0;
const turns = count('turns', 1) ?? 100;
const fake = await startOpenAIFake({
  apiKey: 'sk-local-fake-not-a-real-key',
  port: count('port', 1),
  firstTokenMs: count('first-token-ms'),
  latencyMs: count('latency-ms'),
  compactThreshold: count('compact', 1),
});
if (slow > 0) {
  fake.script(
    ...Array.from({ length: turns }, (): FakeBehaviour => ({ kind: 'slow', pollsUntilDone: slow })),
  );
}
if (values['moderation-down']) {
  fake.scriptModerations(...Array.from({ length: turns }, () => ({ kind: 'error' as const, status: 503 })));
}

console.log(`OpenAI fake listening; start the local API with:`);
console.log(
  `  OPENAI_API_KEY=${fake.apiKey} OPENAI_BASE_URL=${fake.baseURL}${slow > 0 ? ' CHAT_SYNC_BUDGET_MS=1000' : ''} npm start`,
);
process.once('SIGINT', () => void fake.close().then(() => process.exit(0)));
process.once('SIGTERM', () => void fake.close().then(() => process.exit(0)));

/**
 * A stand-in for OpenAI on 127.0.0.1, for trying the local API's OpenAI path (and its long
 * runs) without a key: the same fake the tests use, shaped like the official API.
 *   npx tsx scripts/openai-fake-server.ts [--slow N] [--turns 100]
 * With --slow N every response stays in progress for N polls, so a small
 * CHAT_SYNC_BUDGET_MS on the local API shows the 202 → poll → completed path.
 */
import { parseArgs } from 'node:util';
import { startOpenAIFake } from '../test/support/openai-fake';

const { values } = parseArgs({
  options: { slow: { type: 'string', default: '0' }, turns: { type: 'string', default: '100' } },
});
const slow = Number(values.slow);
const fake = await startOpenAIFake({ apiKey: 'sk-local-fake-not-a-real-key' });
if (slow > 0) {
  fake.script(
    ...Array.from({ length: Number(values.turns) }, () => ({ kind: 'slow' as const, pollsUntilDone: slow })),
  );
}
console.log(`OpenAI fake listening; start the local API with:`);
console.log(
  `  OPENAI_API_KEY=${fake.apiKey} OPENAI_BASE_URL=${fake.baseURL}${slow > 0 ? ' CHAT_SYNC_BUDGET_MS=1000' : ''} npm start`,
);
process.once('SIGINT', () => void fake.close().then(() => process.exit(0)));
process.once('SIGTERM', () => void fake.close().then(() => process.exit(0)));

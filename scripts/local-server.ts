/**
 * `npm start`: the local API on http://127.0.0.1:${PORT:-3000}. Quiet Powertools defaults
 * are set before the handlers load (they read the environment at import time).
 */
process.env.POWERTOOLS_SERVICE_NAME ??= 'mivia-coach-local';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= process.env.LOG_LEVEL ?? 'WARN';

export {};

const { startLocalApi } = await import('../local/server');

const port = Number(process.env.PORT ?? 3000);
const api = await startLocalApi({ port });
const coach = process.env.OPENAI_API_KEY
  ? `OpenAI${process.env.OPENAI_BASE_URL ? ` at ${process.env.OPENAI_BASE_URL}` : ''}`
  : 'simulated coach (set OPENAI_API_KEY for OpenAI)';
const database = api.database.kind === 'pglite' ? 'embedded PGlite' : 'PostgreSQL from DATABASE_URL';

console.log(`MiVia coach API ready on ${api.url} (${database}, ${coach})`);
console.log(`Demo user ${api.userId}; dev token (valid 12 h):`);
console.log(api.token);
console.log('');
console.log(`Try: curl -s ${api.url}/openai-chat-completion -H "Authorization: Bearer <token>" \\`);
console.log(
  `       -H 'content-type: application/json' -d '{"message":"I slept badly, any tips?","chat_type":"pillar_health"}'`,
);
console.log(`Or:  npm run chat`);

const stop = async () => {
  await api.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());

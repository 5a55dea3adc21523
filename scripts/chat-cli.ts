/**
 * `npm run chat`: chat with the coach from a terminal, through the API, as the app does.
 *
 *   npm start                      # in another terminal: the local API
 *   npm run chat                   # interactive: `you> ` prompt, spinner, replies as they stream
 *   npm run chat -- --no-stream    # the JSON route: each reply whole
 *   printf 'hi\nthanks\n' | npm run --silent chat -- --json   # one message per line
 *
 * Token: `--token`, else MIVIA_TOKEN, else (local URLs only) a dev token for the demo user,
 * signed like `npm run dev-token` does. Exit status: 0, or 1 when a piped message failed,
 * 2 on bad usage.
 */
import { parseArgs } from 'node:util';
import { runChat } from './chat-session';

const USAGE = `usage: npm run chat -- [options]

  --url <url>          functions base URL (default http://127.0.0.1:\${PORT:-3000}/functions/v1)
  --token <jwt>        Supabase access token (default: $MIVIA_TOKEN, else a local dev token)
  --chat-type <type>   general, pillar_health, journal_reflection, … (default general)
  --goal <uuid>        goal_id to talk about
  --thread <id>        thread_id to continue (default: the user's thread of that coach)
  --json               print each reply (or error body) as one JSON line
  --no-stream          the JSON route: the whole reply at once (default: the words as they arrive)
  --max-wait <s>       longest wait for one reply, polling included (default 300)
  -h, --help           this text

Interactive on a terminal (/quit to leave); with piped input, one message per line.`;

function isLocal(url: string): boolean {
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** A dev token for local mode's demo user, as `npm run dev-token` prints it. */
async function localDevToken(): Promise<string> {
  const [{ signLocalDevToken }, { DEMO_USER_ID }] = await Promise.all([
    import('../local/auth'),
    import('../db/fixtures'),
  ]);
  return signLocalDevToken(process.env, process.env.DEV_TOKEN_USER_ID ?? DEMO_USER_ID);
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        'chat-type': { type: 'string' },
        goal: { type: 'string' },
        thread: { type: 'string' },
        json: { type: 'boolean', default: false },
        'no-stream': { type: 'boolean', default: false },
        'max-wait': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }

  const url = values.url ?? `http://127.0.0.1:${process.env.PORT ?? 3000}/functions/v1`;
  const maxWaitSeconds = values['max-wait'] === undefined ? 300 : Number(values['max-wait']);
  if (!Number.isFinite(maxWaitSeconds) || maxWaitSeconds <= 0) {
    console.error(`--max-wait must be a positive number of seconds\n\n${USAGE}`);
    return 2;
  }
  let token = values.token ?? process.env.MIVIA_TOKEN;
  if (!token) {
    if (!isLocal(url)) {
      console.error(`${url} is not local: pass --token <Supabase access token> or set MIVIA_TOKEN.`);
      return 2;
    }
    token = await localDevToken();
  }

  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const result = await runChat({
    url,
    token,
    chatType: values['chat-type'],
    goalId: values.goal,
    threadId: values.thread,
    json: values.json,
    stream: !values['no-stream'],
    maxWaitMs: maxWaitSeconds * 1000,
    input: process.stdin,
    output: process.stdout,
    errorOutput: process.stderr,
    signal: controller.signal,
  });
  const interactive = Boolean(process.stdin.isTTY);
  return !interactive && result.failed > 0 ? 1 : 0;
}

process.exitCode = await main();

/**
 * `npm run --silent dev-token`: prints a token for the local API's demo user, signed with the
 * local HS256 secret (SUPABASE_JWT_SECRET, default: the Supabase CLI's local one).
 *
 * `npm run --silent dev-token -- --user <uuid>` (or DEV_TOKEN_USER_ID): a token for another
 * local user, to try cohorts and limits from a terminal against `npm start`. The token is
 * signed here, offline; the local API creates that user (auth user and profile) on the first
 * request it sees with it (local/database.ts ensureUser), in its own database, the in-memory
 * one included.
 */
import { parseArgs } from 'node:util';
import { DEMO_USER_ID } from '../db/fixtures';
import { signLocalDevToken } from '../local/auth';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const USAGE = 'usage: npm run --silent dev-token [-- --user <uuid>]';

function userId(): string {
  const { values } = parseArgs({ options: { user: { type: 'string' } } });
  const id = values.user ?? process.env.DEV_TOKEN_USER_ID ?? DEMO_USER_ID;
  if (!UUID.test(id))
    throw new Error(`the user must be a UUID (Supabase user ids are), not ${JSON.stringify(id)}`);
  return id.toLowerCase();
}

try {
  const token = await signLocalDevToken(process.env, userId());
  process.stdout.write(`${token}\n`);
} catch (error) {
  console.error(`dev-token: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exitCode = 2;
}

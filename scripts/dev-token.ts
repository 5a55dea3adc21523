/**
 * `npm run --silent dev-token`: prints a token for the local API's demo user, signed with
 * the local HS256 secret (SUPABASE_JWT_SECRET, default: the Supabase CLI's local one).
 */
import { DEMO_USER_ID } from '../db/fixtures';
import { signLocalDevToken } from '../local/auth';

const token = await signLocalDevToken(process.env, process.env.DEV_TOKEN_USER_ID ?? DEMO_USER_ID);
process.stdout.write(`${token}\n`);

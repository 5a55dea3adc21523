/**
 * `npm run --silent dev-token`: prints a token for the local API's demo user, signed with
 * the local HS256 secret (SUPABASE_JWT_SECRET, default: the Supabase CLI's local one).
 */
import { DEMO_USER_ID } from '../db/fixtures';
import { signDevToken } from '../lambdas/shared/dev-token';
import { LOCAL_DEFAULTS } from '../local/auth';

const token = await signDevToken({
  userId: process.env.DEV_TOKEN_USER_ID ?? DEMO_USER_ID,
  secret: process.env.SUPABASE_JWT_SECRET ?? LOCAL_DEFAULTS.SUPABASE_JWT_SECRET,
  issuer: `${process.env.SUPABASE_URL ?? LOCAL_DEFAULTS.SUPABASE_URL}/auth/v1`,
});
process.stdout.write(`${token}\n`);

/**
 * The world the property suites attack: a fresh test database (the app's existing rows and
 * our migrations), the OpenAI fake, every route function's real handler (`local/handlers.ts`)
 * behind the real authorizer (`test/support/gateway.ts`), an attacker with a thread, an AI
 * message, a run and an erasure of their own, and another user whose ids the attacker tries.
 * `send` counts every request and every 5xx; `sendWritingNothing` also asserts that a 4xx
 * changed no row of any table.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK } from 'jose';
import { createOpenAIDataEraser } from '../../../lambdas/ai-data/openai';
import { createAuthorizer } from '../../../lambdas/authorizer/handler';
import type { VerifierConfig } from '../../../lambdas/authorizer/verifier';
import { ROUTE_LIST, ROUTES, type OperationId, type Route } from '../../../lambdas/shared/contract/routes';
import { localHandlers } from '../../../local/handlers';
import type { Runtime } from '../../../local/runtime';
import type { Reply } from '../../support/api';
import { buildTestRuntime, type TestRuntime } from '../../support/chat-runtime';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { gateway, type Gateway, type GatewayRequest } from '../../support/gateway';
import { startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';
import { changedTables, rowFingerprinter, type RowFingerprinter } from '../../support/row-fingerprint';
import { insertUser } from '../../support/users';
import {
  AUDIENCE,
  HS256_SECRET,
  ISSUER,
  localJwks,
  signWithKey,
  signWithSecret,
  signingKey,
  unsignedToken,
  type SigningKey,
} from '../../unit/auth/tokens';

/**
 * The routes the suites cover: every route of the contract but the streamed chat, which
 * answers server-sent events and has its own suite.
 */
export const COVERED_ROUTES: readonly Route[] = ROUTE_LIST.filter((route) => !route.path.endsWith('/stream'));

/** The ids one user owns, as the routes take them. */
export interface OwnedIds {
  readonly userId: string;
  readonly goalId: string;
  /** Their general coach thread's `thread_id` (a `conv_…` id). */
  readonly threadId: string;
  /** An AI row of theirs in journal_ai_chats. */
  readonly aiMessageId: string;
  /** A run of theirs in chat_runs. */
  readonly runId: string;
  /** An erasure of theirs (of an earlier, empty state: it erased nothing they have now). */
  readonly erasureId: string;
}

/** Tokens signed before the runs (signing is async, arbitraries are not), by what is wrong with them. */
export type TokenKind =
  | 'valid_es256'
  | 'valid_hs256'
  | 'valid_anonymous'
  | 'valid_unknown_user'
  | 'other_valid'
  | 'expired'
  | 'expired_hs256'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'role_anon'
  | 'role_service'
  | 'sub_not_uuid'
  | 'no_sub'
  | 'no_exp'
  | 'wrong_secret'
  | 'unknown_key_same_kid'
  | 'unknown_kid'
  | 'alg_none'
  | 'hs256_with_public_key'
  | 'object_kid'
  | 'crit_header'
  | 'payload_swapped'
  | 'other_users_sub_forged';

/**
 * Kinds API Gateway lets through to the handler: the attacker's, the other user's own
 * (`other_valid`), and a user that does not exist.
 */
export const ACCEPTED_TOKENS: ReadonlySet<TokenKind> = new Set([
  'valid_es256',
  'valid_hs256',
  'valid_anonymous',
  'valid_unknown_user',
  'other_valid',
]);

/** What one route was sent. */
export interface Tally {
  readonly tried: number;
  readonly serverErrors: number;
}

export interface World {
  readonly db: TestDatabase;
  readonly fake: OpenAIFake;
  readonly runtime: Runtime;
  readonly attacker: OwnedIds;
  readonly other: OwnedIds;
  readonly tokens: Readonly<Record<TokenKind, string>>;
  /** The request through the gateway; counted. */
  send(request: GatewayRequest): Promise<Reply>;
  /** `send`, asserting that the answer is no 5xx and that a 4xx wrote nothing. */
  sendWritingNothing(request: GatewayRequest): Promise<Reply>;
  /** Per route (operation id): how many requests were sent, and how many got a 5xx. */
  tally(): ReadonlyMap<string, Tally>;
  close(): Promise<void>;
}

export function route(id: OperationId): Route {
  return ROUTES[id];
}

/** High per-user limits: the suites send hundreds of messages from one user. */
const ROOMY_LIMITS = {
  RATE_LIMIT_PER_MINUTE: '100000',
  DAILY_MESSAGE_LIMIT_PER_USER: '100000',
  DAILY_TOKEN_LIMIT_PER_USER: '100000000',
  DAILY_COST_LIMIT_USD_PER_USER: '1000',
  GLOBAL_DAILY_COST_BUDGET_USD: '100000',
};

export async function startWorld(): Promise<World> {
  const db = await createTestDatabase();
  const fake = await startOpenAIFake();
  const base: TestRuntime = await buildTestRuntime({ databaseUrl: db.url, openai: fake, env: ROOMY_LIMITS });
  const runtime: Runtime = {
    ...base.runtime,
    eraser: createOpenAIDataEraser({
      apiKey: fake.apiKey,
      baseURL: fake.baseURL,
      timeoutMs: 2000,
      maxRetries: 1,
    }),
    // The erasures finish within the request here; a hand-over would be recorded, not run.
    erasures: { start: async () => undefined },
  };
  const es256 = await signingKey('ES256');
  const verifier: VerifierConfig = {
    mode: 'both',
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: localJwks(es256),
    hs256Secret: async () => HS256_SECRET,
  };
  const stage: Gateway = gateway(
    createAuthorizer(() => verifier),
    localHandlers(async () => runtime).json,
  );
  const attackerUser = await insertUser(db.pool, 'Mallory');
  const otherUser = await insertUser(db.pool, 'Olivia');
  const tokens = await signTokens(es256, attackerUser.id, otherUser.id);

  let tallies = new Map<string, Tally>();
  const send = async (request: GatewayRequest): Promise<Reply> => {
    const id = request.route.operationId;
    const seen = tallies.get(id) ?? { tried: 0, serverErrors: 0 };
    tallies.set(id, { ...seen, tried: seen.tried + 1 });
    const reply = await stage.send(request);
    if (reply.status >= 500) {
      const counted = tallies.get(id) ?? seen;
      tallies.set(id, { ...counted, serverErrors: counted.serverErrors + 1 });
    }
    return reply;
  };
  const attacker = await ownedIds(send, `Bearer ${tokens.valid_es256}`, attackerUser, db);
  const other = await ownedIds(send, `Bearer ${tokens.other_valid}`, otherUser, db);
  const fingerprinter = await rowFingerprinter(db.pool);
  // The set-up's own requests are not the suite's.
  tallies = new Map();

  return {
    db,
    fake,
    runtime,
    attacker,
    other,
    tokens,
    send,
    sendWritingNothing: (request) => sendWritingNothing(send, fingerprinter, request),
    tally: () => tallies,
    async close() {
      await base.close();
      await fake.close();
      await db.drop();
    },
  };
}

async function sendWritingNothing(
  send: (request: GatewayRequest) => Promise<Reply>,
  fingerprinter: RowFingerprinter,
  request: GatewayRequest,
): Promise<Reply> {
  const before = await fingerprinter.take();
  const reply = await send(request);
  const answer = () =>
    `${request.route.operationId} answered ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`;
  if (reply.status >= 500) throw new Error(`a 5xx: ${answer()}`);
  if (reply.status >= 400) {
    const changed = changedTables(before, await fingerprinter.take());
    if (changed.length > 0) throw new Error(`a 4xx wrote rows (${changed.join('; ')}): ${answer()}`);
  }
  return reply;
}

/**
 * A user's own thread, AI message, run and erasure, made through the API as the app would:
 * an erasure first (of nothing yet), then one chat turn.
 */
async function ownedIds(
  send: (request: GatewayRequest) => Promise<Reply>,
  authorization: string,
  user: { readonly id: string; readonly goalId: string },
  db: TestDatabase,
): Promise<OwnedIds> {
  const headers = { authorization, 'content-type': 'application/json' };
  const erased = await send({
    route: ROUTES.manageAiData,
    headers,
    body: JSON.stringify({ action: 'delete' }),
  });
  const chat = await send({
    route: ROUTES.sendChatMessage,
    headers,
    body: JSON.stringify({ message: 'Setting the scene: my evening walks.', goal_id: user.goalId }),
  });
  if (erased.status !== 200 || chat.status !== 200) {
    throw new Error(
      `world set-up failed: erasure ${erased.status}, chat ${chat.status} ${JSON.stringify(chat.body)}`,
    );
  }
  const { rows } = await db.pool.query<{ id: string }>(`select id from public.chat_runs where user_id = $1`, [
    user.id,
  ]);
  if (!rows[0]) throw new Error('world set-up: the turn left no chat_runs row');
  return {
    userId: user.id,
    goalId: user.goalId,
    threadId: String(chat.body.thread_id),
    aiMessageId: String(chat.body.message_id),
    runId: rows[0].id,
    erasureId: String(erased.body.erasure_id),
  };
}

async function signTokens(
  es256: SigningKey,
  attackerId: string,
  otherId: string,
): Promise<Record<TokenKind, string>> {
  const now = Math.floor(Date.now() / 1000);
  const as = { sub: attackerId };
  // Another key under the published key's id: the header matches, the signature cannot.
  const stranger: SigningKey = { ...(await signingKey('ES256')), kid: es256.kid };
  const valid = await signWithKey(es256, as);
  const forgedOther = await signWithKey(stranger, { sub: otherId });
  const [header, , signature] = valid.split('.');
  const otherValid = await signWithKey(es256, { sub: otherId });
  const otherPayload = otherValid.split('.')[1];
  const publicKeyAsSecret = JSON.stringify(await exportJWK(es256.publicKey));
  const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const withHeader = (extra: Record<string, unknown>) =>
    `${segment({ alg: 'ES256', typ: 'JWT', kid: es256.kid, ...extra })}.${valid.split('.')[1]}.${signature}`;
  return {
    valid_es256: valid,
    valid_hs256: await signWithSecret(HS256_SECRET, as),
    valid_anonymous: await signWithKey(es256, { ...as, is_anonymous: true }),
    // A signed-in user whose account is gone (deleted after the token was issued).
    valid_unknown_user: await signWithKey(es256, { sub: randomUUID() }),
    other_valid: otherValid,
    expired: await signWithKey(es256, { ...as, iat: now - 7200, exp: now - 3600 }),
    expired_hs256: await signWithSecret(HS256_SECRET, { ...as, iat: now - 7200, exp: now - 60 }),
    not_yet_valid: await signWithKey(es256, { ...as, nbf: now + 3600 }),
    wrong_issuer: await signWithKey(es256, { ...as, iss: 'https://evil.example.com/auth/v1' }),
    wrong_audience: await signWithKey(es256, { ...as, aud: 'anon' }),
    role_anon: await signWithKey(es256, { ...as, role: 'anon' }),
    role_service: await signWithKey(es256, { ...as, role: 'service_role' }),
    sub_not_uuid: await signWithKey(es256, { sub: "' or 1=1 --" }),
    no_sub: await signWithKey(es256, { sub: undefined }),
    no_exp: await signWithKey(es256, { ...as, exp: undefined }),
    wrong_secret: await signWithSecret('another-secret-of-at-least-thirty-two-characters', as),
    unknown_key_same_kid: await signWithKey(stranger, as),
    unknown_kid: await signWithKey(es256, as, randomUUID()),
    alg_none: unsignedToken(as),
    hs256_with_public_key: await signWithSecret(publicKeyAsSecret, as),
    object_kid: withHeader({ kid: { $ne: null } }),
    crit_header: withHeader({ crit: ['exp'], exp: now }),
    payload_swapped: `${header}.${otherPayload}.${signature}`,
    other_users_sub_forged: forgedOther,
  };
}

/**
 * Prints the suite's figures, one line per route and a total: the lines the closing notes
 * quote. Written to stdout directly, so jest neither buffers nor decorates them.
 */
export function reportTally(suite: string, world: World | undefined): void {
  if (!world) return;
  let tried = 0;
  let serverErrors = 0;
  const lines: string[] = [];
  for (const [operationId, tally] of [...world.tally()].sort(([a], [b]) => a.localeCompare(b))) {
    tried += tally.tried;
    serverErrors += tally.serverErrors;
    lines.push(
      `properties: ${suite}: ${operationId}: requests tried ${tally.tried}, 5xx: ${tally.serverErrors}\n`,
    );
  }
  lines.push(`properties: ${suite}: all routes: requests tried ${tried}, 5xx: ${serverErrors}\n`);
  process.stdout.write(lines.join(''));
}

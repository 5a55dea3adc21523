/**
 * A minimal PostgREST stand-in for tests: `POST /rest/v1/rpc/{fn}` on 127.0.0.1, so the real
 * supabase-js client (and our supabase transport) runs against the test Postgres.
 *
 * It does what PostgREST does for an RPC call: take the JWT from `Authorization: Bearer`
 * (else `apikey`), verify it (HS256) and switch to its `role` claim for one transaction,
 * with the claims in `request.jwt.claims`; find the function in `public` by name and
 * argument names (else 404 PGRST202); call it with named arguments; answer its JSON, or the
 * error as `{code, message, details, hint}` with PostgREST's status mapping
 * (docs.postgrest.org, references/errors: 42501 → 401 for anon, 403 otherwise; P0001 → 400;
 * 08* → 503; …). Unreachable database → 503 PGRST000.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

export interface PostgrestServer {
  /** The Supabase project URL to give `createClient` (the API lives under `/rest/v1`). */
  readonly url: string;
  readonly anonKey: string;
  readonly serviceRoleKey: string;
  /** Signs a token with the server's secret (e.g. an `authenticated` user's). */
  sign(claims: Record<string, unknown>): string;
  close(): Promise<void>;
}

const ROLES = new Set(['anon', 'authenticated', 'service_role']);

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export function signJwt(claims: Record<string, unknown>, secret: string): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ iss: 'supabase-test', iat: now, exp: now + 3600, ...claims }));
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

type Verified = { readonly claims: Record<string, unknown> } | { readonly error: PostgrestErrorBody };

interface PostgrestErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details: string | null;
  readonly hint: string | null;
}

const jwtError = (code: string, message: string): Verified => ({
  error: { code, message, details: null, hint: null },
});

function verifyJwt(token: string, secret: string): Verified {
  const parts = token.split('.');
  if (parts.length !== 3) return jwtError('PGRST301', 'Expected 3 parts in JWT; got ' + parts.length);
  const [header, payload, signature] = parts as [string, string, string];
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const actual = Buffer.from(signature, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return jwtError('PGRST301', 'JWSError JWSInvalidSignature');
  }
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return jwtError('PGRST301', 'JWT could not be decoded');
  }
  if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now())
    return jwtError('PGRST303', 'JWT expired');
  if (typeof claims.role !== 'string' || !ROLES.has(claims.role)) {
    return jwtError('PGRST301', `role "${String(claims.role)}" does not exist`);
  }
  return { claims };
}

/** PostgREST's SQLSTATE → HTTP status table. */
export function httpStatusOf(sqlstate: string, role: string): number {
  if (sqlstate === '42501') return role === 'anon' ? 401 : 403;
  const exact: Record<string, number> = {
    '23503': 409,
    '23505': 409,
    '25006': 405,
    '53400': 500,
    P0001: 400,
    '42883': 404,
    '42P01': 404,
    '42P17': 500,
  };
  if (exact[sqlstate] !== undefined) return exact[sqlstate];
  const byClass: Array<[RegExp, number]> = [
    [/^08/, 503],
    [/^09/, 500],
    [/^0L/, 403],
    [/^0P/, 403],
    [/^25/, 500],
    [/^28/, 403],
    [/^2D/, 500],
    [/^3[89B]/, 500],
    [/^40/, 500],
    [/^53/, 503],
    [/^5[4578]/, 500],
    [/^(F0|HV|P0|XX)/, 500],
  ];
  return byClass.find(([pattern]) => pattern.test(sqlstate))?.[1] ?? 400;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startPostgrestServer(options: {
  readonly databaseUrl: string;
  readonly jwtSecret?: string;
}): Promise<PostgrestServer> {
  const secret = options.jwtSecret ?? randomBytes(32).toString('hex');
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 8, connectionTimeoutMillis: 2_000 });
  pool.on('error', () => undefined); // an idle client dropped by the server; the next request reconnects

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/rest\/v1\/rpc\/([^/?]+)(\?.*)?$/.exec(req.url ?? '');
    if (!match || req.method !== 'POST') {
      send(res, 404, {
        code: 'PGRST125',
        message: 'Invalid path specified in request URL',
        details: null,
        hint: null,
      });
      return;
    }
    const fn = decodeURIComponent(match[1] ?? '');

    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const apikey = req.headers.apikey;
    const token = bearer ?? (typeof apikey === 'string' ? apikey : undefined);
    let claims: Record<string, unknown> = { role: 'anon' };
    if (token) {
      const verified = verifyJwt(token, secret);
      if ('error' in verified) {
        send(res, 401, verified.error);
        return;
      }
      claims = verified.claims;
    }
    const role = String(claims.role);

    let args: Record<string, unknown>;
    try {
      const raw = await readBody(req);
      const parsed: unknown = raw === '' ? {} : JSON.parse(raw);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not an object');
      args = parsed as Record<string, unknown>;
    } catch {
      send(res, 400, { code: 'PGRST102', message: 'Empty or invalid json', details: null, hint: null });
      return;
    }

    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      send(res, 503, {
        code: 'PGRST000',
        message: 'Could not connect with the database',
        details: String(error),
        hint: null,
      });
      return;
    }
    try {
      // The "schema cache": a function in public with exactly these argument names.
      const names = Object.keys(args).sort();
      const found = await client.query(
        `select 1 from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
          where n.nspname = 'public' and p.proname = $1
            and coalesce(array(select unnest(p.proargnames) order by 1), '{}') = $2::text[]`,
        [fn, names],
      );
      if (found.rowCount === 0 || !/^[a-z_][a-z0-9_]*$/.test(fn)) {
        send(res, 404, {
          code: 'PGRST202',
          message: `Could not find the function public.${fn}(${names.join(', ')}) in the schema cache`,
          details:
            'Searched for the function with the given argument names, but no matches were found in the schema cache.',
          hint: null,
        });
        return;
      }
      const namedArgs = names.map((name, i) => `${name} => $${i + 1}`).join(', ');
      const values = names.map((name) => JSON.stringify(args[name]));
      await client.query('begin');
      try {
        await client.query(`set local role ${role}`); // role is one of ROLES
        await client.query(`select pg_catalog.set_config('request.jwt.claims', $1, true)`, [
          JSON.stringify(claims),
        ]);
        const result = await client.query<{ r: unknown }>(`select public.${fn}(${namedArgs}) as r`, values);
        await client.query('commit');
        send(res, 200, result.rows[0]?.r ?? null);
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        const e = error as { code?: string; message?: string; detail?: string; hint?: string };
        const code = e.code ?? 'XX000';
        send(res, httpStatusOf(code, role), {
          code,
          message: e.message ?? String(error),
          details: e.detail ?? null,
          hint: e.hint ?? null,
        });
      }
    } catch (error) {
      send(res, 503, {
        code: 'PGRST001',
        message: 'Database connection error',
        details: String(error),
        hint: null,
      });
    } finally {
      client.release();
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        send(res, 500, { code: 'PGRST000', message: String(error), details: null, hint: null });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    anonKey: signJwt({ role: 'anon' }, secret),
    serviceRoleKey: signJwt({ role: 'service_role' }, secret),
    sign: (claims) => signJwt(claims, secret),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}

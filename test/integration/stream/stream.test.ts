/**
 * The streamed chat end to end over HTTP: the event sequence and a `done` equal to the JSON
 * route's body for the same turn, recorded once; a client that leaves mid-stream (the reply
 * still recorded, charged once); resuming after a delta; a long reply followed past the sync
 * budget while the poller records it; the simulated coach streaming its text; refusals before
 * the stream as JSON, failures after it as `error` events; the crisis reply of a flagged message streamed too. Every answer is contract-checked.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { LocalApi } from '../../../local/server';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startOpenAIFake, type OpenAIFake } from '../../support/openai-fake';
import { countRows } from '../../support/users';
import {
  CHAT,
  STREAM,
  dataOf,
  deltasOf,
  eventNames,
  readThenLeave,
  request,
  runStream,
  startStreamApi,
  streamUser,
  textOf,
  type StreamUser,
} from './harness';

let db: TestDatabase;
let fake: OpenAIFake;
let api: LocalApi;
let strictApi: LocalApi;
let user: StreamUser;

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startOpenAIFake();
  api = await startStreamApi(db, fake, { CHAT_SYNC_BUDGET_MS: '10000' });
  // No fallback: a failed OpenAI turn ends in an error rather than the simulated coach.
  strictApi = await startStreamApi(db, fake, { FALLBACK_ENABLED: 'false' });
});

afterAll(async () => {
  await api?.close();
  await strictApi?.close();
  await fake?.close();
  await db?.drop();
});

beforeEach(async () => {
  fake.reset();
  user = await streamUser(db);
});

/** What the fake answers when a test scripts it: a reply of a dozen words. */
const REPLY = 'Try a short walk after dinner, then dim the lights an hour before bed tonight.';

const message = (text = 'I slept badly again, any tips?', key: string = randomUUID()) => ({
  message: text,
  chat_type: 'pillar_health',
  client_message_id: key,
});

async function rows(userId: string) {
  return {
    chats: await countRows(db.pool, 'public.journal_ai_chats', userId),
    usage: await countRows(db.pool, 'public.openai_usage_logs', userId),
    runs: await countRows(db.pool, 'public.chat_runs', userId),
  };
}

/** Reads until `done` holds, for work that goes on after the client has left. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return read();
}

describe('POST …/openai-chat-completion/stream', () => {
  it("sends meta, OpenAI's deltas and done, done being the JSON route's body for the same turn, recorded once", async () => {
    fake.script({ kind: 'ok', text: REPLY, firstTokenMs: 50, latencyMs: 400 });
    const body = message();
    const streamed = await request(api, user, STREAM, { body });

    expect(streamed.status).toBe(200);
    expect(streamed.contentType).toMatch(/^text\/event-stream/);
    const names = streamed.events.map((e) => e.event);
    expect(names[0]).toBe('meta');
    expect(names.at(-1)).toBe('done');
    expect(deltasOf(streamed.events).length).toBeGreaterThan(3);
    const done = dataOf(streamed.events, 'done')!;
    const meta = dataOf(streamed.events, 'meta')!;
    expect(done).toMatchObject({ variant: 'openai', fallback: false });
    // The deltas are OpenAI's own, in order: their ids are its sequence numbers.
    expect(textOf(streamed.events)).toBe(REPLY);
    expect(done.response).toBe(REPLY);
    const ids = deltasOf(streamed.events).map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(meta).toEqual({
      thread_id: done.thread_id,
      user_message_id: done.user_message_id,
      run_id: expect.any(String),
    });

    // The JSON route returns the stored reply for the same key: the same body, nothing sent twice.
    const json = await request(api, user, CHAT, { body });
    expect(json.status).toBe(200);
    expect(json.json).toEqual(done);
    expect(fake.count('responses.create')).toBe(1);
    expect(await rows(user.id)).toEqual({ chats: 2, usage: 1, runs: 1 });
  });

  it('streams the crisis reply for a message moderation flags, without sending it to the coach', async () => {
    const crisis = 'I want to kill myself, I cannot do this any more';
    const streamed = await request(api, user, STREAM, { body: message(crisis) });

    expect(streamed.status).toBe(200);
    expect(eventNames(streamed.events)[0]).toBe('meta');
    expect(eventNames(streamed.events).at(-1)).toBe('done');
    const done = dataOf(streamed.events, 'done')!;
    expect(done).toMatchObject({ variant: 'safety', fallback: false, model_used: 'mivia-safety-reply' });
    expect(textOf(streamed.events)).toBe(done.response);
    expect(done.response).toContain('988');
    expect(fake.count('responses.create')).toBe(0);
    expect(
      fake.requestsTo('POST', '/v1/moderations').map((r) => (r.body as { input: string }).input),
    ).toEqual([crisis]);
    const { rows: events } = await db.pool.query<{ action: string; source: string }>(
      'select action, source from public.safety_events where user_id = $1',
      [user.id],
    );
    expect(events).toEqual([{ action: 'crisis_reply', source: 'user_message' }]);
  });

  it('replays a message answered on the JSON route as the stored reply, streamed, without calling OpenAI', async () => {
    const body = message();
    const json = await request(api, user, CHAT, { body });
    expect(json.status).toBe(200);

    const replay = await request(api, user, STREAM, { body });
    expect(replay.events.map((e) => e.event)).toEqual([
      'meta',
      ...deltasOf(replay.events).map(() => 'delta'),
      'done',
    ]);
    expect(dataOf(replay.events, 'meta')).toMatchObject({ run_id: null, thread_id: json.json!.thread_id });
    expect(dataOf(replay.events, 'done')).toEqual(json.json);
    expect(textOf(replay.events)).toBe(json.json!.response);
    expect(fake.count('responses.create')).toBe(1);
    expect(await rows(user.id)).toEqual({ chats: 2, usage: 1, runs: 1 });
  });

  it('records the reply of a client that left mid-stream, charged once; a retry on either route gets it', async () => {
    fake.script({ kind: 'ok', text: REPLY, firstTokenMs: 50, latencyMs: 1500 });
    const body = message();
    const seen = await readThenLeave(api, user, body, (events) => deltasOf(events).length >= 1);
    expect(eventNames(seen)).toEqual(['meta', 'delta']);

    const after = await eventually(
      () => rows(user.id),
      (r) => r.chats === 2,
    );
    expect(after).toEqual({ chats: 2, usage: 1, runs: 1 });
    const retried = await request(api, user, STREAM, { body });
    expect(dataOf(retried.events, 'done')).toMatchObject({ response: REPLY, variant: 'openai' });
    const json = await request(api, user, CHAT, { body });
    expect(json.json).toEqual(dataOf(retried.events, 'done'));
    expect(fake.count('responses.create')).toBe(1);
    expect(await rows(user.id)).toEqual({ chats: 2, usage: 1, runs: 1 });
  });

  it('streams the simulated coach too: its text as deltas, then done', async () => {
    await db.pool.query('insert into public.user_ai_settings (user_id, openai_enabled) values ($1, false)', [
      user.id,
    ]);
    const streamed = await request(api, user, STREAM, { body: message() });
    const done = dataOf(streamed.events, 'done')!;
    expect(done).toMatchObject({ variant: 'simulated', fallback: false });
    expect(deltasOf(streamed.events).length).toBeGreaterThan(1);
    expect(textOf(streamed.events)).toBe(done.response);
    expect(dataOf(streamed.events, 'meta')).toMatchObject({ run_id: expect.any(String) });
    expect(fake.count('responses.create')).toBe(0);
  });

  it('follows a reply past the sync budget while the poller records it, then sends the recorded reply', async () => {
    const slowApi = await startStreamApi(db, fake, { CHAT_SYNC_BUDGET_MS: '1000' });
    try {
      fake.script({ kind: 'ok', text: REPLY, firstTokenMs: 100, latencyMs: 3000 });
      const streamed = await request(slowApi, user, STREAM, { body: message() });
      const done = dataOf(streamed.events, 'done')!;
      expect(done).toMatchObject({ response: REPLY, variant: 'openai' });
      // Every delta once, in order, across the hand-over to the poller.
      expect(textOf(streamed.events)).toBe(REPLY);
      const ids = deltasOf(streamed.events).map((e) => Number(e.id));
      expect(new Set(ids).size).toBe(ids.length);
      await slowApi.pollerIdle();
      expect(await rows(user.id)).toEqual({ chats: 2, usage: 1, runs: 1 });
    } finally {
      await slowApi.close();
    }
  });

  it('refuses a bad request with the JSON error, before any event, and stores nothing', async () => {
    const refused = await request(api, user, STREAM, { body: { message: '   ' } });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ code: 'validation_failed' });
    const mismatch = await request(api, user, STREAM, {
      body: message(),
      headers: { 'Idempotency-Key': randomUUID() },
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json).toMatchObject({ code: 'idempotency_key_mismatch' });
    expect(await rows(user.id)).toEqual({ chats: 0, usage: 0, runs: 0 });
  });

  it('ends with an error event when OpenAI fails after the stream started, and keeps nothing of the turn', async () => {
    fake.script({ kind: 'fail', code: 'server_error', firstTokenMs: 50 });
    const streamed = await request(strictApi, user, STREAM, { body: message() });
    expect(streamed.status).toBe(200);
    expect(streamed.events.map((e) => e.event)).toEqual(['meta', 'error']);
    expect(dataOf(streamed.events, 'error')).toMatchObject({
      code: 'upstream_unavailable',
      message: expect.any(String),
      retry_after_seconds: expect.any(Number),
    });
    // Released: a retry with the same key may proceed.
    expect(await rows(user.id)).toMatchObject({ chats: 0, usage: 0 });
  });
});

describe('GET …/runs/{run_id}/stream', () => {
  it("resumes after delta N from OpenAI's own stream, then the recorded reply; the owner only", async () => {
    fake.setTiming({ firstTokenMs: 20, latencyMs: 200 });
    const first = await request(api, user, STREAM, { body: message() });
    const runId = String(dataOf(first.events, 'meta')!.run_id);
    const ids = deltasOf(first.events).map((e) => Number(e.id));
    const n = ids[2]!;

    const resumed = await request(api, user, `${runStream(runId)}?after=${n}`);
    expect(resumed.events[0]).toMatchObject({ event: 'meta', data: dataOf(first.events, 'meta') });
    expect(deltasOf(resumed.events).map((e) => Number(e.id))).toEqual(ids.filter((id) => id > n));
    expect(
      textOf(first.events.filter((e) => e.event === 'delta' && Number(e.id) <= n)) + textOf(resumed.events),
    ).toBe(textOf(first.events));
    expect(dataOf(resumed.events, 'done')).toEqual(dataOf(first.events, 'done'));

    // The SSE reconnection header says the same as `after`.
    const byHeader = await request(api, user, runStream(runId), { headers: { 'Last-Event-ID': String(n) } });
    expect(deltasOf(byHeader.events).map((e) => Number(e.id))).toEqual(ids.filter((id) => id > n));

    const stranger = await streamUser(db);
    const foreign = await request(api, stranger, runStream(runId));
    expect(foreign.status).toBe(404);
    expect(foreign.json).toMatchObject({ code: 'run_not_found' });
    const invalid = await request(api, user, `${runStream(runId)}?after=soon`);
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({ code: 'validation_failed' });
    expect(await rows(user.id)).toEqual({ chats: 2, usage: 1, runs: 1 });
  });
});

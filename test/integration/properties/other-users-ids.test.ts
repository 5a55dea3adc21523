/**
 * Another user's ids, wherever a route takes an id (goals, threads, AI messages, runs,
 * erasures, the legacy `user_id`), sent by a signed-in attacker: always a 4xx that writes
 * nothing and tells nothing of the other user, however the id is spelled (a UUID's case,
 * for one, does not change which row it names).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ROUTES, type OperationId } from '../../../lambdas/shared/contract/routes';
import type { GatewayRequest } from '../../support/gateway';
import { RUNS, attackerRequest, expectRefused, validBody } from './requests';
import { reportTally, startWorld, type OwnedIds, type World } from './world';

let world: World;

beforeAll(async () => {
  world = await startWorld();
});

afterAll(async () => {
  reportTally("other users' ids", world);
  await world?.close();
});

/** Where a route takes an id: a body field (with the rest of a valid body) or a path parameter. */
interface IdSlot {
  readonly operationId: OperationId;
  readonly id: keyof OwnedIds;
  /** The body field, or the path parameter, that carries it. */
  readonly field: string;
  readonly in: 'body' | 'path';
  /** The body it goes in, when not the route's valid one. */
  readonly body?: Record<string, unknown>;
}

const SLOTS: readonly IdSlot[] = [
  { operationId: 'sendChatMessage', id: 'goalId', field: 'goal_id', in: 'body' },
  { operationId: 'sendChatMessage', id: 'threadId', field: 'thread_id', in: 'body' },
  { operationId: 'sendChatMessage', id: 'userId', field: 'user_id', in: 'body' },
  { operationId: 'manageThreads', id: 'threadId', field: 'thread_id', in: 'body' },
  {
    operationId: 'manageThreads',
    id: 'userId',
    field: 'user_id',
    in: 'body',
    body: { action: 'get_threads' },
  },
  {
    operationId: 'manageThreads',
    id: 'userId',
    field: 'user_id',
    in: 'body',
    body: { action: 'get_or_create', assistant_type: 'general_coach' },
  },
  { operationId: 'buildUserContext', id: 'goalId', field: 'goal_id', in: 'body' },
  { operationId: 'buildUserContext', id: 'userId', field: 'user_id', in: 'body' },
  { operationId: 'sendChatFeedback', id: 'aiMessageId', field: 'message_id', in: 'body' },
  { operationId: 'manageAiData', id: 'userId', field: 'user_id', in: 'body' },
  { operationId: 'manageAiData', id: 'userId', field: 'user_id', in: 'body', body: { action: 'delete' } },
  { operationId: 'getChatRun', id: 'runId', field: 'run_id', in: 'path' },
  { operationId: 'getAiDataErasure', id: 'erasureId', field: 'erasure_id', in: 'path' },
];

/** Spellings of one id that name the same row wherever the id is a UUID. */
const spelling = fc.constantFrom<(id: string) => string>(
  (id) => id,
  (id) => id.toUpperCase(),
  (id) => id.replace(/[a-f]/, (c) => c.toUpperCase()),
);

function requestWith(slot: IdSlot, value: string): GatewayRequest {
  const route = ROUTES[slot.operationId];
  const authorization = `Bearer ${world.tokens.valid_es256}`;
  if (slot.in === 'path')
    return attackerRequest(route, world.attacker, authorization, { pathParameters: { [slot.field]: value } });
  const body = { ...(slot.body ?? validBody(route, world.attacker)), [slot.field]: value };
  return attackerRequest(route, world.attacker, authorization, { body: JSON.stringify(body) });
}

describe("another user's ids", () => {
  it('are refused with a 4xx that writes nothing and names nothing of theirs, on every route that takes an id', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SLOTS), spelling, async (slot, spell) => {
        const theirs = world.other[slot.id];
        const reply = await world.sendWritingNothing(requestWith(slot, spell(theirs)));
        expectRefused(reply);
        const text = JSON.stringify(reply.body).toLowerCase();
        for (const id of Object.values(world.other)) expect(text).not.toContain(id.toLowerCase());
      }),
      { numRuns: Math.max(RUNS, 2 * SLOTS.length) },
    );
  });

  it('are refused with the code each route documents for them, each slot tried once', async () => {
    const codes: Record<string, unknown> = {};
    for (const slot of SLOTS) {
      const reply = await world.sendWritingNothing(requestWith(slot, world.other[slot.id]));
      expectRefused(reply);
      codes[`${slot.operationId}.${slot.field}${slot.body ? `(${String(slot.body.action)})` : ''}`] =
        reply.body.code;
    }
    expect(codes).toEqual({
      'sendChatMessage.goal_id': 'goal_forbidden',
      'sendChatMessage.thread_id': 'thread_forbidden',
      'sendChatMessage.user_id': 'user_mismatch',
      'manageThreads.thread_id': 'thread_not_found',
      'manageThreads.user_id(get_threads)': 'user_mismatch',
      'manageThreads.user_id(get_or_create)': 'user_mismatch',
      'buildUserContext.goal_id': 'goal_forbidden',
      'buildUserContext.user_id': 'user_mismatch',
      'sendChatFeedback.message_id': 'message_not_found',
      'manageAiData.user_id': 'user_mismatch',
      'manageAiData.user_id(delete)': 'user_mismatch',
      'getChatRun.run_id': 'run_not_found',
      'getAiDataErasure.erasure_id': 'erasure_not_found',
    });
  });

  it("leave the other user's own requests answered as before", async () => {
    // The attacker's attempts changed nothing of theirs: their thread, run and erasure still read back.
    const other = `Bearer ${world.tokens.other_valid}`;
    const run = await world.send(
      attackerRequest(ROUTES.getChatRun, world.other, other, {
        pathParameters: { run_id: world.other.runId },
      }),
    );
    const erasure = await world.send(
      attackerRequest(ROUTES.getAiDataErasure, world.other, other, {
        pathParameters: { erasure_id: world.other.erasureId },
      }),
    );
    const threads = await world.send(
      attackerRequest(ROUTES.manageThreads, world.other, other, {
        body: JSON.stringify({ action: 'get_threads' }),
      }),
    );
    expect([run.status, erasure.status, threads.status]).toEqual([200, 200, 200]);
    expect(run.body).toMatchObject({ status: 'completed', thread_id: world.other.threadId });
    expect(threads.body).toEqual([expect.objectContaining({ thread_id: world.other.threadId })]);
  });
});

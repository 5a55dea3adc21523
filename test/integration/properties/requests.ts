/**
 * The requests the suites start from: for each covered route, a valid request of the attacker
 * (which a hostile change then spoils), and the bound on how many cases each property tries.
 */
import { expect } from '@jest/globals';
import type { Route } from '../../../lambdas/shared/contract/routes';
import type { Reply } from '../../support/api';
import type { GatewayRequest } from '../../support/gateway';
import type { OwnedIds } from './world';

/**
 * Cases per property. Small enough for CI (every suite is a few hundred requests); set
 * `MIVIA_PROPERTY_RUNS` for a deeper search on a workstation.
 */
export const RUNS = Number(process.env.MIVIA_PROPERTY_RUNS ?? 20);

/** A valid body of `route` for `ids`' owner; null for a route without a body. */
export function validBody(route: Route, ids: OwnedIds): Record<string, unknown> | null {
  switch (route.operationId) {
    case 'sendChatMessage':
      return {
        message: 'How do I keep walking when it rains?',
        chat_type: 'pillar_health',
        goal_id: ids.goalId,
      };
    case 'manageThreads':
      return { action: 'update_interaction', thread_id: ids.threadId };
    case 'buildUserContext':
      return { chat_type: 'pillar_health', goal_id: ids.goalId };
    case 'sendChatFeedback':
      return { message_id: ids.aiMessageId, rating: 'down', comment: 'Too long.' };
    case 'manageAiData':
      // Not `delete`: the attacker's ids must outlive the suite.
      return { action: 'export' };
    default:
      return null;
  }
}

/** The path parameters of `route` naming `ids`' own run or erasure; null for a route without any. */
export function ownParams(route: Route, ids: OwnedIds): Record<string, string> | null {
  if (route.operationId === 'getChatRun') return { run_id: ids.runId };
  if (route.operationId === 'getAiDataErasure') return { erasure_id: ids.erasureId };
  return null;
}

/** The attacker's valid request of `route`, with `changes` applied. */
export function attackerRequest(
  route: Route,
  ids: OwnedIds,
  authorization: string,
  changes: Partial<GatewayRequest> = {},
): GatewayRequest {
  const body = validBody(route, ids);
  return {
    route,
    headers: { authorization, 'content-type': 'application/json' },
    body: body === null ? null : JSON.stringify(body),
    pathParameters: ownParams(route, ids),
    ...changes,
  };
}

/** A refusal: a 4xx whose JSON error body has a code (the contract check has made sure it is documented). */
export function expectRefused(reply: Reply, code?: string): void {
  expect(reply.status).toBeGreaterThanOrEqual(400);
  expect(reply.status).toBeLessThan(500);
  expect(typeof reply.body.code).toBe('string');
  if (code !== undefined) expect(reply.body.code).toBe(code);
}

/** A 2xx, or a refusal as `expectRefused` has it: never a 5xx (nor a 3xx). */
export function expectAnsweredOrRefused(reply: Reply): void {
  if (reply.status >= 200 && reply.status < 300) return;
  expectRefused(reply);
}

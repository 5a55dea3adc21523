/** Scripted faults: what each one does to an exchange before (or instead of) the endpoint's work. */
import { sendScriptedError, type Exchange } from './http';
import { later } from './state';
import type { FakeFault } from './types';

const FAULT_KINDS = new Set<string>([
  'error',
  'hang',
  'reset_before_accept',
  'reset_after_accept',
  'slow_first_byte',
  'malformed',
]);

/** Malformed streams send this many whole events before the cut one, unless told otherwise. */
const MALFORMED_AFTER_EVENTS = 2;

export function isFault<T extends { readonly kind: string }>(
  behaviour: T,
): behaviour is Extract<T, FakeFault> {
  return FAULT_KINDS.has(behaviour.kind);
}

/**
 * Applies a fault, calling `proceed` when the endpoint's work should still happen (with the
 * answer reset, delayed or cut as the fault says).
 */
export function applyFault(ex: Exchange, fault: FakeFault, proceed: () => void): void {
  switch (fault.kind) {
    case 'error':
      return sendScriptedError(ex, fault);
    case 'hang':
      return;
    case 'reset_before_accept':
      return void ex.req.socket.destroy();
    case 'reset_after_accept':
      ex.resetOnAnswer = true;
      return proceed();
    case 'malformed':
      ex.malformedAfterEvents = Math.max(0, fault.afterEvents ?? MALFORMED_AFTER_EVENTS);
      return proceed();
    case 'slow_first_byte':
      if (fault.accepted === true) {
        ex.answerDelayMs = fault.delayMs;
        return proceed();
      }
      // Not yet accepted: a client that gave up before the delay ended never gets anything done.
      return later(ex.state, fault.delayMs, () => {
        if (!ex.req.socket.destroyed) proceed();
      });
  }
}

/**
 * What a streamed turn is told as it goes (`stream-service.ts` relays it as server-sent
 * events): the turn stored and where its reply goes, then the reply's text as OpenAI writes it.
 * The JSON route passes none.
 */
import type { DeltaListener } from '../shared/ports';

/** The turn's identity once it is claimed and its thread known. */
export interface TurnStarted {
  readonly run_id: string;
  readonly user_message_id: string;
  readonly thread_id: string;
}

export interface TurnSink {
  /** Called once, before any delta: the turn is stored and about to be answered on this thread. */
  readonly started: (turn: TurnStarted) => void;
  /** The reply's text as it streams from OpenAI (the simulated coach's text comes whole, in `done`). */
  readonly delta: DeltaListener;
}

/**
 * What an OpenAI turn reserves against the daily limits before it is sent: its worst case.
 * The claim adds the conversation's history (known only to the database) to the input part
 * computed here, prices it (`db/functions/_coach_worst_case.sql`), and keeps the reservation
 * open until the turn is recorded at its real cost. A reservation that is at least the real
 * cost is what bounds a user's spend to their limit plus one turn's worst case, however many
 * turns run at once.
 */
import { estimatedTokens, MAX_CONTEXT_TOKENS } from '../shared/coach/context';
import { priceFor } from '../shared/coach/pricing';
import type { CoachProfile } from '../shared/coach/profiles';
import type { TurnReservationBasis } from './ports';

/** The request's and its items' framing (a few tokens each), rounded up. */
const FRAMING_TOKENS = 32;

/**
 * The worst case of one turn of `profile` for `message`, but for the conversation's history:
 * the instructions, the largest context the coach may be given (`MAX_CONTEXT_TOKENS`, whatever
 * the user's data) and the message as input, each by the context's high token estimate, and
 * `max_output_tokens` as output; at the model's dearest input rate (a prompt-cache write) and
 * its output rate.
 */
export function reservationBasis(
  profile: Pick<CoachProfile, 'model' | 'instructions' | 'max_output_tokens'>,
  message: string,
): TurnReservationBasis {
  const { price, long_context: longContext } = priceFor(profile.model);
  return {
    input_tokens:
      estimatedTokens(profile.instructions) + MAX_CONTEXT_TOKENS + estimatedTokens(message) + FRAMING_TOKENS,
    output_tokens: profile.max_output_tokens,
    input_usd_per_mtok: Math.max(price.input, price.cache_write),
    output_usd_per_mtok: price.output,
    long_context: {
      above_input_tokens: longContext.above_input_tokens,
      input_multiplier: longContext.input_multiplier,
      output_multiplier: longContext.output_multiplier,
    },
  };
}

/**
 * The worst case an OpenAI turn reserves: at least what the turn can be billed for the parts
 * known before the claim (instructions, the largest context, the message, the output limit),
 * at the model's dearest input rate and its output rate.
 */
import { describe, expect, it } from '@jest/globals';
import { reservationBasis } from '../../../lambdas/chat/reservation';
import { buildInstructions, MAX_CONTEXT_CHARS } from '../../../lambdas/shared/coach/context';
import { estimateCostUsd, priceFor } from '../../../lambdas/shared/coach/pricing';
import { allProfiles } from '../../../lambdas/shared/coach/profiles';

describe('reservationBasis', () => {
  it.each(allProfiles().map((p) => [p.id, p] as const))(
    '%s: covers its largest request at the dearest rates, and its output limit',
    (_id, profile) => {
      const message = 'Ich schlafe schlecht 😴 — 眠れない夜が続いています'.repeat(20);
      const basis = reservationBasis(profile, message);
      const { price } = priceFor(profile.model);
      // The largest request: the instructions with a context of MAX_CONTEXT_CHARS, and the message.
      const largest = buildInstructions(profile, 'x'.repeat(MAX_CONTEXT_CHARS)) + message;

      expect(basis.output_tokens).toBe(profile.max_output_tokens);
      expect(basis.input_tokens).toBeGreaterThanOrEqual(Math.ceil(largest.length / 4));
      expect(basis.input_usd_per_mtok).toBe(Math.max(price.input, price.cache_write));
      expect(basis.output_usd_per_mtok).toBe(price.output);
      // Priced as the claim prices it (db/functions/_coach_worst_case.sql, up to the micro-dollar),
      // never below the bill for any mix of token kinds.
      const reserved =
        Math.ceil(
          basis.input_tokens * basis.input_usd_per_mtok + basis.output_tokens * basis.output_usd_per_mtok,
        ) / 1e6;
      const billed = estimateCostUsd(profile.model, {
        input_tokens: basis.input_tokens,
        cached_tokens: 0,
        cache_write_tokens: basis.input_tokens,
        output_tokens: basis.output_tokens,
        reasoning_tokens: basis.output_tokens,
        total_tokens: basis.input_tokens + basis.output_tokens,
      });
      expect(reserved).toBeGreaterThanOrEqual(billed);
    },
  );
});

/**
 * What a long thread costs per turn: one user sends 200 messages in one thread through the
 * real chat path; the OpenAI fake counts each response's input tokens as the API does (the
 * instructions, every conversation item since the latest compaction, the new input) and
 * compacts past the profile's `compact_threshold`. With compaction the figures form a
 * sawtooth, so besides the turns the keys name (5, 50, 200) the worst turn of the last 50
 * is reported: the goal compares that one with turn 50, whatever phase turn 200 falls in.
 */
import { randomUUID } from 'node:crypto';
import { buildCoachContext, estimatedTokens, MAX_CONTEXT_TOKENS } from '../lambdas/shared/coach/context';
import { resolveProfile } from '../lambdas/shared/coach/profiles';
import type { CoachContextData } from '../lambdas/shared/contract/schemas';
import { tokensOfText, type OpenAIFake } from '../test/support/openai-fake';
import { benchMessage, BENCH_REPLY, sendMessage, type BenchApi, type BenchUser } from './harness';

export const TOKEN_TURNS = 200;
const CHAT_TYPE = 'pillar_health';

export interface TokenResult {
  /** `usage.input_tokens` of every turn, in order. */
  readonly perTurn: readonly number[];
  /** Turns (1-based) whose response compacted the conversation. */
  readonly compactedAt: readonly number[];
  readonly threshold: number;
  /** The context block of this user's turns: the fake's count, and our own high estimate. */
  readonly contextTokens: number;
  readonly contextEstimate: number;
  readonly failures: number;
  /** Model calls (creates and conversation creates) and moderation calls over the thread. */
  readonly openaiCalls: number;
  readonly moderationCalls: number;
}

/** Input tokens at a 1-based turn. */
export const atTurn = (result: TokenResult, turn: number): number => result.perTurn[turn - 1] ?? NaN;

/** The worst turn among `from`..`to` (1-based, inclusive). */
export const maxOver = (result: TokenResult, from: number, to: number): number =>
  Math.max(...result.perTurn.slice(from - 1, to));

export async function measureThreadTokens(
  bench: BenchApi,
  fake: OpenAIFake,
  user: BenchUser,
  turns = TOKEN_TURNS,
): Promise<TokenResult> {
  // Token counts do not depend on time: the fake answers at once here.
  fake.reset();
  fake.setTiming({ firstTokenMs: 0, latencyMs: 0 });
  let failures = 0;
  for (let i = 0; i < turns; i++) {
    fake.script({ kind: 'ok', text: BENCH_REPLY });
    const sent = await sendMessage(bench.api, user, benchMessage(`turn ${i + 1} ${randomUUID()}`), CHAT_TYPE);
    if (sent.status !== 200 || sent.body.variant !== 'openai') failures += 1;
  }
  const responses = [...fake.responses.values()];
  const profile = resolveProfile(CHAT_TYPE);
  const instructions = String(responses[0]?.request.instructions ?? '');
  const context = instructions.slice(instructions.indexOf('USER CONTEXT FOR COACHING'));
  return {
    perTurn: responses.map((r) => r.inputTokens),
    compactedAt: responses.flatMap((r, i) => (r.compaction ? [i + 1] : [])),
    threshold: profile.compact_threshold,
    contextTokens: tokensOfText(context),
    contextEstimate: estimatedTokens(context),
    failures,
    openaiCalls: fake.count('responses.create') + fake.count('conversations.create'),
    moderationCalls: fake.count('moderations.create'),
  };
}

/**
 * The largest context block the builder can produce for any data, by our high estimate:
 * every list at its bound and every quoted field at its maximum length.
 */
export function worstCaseContextEstimate(): { readonly estimate: number; readonly bound: number } {
  const long = (n: number) => 'x'.repeat(n);
  const data: CoachContextData = {
    display_name: long(200),
    ratings: Array.from({ length: 20 }, (_, i) => ({
      pillar: `pillar_${i}`,
      pillar_display_name: long(80),
      rating: 55.5,
      rated_at: '2026-12-01T08:00:00Z',
    })),
    goals: Array.from({ length: 20 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      title: long(400),
      focus: long(400),
      pillar: 'health',
      pillar_display_name: 'Health',
    })),
    goal: {
      id: '00000000-0000-4000-8000-000000000999',
      title: long(400),
      focus: long(400),
      pillar: 'health',
      pillar_display_name: 'Health',
    },
    recent_messages: Array.from({ length: 20 }, () => ({
      message: long(1000),
      chat_type: 'general',
      created_at: '2026-12-01T08:00:00Z',
    })),
  };
  const text = buildCoachContext(data, { chatType: CHAT_TYPE, profile: resolveProfile(CHAT_TYPE) });
  return { estimate: estimatedTokens(text), bound: MAX_CONTEXT_TOKENS };
}

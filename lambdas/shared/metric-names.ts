// No imports: the CDK app (lib/monitoring.ts) reads these names without loading Powertools.

/** The CloudWatch namespace of every EMF metric the backend emits (dashboard and alarms read it). */
export const METRICS_NAMESPACE = 'MiVia/Coach';

/**
 * Every custom metric the backend emits, by name. The CDK dashboard and alarms reference
 * these constants, so renaming one here renames it there.
 */
export const MetricName = {
  /** A chat message accepted for answering (after validation). */
  ChatRequests: 'ChatRequests',
  /** A chat answered by the intended variant (OpenAI or simulated by cohort/flag). */
  ChatSuccess: 'ChatSuccess',
  /** A chat answered by the simulated coach because OpenAI failed. */
  ChatFallback: 'ChatFallback',
  /** A chat that ended in an error response (no answer stored). */
  ChatErrors: 'ChatErrors',
  /** Time from request to stored answer, milliseconds. */
  ChatLatencyMs: 'ChatLatencyMs',
  /** OpenAI tokens used (all kinds). */
  TokensUsed: 'TokensUsed',
  /** Estimated OpenAI cost, US dollars. */
  CostUsd: 'CostUsd',
  /** A reply that outlived the sync budget and was handed to the poller (202). */
  LongRunStarted: 'LongRunStarted',
  LongRunCompleted: 'LongRunCompleted',
  LongRunFailed: 'LongRunFailed',
  LongRunTimedOut: 'LongRunTimedOut',
  /** A message refused with 429 by a per-user limit (metadata `limit`: which one). Nothing was stored. */
  ChatLimited: 'ChatLimited',
  /** A turn the rollout gave OpenAI, answered by the simulated coach because the global daily budget is spent. */
  GlobalBudgetExceeded: 'GlobalBudgetExceeded',
  /** A well-formed but unknown chat_type (served by the general coach). */
  UnknownChatType: 'UnknownChatType',
  /**
   * The screening answered instead of the coach: a crisis reply to a user's message, or a coach
   * reply replaced (metadata `safety_source`, `safety_category`). Each is a `safety_events` row.
   */
  SafetyEscalations: 'SafetyEscalations',
  /** The moderation endpoint failed or was too slow: the text went on unscreened (fail open; metadata `screening_source`, `screening_failure`). */
  ScreeningFailed: 'ScreeningFailed',
  /** A message not screened because the `screening_enabled` flag is off. */
  ScreeningSkipped: 'ScreeningSkipped',
  /** A retry of an OpenAI call (rate limit, 5xx, timeout). */
  OpenAIRetries: 'OpenAIRetries',
  /** An HTTP request answered with a 5xx by the error mapper (any route). */
  ServerErrors: 'ServerErrors',
  /** A flags document read but refused (bad JSON or schema): the previous flags stay in force. */
  FlagsRejected: 'FlagsRejected',
  /** The flags source (AppConfig or the local file) could not be read: the previous flags stay in force. */
  FlagsUnavailable: 'FlagsUnavailable',
} as const;

export type MetricName = (typeof MetricName)[keyof typeof MetricName];

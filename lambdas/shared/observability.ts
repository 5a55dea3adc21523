/**
 * Logger, metrics and tracer, built once per container and shared by every module.
 * They read their own `POWERTOOLS_*` variables (so they work before, and while reporting,
 * a configuration error). Events are never logged: they carry users' messages and tokens.
 * Tracing turns itself off outside Lambda or with `POWERTOOLS_TRACE_ENABLED=false`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME?.trim() || 'mivia-coach';

export const logger = new Logger({ serviceName });

export const metrics = new Metrics({
  serviceName,
  // Its warnings (e.g. "no application metrics") as structured log lines, not console text.
  logger,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE?.trim() || 'MiVia/Coach',
});

export const tracer = new Tracer({ serviceName });

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
  /** A well-formed but unknown chat_type (served by the general coach). */
  UnknownChatType: 'UnknownChatType',
  /** A retry of an OpenAI call (rate limit, 5xx, timeout). */
  OpenAIRetries: 'OpenAIRetries',
  /** An HTTP request answered with a 5xx by the error mapper (any route). */
  ServerErrors: 'ServerErrors',
} as const;

export type MetricName = (typeof MetricName)[keyof typeof MetricName];

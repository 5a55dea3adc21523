/**
 * What a turn reports for metrics (chat and the poller), and its EMF implementation: the
 * metric names are shared with the dashboard and alarms (`metric-names.ts`).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { MetricName, metrics } from './observability';
import type { TokenUsage } from './ports';

export interface TurnObserver {
  unknownChatType?(chatType: string): void;
  answered?(answer: {
    readonly variant: string;
    readonly fallback: boolean;
    /** Why the simulated coach stood in for OpenAI (an error kind or a response code). */
    readonly fallbackReason?: string | undefined;
    readonly model: string;
    readonly latencyMs: number;
    readonly usage: TokenUsage;
    readonly costUsd: number;
  }): void;
  /** A per-user limit refused the message (429). */
  limited?(limit: string): void;
  /** The global daily budget is spent: this turn goes to the simulated coach instead of OpenAI. */
  globalBudgetExceeded?(): void;
  longRunStarted?(): void;
  longRunFinished?(outcome: 'completed' | 'failed' | 'timed_out'): void;
  modelFailed?(kind: string): void;
  /** The screening answered instead of the coach (a crisis reply, or a coach reply replaced). */
  safetyEscalated?(event: {
    readonly source: 'user_message' | 'coach_reply';
    readonly category: string;
  }): void;
  /** The moderation endpoint failed or was too slow: the text went on unscreened. */
  screeningFailed?(failure: { readonly source: 'user_message' | 'coach_reply'; readonly kind: string }): void;
  /** `screening_enabled` is off: the message was not screened. */
  screeningSkipped?(): void;
}

/** Emits a turn's events as EMF metrics. */
export const metricsObserver: TurnObserver = {
  unknownChatType() {
    metrics.addMetric(MetricName.UnknownChatType, MetricUnit.Count, 1);
  },
  answered({ variant, fallback, fallbackReason, model, latencyMs, usage, costUsd }) {
    // Metadata lands on the same EMF line, for the saved Logs Insights queries (cost by
    // model, fallbacks by reason) without becoming a costly metric dimension.
    metrics.addMetadata('model', model);
    if (fallbackReason) metrics.addMetadata('fallback_reason', fallbackReason);
    metrics.addMetric(fallback ? MetricName.ChatFallback : MetricName.ChatSuccess, MetricUnit.Count, 1);
    metrics.addMetric(MetricName.ChatLatencyMs, MetricUnit.Milliseconds, latencyMs);
    if (variant === 'openai') {
      metrics.addMetric(MetricName.TokensUsed, MetricUnit.Count, usage.total_tokens);
      metrics.addMetric(MetricName.CostUsd, MetricUnit.NoUnit, costUsd);
    }
  },
  limited(limit) {
    metrics.addMetadata('limit', limit);
    metrics.addMetric(MetricName.ChatLimited, MetricUnit.Count, 1);
  },
  globalBudgetExceeded() {
    metrics.addMetric(MetricName.GlobalBudgetExceeded, MetricUnit.Count, 1);
  },
  longRunStarted() {
    metrics.addMetric(MetricName.LongRunStarted, MetricUnit.Count, 1);
  },
  longRunFinished(outcome) {
    const name =
      outcome === 'completed'
        ? MetricName.LongRunCompleted
        : outcome === 'timed_out'
          ? MetricName.LongRunTimedOut
          : MetricName.LongRunFailed;
    metrics.addMetric(name, MetricUnit.Count, 1);
  },
  safetyEscalated({ source, category }) {
    metrics.addMetadata('safety_source', source);
    metrics.addMetadata('safety_category', category);
    metrics.addMetric(MetricName.SafetyEscalations, MetricUnit.Count, 1);
  },
  screeningFailed({ source, kind }) {
    metrics.addMetadata('screening_source', source);
    metrics.addMetadata('screening_failure', kind);
    metrics.addMetric(MetricName.ScreeningFailed, MetricUnit.Count, 1);
  },
  screeningSkipped() {
    metrics.addMetric(MetricName.ScreeningSkipped, MetricUnit.Count, 1);
  },
};

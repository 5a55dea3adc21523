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

export { MetricName } from './metric-names';

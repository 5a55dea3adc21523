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

/** Scalar fields of an error that identify it without carrying data. */
const SAFE_ERROR_FIELDS = [
  'code',
  'status',
  'kind',
  'reason',
  'type',
  'routine',
  'constraint',
  'table',
  'column',
];

/**
 * An error as the logs may carry it: name, message, stack, identifying codes and the cause
 * chain. Everything else is dropped, because drivers attach data to errors: a Postgres
 * `detail` can read "Failing row contains (…)" with the user's message in it, and SDK errors
 * carry response headers and bodies.
 */
export function loggableError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error).slice(0, 300) };
  const fields = error as Error & Record<string, unknown>;
  const out: Record<string, unknown> = { name: error.name, message: error.message, stack: error.stack };
  for (const key of SAFE_ERROR_FIELDS) {
    const value = fields[key];
    if (value !== undefined && value !== null && typeof value !== 'object') out[key] = value;
  }
  if (error.cause !== undefined && depth < 4) out.cause = loggableError(error.cause, depth + 1);
  return out;
}

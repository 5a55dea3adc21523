/**
 * Logger and metrics, built once per container and shared by every module. They read their
 * own `POWERTOOLS_*` variables (so they work before, and while reporting, a configuration
 * error). Events are never logged: they carry users' messages and tokens.
 *
 * No Powertools tracer: Lambda's active tracing (lib/functions.ts) still records each
 * invocation and its cold start in X-Ray, linked to API Gateway and Step Functions. The
 * tracer's X-Ray SDK would add subsegments for the three downstream calls of a turn, and
 * cost every function about 120 kB of bundle and 15–25 ms of cold import, and an async hook
 * (cls-hooked) on every promise of every invocation; the turn's latency and outcome are in
 * the metrics and logs already (`observer.ts`).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from './metric-names';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME?.trim() || 'mivia-coach';

export const logger = new Logger({ serviceName });

/**
 * The metrics' own log lines, structured. "No application metrics to publish" is normal for
 * most requests of most routes (a refusal, a replay, a poll that waits): logged at DEBUG, not
 * WARN, so it is neither noise on call nor a log-bill line per request.
 */
const metricsLog = {
  debug: (message: unknown) => logger.debug(String(message)),
  info: (message: unknown) => logger.info(String(message)),
  warn: (message: unknown) => {
    const text = String(message);
    if (text.startsWith('No application metrics to publish')) logger.debug(text);
    else logger.warn(text);
  },
  error: (message: unknown) => logger.error(String(message)),
};

export const metrics = new Metrics({
  serviceName,
  logger: metricsLog,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE?.trim() || METRICS_NAMESPACE,
});

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
  if (typeof error !== 'object' || error === null) return { message: String(error).slice(0, 300) };
  const fields = error as Record<string, unknown>;
  // A plain error object (supabase-js's PostgrestError is one): its message and codes, never
  // its `details`, where Postgres may quote the failing row.
  const out: Record<string, unknown> =
    error instanceof Error
      ? { name: error.name, message: error.message, stack: error.stack }
      : {
          name: typeof fields.name === 'string' ? fields.name : 'Object',
          message: safeMessage(fields.message),
        };
  for (const key of SAFE_ERROR_FIELDS) {
    const value = fields[key];
    if (value !== undefined && value !== null && typeof value !== 'object') out[key] = value;
  }
  if (fields.cause !== undefined && depth < 4) out.cause = loggableError(fields.cause, depth + 1);
  return out;
}

function safeMessage(message: unknown): string {
  return typeof message === 'string' ? message.slice(0, 300) : '(no message)';
}

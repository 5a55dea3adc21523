/**
 * The process environment of the benchmarks, set before any handler module is imported
 * (imported first by `run.ts` and `load.ts`): the handlers log and emit metrics as deployed
 * (INFO, EMF on), so the bytes they would send to CloudWatch can be counted; output goes to
 * a counter, never to the terminal (`log-bytes.ts`). Tracing needs Lambda: off.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'INFO';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'false';
process.env.POWERTOOLS_SERVICE_NAME ??= 'mivia-coach';

export {};

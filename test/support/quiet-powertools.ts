// Tests assert on bodies and rows, not on log lines: keep Powertools' EMF and info logs out of
// the test output (errors still show). Set the variables yourself to see everything.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';

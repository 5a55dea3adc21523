/**
 * Counts what the handlers write to stdout (their JSON log lines and EMF metric lines: what
 * Lambda would ship to CloudWatch Logs) instead of printing it. The benchmark's own output
 * goes to stderr while counting, and the table is printed after `stop()`.
 */
export interface StdoutCounter {
  /** Bytes written since the counter started (or since `reset`). */
  bytes(): number;
  reset(): void;
  stop(): void;
}

export function countStdout(): StdoutCounter {
  const original = process.stdout.write.bind(process.stdout);
  let bytes = 0;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    const callback = rest.find((r): r is () => void => typeof r === 'function');
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  return {
    bytes: () => bytes,
    reset: () => void (bytes = 0),
    stop: () => void (process.stdout.write = original),
  };
}

/** Progress lines while stdout is being counted. */
export function progress(message: string): void {
  process.stderr.write(`… ${message}\n`);
}

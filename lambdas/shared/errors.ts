/**
 * Typed application errors. Every refusal or fault the backend can answer with is an
 * `AppError`: an HTTP status, a stable machine `code` the app can switch on, a human
 * message, and the `cause` that is logged but never sent. One middleware maps them to
 * the JSON error body (`lambdas/shared/middleware.ts`); 5xx bodies never carry internals.
 */
export interface AppErrorOptions {
  readonly cause?: unknown;
  /** Seconds the client should wait before retrying (sent as `Retry-After`). */
  readonly retryAfterSeconds?: number;
  /** Extra, safe-to-show fields merged into the error body (e.g. `run_id` on a 409). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export class AppError extends Error {
  readonly retryAfterSeconds: number | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
  }

  get expose(): boolean {
    return this.status < 500;
  }
}

export const badRequest = (code: string, message: string, options?: AppErrorOptions) =>
  new AppError(400, code, message, options);
export const unauthorized = (
  message = 'A valid Supabase access token is required.',
  options?: AppErrorOptions,
) => new AppError(401, 'unauthorized', message, options);
export const forbidden = (code: string, message: string, options?: AppErrorOptions) =>
  new AppError(403, code, message, options);
export const notFound = (code: string, message: string, options?: AppErrorOptions) =>
  new AppError(404, code, message, options);
export const conflict = (code: string, message: string, options?: AppErrorOptions) =>
  new AppError(409, code, message, options);
export const payloadTooLarge = (message = 'The request body is too large.', options?: AppErrorOptions) =>
  new AppError(413, 'payload_too_large', message, options);
export const tooManyRequests = (code: string, message: string, options?: AppErrorOptions) =>
  new AppError(429, code, message, options);
export const serviceUnavailable = (code: string, message: string, options?: AppErrorOptions) =>
  new AppError(503, code, message, options);

/**
 * The database could not be reached or answered with a fault (not a refusal).
 * Adapters throw this so the handler can answer 503 without knowing the driver.
 */
export class StoreUnavailableError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(503, 'database_unavailable', message, { retryAfterSeconds: 5, ...options });
    this.name = 'StoreUnavailableError';
  }
}

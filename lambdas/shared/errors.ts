/**
 * Typed application errors. Every refusal or fault the backend can answer with is an
 * `AppError`: an HTTP status and a stable machine `code` from the contract's table
 * (`contract/errors.ts`), a human message, and the `cause` that is logged but never sent.
 * One middleware maps them to the JSON error body (`http/route.ts`); 5xx bodies never carry
 * internals.
 */
import { ERROR_CODES, type ErrorCode } from './contract/errors';

export interface AppErrorOptions {
  readonly cause?: unknown;
  /** Seconds the client should wait before retrying (sent as `Retry-After`). */
  readonly retryAfterSeconds?: number;
  /** Extra, safe-to-show fields merged into the error body (e.g. `run_id` on a 409). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** A more specific message than the code's default. */
  readonly message?: string;
}

export class AppError extends Error {
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    readonly code: ErrorCode,
    options: AppErrorOptions = {},
  ) {
    super(
      options.message ?? ERROR_CODES[code].message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'AppError';
    this.status = ERROR_CODES[code].status;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
  }

  get expose(): boolean {
    return this.status < 500;
  }
}

/** The error for `code`, with its status and default message from the contract. */
export function appError(code: ErrorCode, options?: AppErrorOptions): AppError {
  return new AppError(code, options);
}

/**
 * The database could not be reached or answered with a fault (not a refusal).
 * Adapters throw this so the handler can answer 503 without knowing the driver.
 */
export class StoreUnavailableError extends AppError {
  constructor(message: string, options: Omit<AppErrorOptions, 'message'> = {}) {
    super('database_unavailable', { retryAfterSeconds: 5, ...options, message });
    this.name = 'StoreUnavailableError';
  }
}

/** Small value helpers shared by the fake's modules. */
import { randomBytes } from 'node:crypto';

/** A JSON object as the fake reads and writes it. */
export type Json = Record<string, unknown>;

/** An id shaped like OpenAI's: a prefix, `_`, and 48 hex characters. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('hex')}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A deep copy, so a body recorded or sent is never changed by what happens to the state later. */
export function snapshot<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown): Json {
  return isObject(value) ? value : {};
}

export function stringOr<T>(value: unknown, fallback: T): string | T {
  return typeof value === 'string' ? value : fallback;
}

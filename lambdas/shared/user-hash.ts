/**
 * Stable, non-reversible derivations of a user id. OpenAI gets a `safety_identifier` that
 * identifies the user for abuse handling without being the raw id; the A/B rollout gets a
 * bucket that never changes for a user (under one salt), so nobody flips between coaches.
 */
import { createHash } from 'node:crypto';

/** App-specific domain separator: the same user id yields unrelated values per purpose. */
const SAFETY_PREFIX = 'mivia-coach:safety-identifier:v1:';

/**
 * The cohort salt used when none is configured (`COHORT_SALT`). It is the domain separator
 * the unsalted buckets were computed with, so every existing user keeps their bucket.
 */
export const DEFAULT_COHORT_SALT = 'mivia-coach:cohort:v1';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The value sent as OpenAI's `safety_identifier`: sha256 hex of a fixed prefix + the user id. */
export function safetyIdentifier(userId: string): string {
  return sha256(SAFETY_PREFIX + userId.toLowerCase()).toString('hex');
}

/**
 * The user's rollout bucket, 0–99: sha256 of `<salt>:<user id>`, its first 32 bits modulo
 * 100. The same for a user across calls, containers and deployments as long as the salt
 * stays; a new salt draws new cohorts (for a fresh experiment). A user is in the OpenAI
 * group when `bucket < rollout_percent`, so raising the percentage only adds users.
 */
export function cohortBucket(userId: string, salt: string = DEFAULT_COHORT_SALT): number {
  return sha256(`${salt}:${userId.toLowerCase()}`).readUInt32BE(0) % 100;
}

/**
 * Stable, non-reversible derivations of a user id. OpenAI gets a `safety_identifier` that
 * identifies the user for abuse handling without being the raw id; the A/B rollout gets a
 * bucket that never changes for a user, so nobody flips between coaches.
 */
import { createHash } from 'node:crypto';

/** App-specific domain separators: the same user id yields unrelated values per purpose. */
const SAFETY_PREFIX = 'mivia-coach:safety-identifier:v1:';
const COHORT_PREFIX = 'mivia-coach:cohort:v1:';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The value sent as OpenAI's `safety_identifier`: sha256 hex of a fixed prefix + the user id. */
export function safetyIdentifier(userId: string): string {
  return sha256(SAFETY_PREFIX + userId.toLowerCase()).toString('hex');
}

/** The user's rollout bucket, 0–99, stable across calls and deployments. */
export function cohortBucket(userId: string): number {
  return sha256(COHORT_PREFIX + userId.toLowerCase()).readUInt32BE(0) % 100;
}

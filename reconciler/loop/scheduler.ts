import { AzdoAuthError, AzdoThrottledError } from '../errors/azdoErrors.ts';
import { GitAuthError, GitPushRetriesExhaustedError } from '../errors/gitErrors.ts';

const AUTH_BACKOFF_MS = 5 * 60_000;
/** The longest pause before re-deriving after losing every push to another writer. */
const CONTENTION_JITTER_MS = 1000;

/** Whether a pass that ended with `error` failed (a lost push race is contention, not failure). */
export function isFailure(error: unknown): boolean {
  return error !== undefined && !(error instanceof GitPushRetriesExhaustedError);
}

/**
 * When the next pass runs after one that ended with `error` (undefined: success).
 * - Throttling waits what Retry-After asked.
 * - Contention (every push lost to another writer's commit) re-derives at once, after a random
 *   pause of at most a quarter of the interval (and 1 s), so two writers do not collide in lockstep.
 * - A refused token does not fix itself: wait long, but keep trying (it may be rotated).
 * - Any other failure (an outage) is retried within one poll interval: a pass costs the same
 *   few calls whether it succeeds or not, so waiting longer only delays recovery. Jittered
 *   (80–100% of the interval) so replicas and restarts do not align.
 */
export function nextDelayMs(intervalMs: number, consecutiveFailures: number, error: unknown, random = Math.random): number {
  if (error instanceof AzdoThrottledError) return Math.max(intervalMs, error.retryAfterSeconds * 1000);
  if (error instanceof GitPushRetriesExhaustedError) return Math.round(Math.min(intervalMs / 4, CONTENTION_JITTER_MS) * random());
  if (error === undefined || consecutiveFailures === 0) return intervalMs;
  if (error instanceof AzdoAuthError || error instanceof GitAuthError) {
    return Math.round(Math.min(AUTH_BACKOFF_MS, intervalMs * 2 ** Math.min(consecutiveFailures, 10)) * (0.8 + 0.4 * random()));
  }
  return Math.round(intervalMs * (0.8 + 0.2 * random()));
}

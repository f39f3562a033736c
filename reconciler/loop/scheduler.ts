import { AzdoAuthError, AzdoThrottledError } from '../errors/azdoErrors.ts';

const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * When the next pass runs after one that ended with `error` (undefined: success).
 * Throttling waits what Retry-After asked; other failures back off exponentially from the
 * poll interval, with jitter so replicas and restarts do not align.
 */
export function nextDelayMs(intervalMs: number, consecutiveFailures: number, error: unknown, random = Math.random): number {
  if (error instanceof AzdoThrottledError) return Math.max(intervalMs, error.retryAfterSeconds * 1000);
  if (error === undefined || consecutiveFailures === 0) return intervalMs;
  // A bad token does not fix itself quickly: wait long, but keep trying (it may be rotated).
  const base = error instanceof AzdoAuthError ? MAX_BACKOFF_MS : intervalMs * 2 ** Math.min(consecutiveFailures, 10);
  const capped = Math.min(base, MAX_BACKOFF_MS);
  return Math.round(capped * (0.8 + 0.4 * random()));
}

// When the pod view may be trusted, and how the watch is retried. Pure: no clock of its own.

/**
 * Asked of every pod watch as `timeoutSeconds`: the API server ends a healthy watch after this
 * long (sending a bookmark shortly before, when asked with `allowWatchBookmarks`), and the
 * watcher opens the next one at once. So a healthy view hears from the server at least this
 * often, even when no pod changes.
 */
export const WATCH_TIMEOUT_SECONDS = 5;

/** What a busy machine may add to that cadence (event-loop delay, re-opening the watch). */
const SLACK_MS = 2_000;

/**
 * The pod view counts only if the server was heard from (a list, a watch opened, an event or a
 * bookmark) within this bound. Past it, pods are unobserved: no pod-based verdict at all, since
 * a pod created meanwhile would look missing. A list or a silent watch is abandoned after as long.
 */
export const FRESH_FOR_MS = WATCH_TIMEOUT_SECONDS * 1000 + SLACK_MS;

export function isPodViewFresh(lastHeardMs: number | undefined, nowMs: number, freshForMs: number = FRESH_FOR_MS): boolean {
  return lastHeardMs !== undefined && nowMs - lastHeardMs <= freshForMs;
}

const FIRST_RETRY_MS = 1_000;
/** Short enough that the view is back within one poll interval of the server answering again. */
const MAX_RETRY_MS = 10_000;

/** Wait before the next list after `consecutiveFailures` failed attempts (≥ 1): 1 s doubling to 10 s. */
export function watchRetryDelayMs(consecutiveFailures: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, consecutiveFailures - 1), MAX_RETRY_MS);
}

/** Retries for calls to Azure DevOps: backoff on 401/404-ish/5xx/network errors, Retry-After on 429. */
import { setTimeout } from 'node:timers/promises';

export interface RetryError {
  statusCode?: number;
  responseHeaders?: Record<string, string | string[] | undefined>;
  rateLimit?: { retryAfter?: number };
}

export function statusOf(err: unknown): number | undefined {
  const s = (err as RetryError)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

/** Seconds the service asked us to wait (Retry-After), if it did. */
export function retryAfterMs(err: unknown): number | undefined {
  const e = err as RetryError;
  const fromRateLimit = e?.rateLimit?.retryAfter;
  if (typeof fromRateLimit === 'number' && Number.isFinite(fromRateLimit)) return Math.max(0, fromRateLimit * 1000);
  const h = e?.responseHeaders?.['retry-after'];
  const v = Array.isArray(h) ? h[0] : h;
  if (v === undefined) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** Delay before attempt `attempt` (0-based) after `err`: Retry-After when given, else capped exponential backoff with jitter. */
export function backoffMs(err: unknown, attempt: number, baseMs = 250, capMs = 5000): number {
  const ra = retryAfterMs(err);
  if (ra !== undefined) return Math.max(ra, 100);
  const exp = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 10));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

export class AbortedError extends Error {
  constructor() {
    super('agent stopped (pod gone or simulator closing)');
    this.name = 'AbortedError';
  }
}

/** Resolves after `ms`, or at once when the signal aborts (callers look at the signal next). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return setTimeout(ms, undefined, { signal }).catch(() => undefined);
}

/**
 * Calls fn until it succeeds; every failure waits (backoff or Retry-After) and retries, until the
 * signal aborts (AbortedError) or maxAttempts is reached (the last error is thrown).
 */
export async function withRetry<T>(
  what: string,
  fn: () => Promise<T>,
  opts: { signal?: AbortSignal; log?: (line: string) => void; maxAttempts?: number; onError?: (err: unknown) => void },
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    if (opts.signal?.aborted) throw new AbortedError();
    try {
      return await fn();
    } catch (err) {
      if (opts.signal?.aborted) throw new AbortedError();
      opts.onError?.(err);
      if (opts.maxAttempts !== undefined && attempt + 1 >= opts.maxAttempts) throw err;
      const wait = backoffMs(err, attempt);
      const status = statusOf(err);
      opts.log?.(`${what} failed (${status ?? 'network'}: ${err instanceof Error ? err.message : String(err)}); retrying in ${wait} ms`);
      await sleep(wait, opts.signal);
    }
  }
}

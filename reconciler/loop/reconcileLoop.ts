import { isFailure, nextDelayMs } from './scheduler.ts';
import type { Logger } from '../support/logger.ts';

export interface LoopOptions {
  readonly intervalMs: number;
  /** One pass; throws on failure. */
  readonly pass: (trigger: string) => Promise<void>;
  /** Passes run only while this is true (leader election). */
  readonly canRun: () => boolean;
  readonly log: Logger;
  /** Coalesces bursts of triggers (many pods finishing at once) into one pass. */
  readonly debounceMs?: number;
}

/**
 * Level-triggered loop: a pass on every interval, and at once when triggered (a pod finished).
 * One pass at a time; a trigger during a pass runs one more pass right after it.
 */
export class ReconcileLoop {
  readonly #opts: LoopOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #pendingTrigger: string | undefined;
  #failures = 0;
  /** After a failed pass (throttled or backing off), no pass before this time, triggers included. */
  #notBefore = 0;
  #stopped = true;
  #lastSuccess: Date | undefined;
  #lastError: unknown;

  constructor(opts: LoopOptions) {
    this.#opts = opts;
  }

  get lastSuccess(): Date | undefined {
    return this.#lastSuccess;
  }

  get lastError(): unknown {
    return this.#lastError;
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(0, 'start');
  }

  trigger(reason: string): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#pendingTrigger ??= reason;
      return;
    }
    this.#schedule(Math.max(this.#opts.debounceMs ?? 250, this.#notBefore - Date.now()), reason);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #schedule(delayMs: number, reason: string): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#run(reason).finally(() => {
        this.#running = undefined;
      });
    }, delayMs);
  }

  async #run(reason: string): Promise<void> {
    const startedAt = Date.now();
    let error: unknown;
    if (this.#opts.canRun()) {
      try {
        await this.#opts.pass(reason);
        this.#failures = 0;
        this.#lastSuccess = new Date();
        this.#lastError = undefined;
      } catch (err) {
        error = err;
        if (isFailure(err)) {
          this.#failures++;
          this.#lastError = err;
        }
      }
    }
    const delay = nextDelayMs(this.#opts.intervalMs, this.#failures, error);
    if (isFailure(error)) {
      this.#opts.log.error('pass failed; the next pass re-derives everything', {
        error: (error as Error)?.message ?? String(error),
        kind: (error as Error)?.name,
        consecutiveFailures: this.#failures,
        retryInMs: delay,
      });
    } else if (error !== undefined) {
      this.#opts.log.warn('another writer kept moving the branch; re-deriving at once', { error: (error as Error)?.message, retryInMs: delay });
    }
    if (this.#stopped) return;
    const again = this.#pendingTrigger;
    this.#pendingTrigger = undefined;
    if (again !== undefined && error === undefined) {
      this.#notBefore = 0;
      this.#schedule(0, again);
      return;
    }
    // A pod-completion trigger must not cut short a Retry-After wait or a failure backoff.
    this.#notBefore = isFailure(error) ? Date.now() + delay : 0;
    // After a success the interval counts from the start of the pass, so a slow pass does not
    // stretch the poll period; waits after failures (backoff, Retry-After) count from the end.
    this.#schedule(error === undefined ? Math.max(0, delay - (Date.now() - startedAt)) : delay, 'interval');
  }
}

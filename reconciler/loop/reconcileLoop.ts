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
  /** Time and timers (default: Date.now and node's timers); the simulator's virtual time. */
  readonly timers?: LoopTimers;
  /** Jitter of the next pass (default Math.random). */
  readonly random?: () => number;
}

export interface LoopTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const NODE_TIMERS: LoopTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Level-triggered loop: a pass on every interval, and at once when triggered (a pod finished).
 * One pass at a time; a trigger during a pass runs one more pass right after it.
 */
export class ReconcileLoop {
  readonly #opts: LoopOptions;
  readonly #timers: LoopTimers;
  #timer: unknown;
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
    this.#timers = opts.timers ?? NODE_TIMERS;
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
    this.#schedule(Math.max(this.#opts.debounceMs ?? 250, this.#notBefore - this.#timers.now()), reason);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #schedule(delayMs: number, reason: string): void {
    if (this.#stopped) return;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#run(reason).finally(() => {
        this.#running = undefined;
      });
    }, delayMs);
  }

  async #run(reason: string): Promise<void> {
    const startedAt = this.#timers.now();
    let error: unknown;
    if (this.#opts.canRun()) {
      try {
        await this.#opts.pass(reason);
        this.#failures = 0;
        this.#lastSuccess = new Date(this.#timers.now());
        this.#lastError = undefined;
      } catch (err) {
        error = err;
        if (isFailure(err)) {
          this.#failures++;
          this.#lastError = err;
        }
      }
    }
    const delay = nextDelayMs(this.#opts.intervalMs, this.#failures, error, this.#opts.random);
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
    this.#notBefore = isFailure(error) ? this.#timers.now() + delay : 0;
    // After a success the interval counts from the start of the pass, so a slow pass does not
    // stretch the poll period; waits after failures (backoff, Retry-After) count from the end.
    this.#schedule(error === undefined ? Math.max(0, delay - (this.#timers.now() - startedAt)) : delay, 'interval');
  }
}

// Virtual time: a clock that moves only from one scheduled event to the next. Everything the
// simulated world and the reconciler wait for is an event here, so a run is a pure function of
// its seed and takes no wall-clock time for the minutes it simulates.
import type { LoopTimers } from '../reconciler/loop/reconcileLoop.ts';
import type { Sleep } from '../reconciler/gitops/pushWithRetry.ts';

interface Event {
  readonly at: number;
  readonly seq: number;
  readonly label: string;
  readonly fn: () => void;
  /** Events of a crashed process never run. */
  readonly owner: Owner | undefined;
  /** Resolves a promise (or starts a pass): the microtasks after it must settle before the next event. */
  readonly async: boolean;
  cancelled: boolean;
}

/** A process whose pending waits die with it (a crashed reconciler). */
export interface Owner {
  dead: boolean;
}

export class VirtualTime {
  #now: number;
  #seq = 0;
  #heap: Event[] = [];
  #steps = 0;

  constructor(startMs: number) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  date(): Date {
    return new Date(this.#now);
  }

  get steps(): number {
    return this.#steps;
  }

  get pending(): number {
    return this.#heap.length;
  }

  /** Runs fn at now + ms (ties in scheduling order). */
  at(ms: number, label: string, fn: () => void, owner?: Owner, async = false): Event {
    const e: Event = { at: this.#now + Math.max(0, ms), seq: this.#seq++, label, fn, owner, async, cancelled: false };
    this.#push(e);
    return e;
  }

  cancel(e: Event | undefined): void {
    if (e) e.cancelled = true;
  }

  /** A promise resolved after ms of virtual time; never resolved if the owner dies first. */
  delay(ms: number, label: string, owner?: Owner): Promise<void> {
    return new Promise((resolve) => this.at(ms, label, resolve, owner, true));
  }

  /** The Sleep the push retry takes: virtual, abortable. */
  sleep(owner?: Owner): Sleep {
    return (ms, signal) =>
      new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const e = this.at(ms, 'push pause', resolve, owner, true);
        signal?.addEventListener('abort', () => {
          this.cancel(e);
          reject(signal.reason);
        }, { once: true });
      });
  }

  /** Timers for the real ReconcileLoop. */
  timers(owner?: Owner): LoopTimers {
    return {
      now: () => this.#now,
      setTimeout: (fn, ms) => this.at(ms, 'loop timer', fn, owner, true),
      clearTimeout: (h) => this.cancel(h as Event),
    };
  }

  /** Runs the next live event; false when none is left before `until`. */
  step(until: number): { label: string; async: boolean } | undefined {
    for (;;) {
      const e = this.#pop();
      if (!e) return undefined;
      if (e.cancelled || e.owner?.dead) continue;
      if (e.at > until) {
        this.#push(e);
        return undefined;
      }
      this.#now = e.at;
      this.#steps++;
      e.fn();
      return { label: e.label, async: e.async };
    }
  }

  #push(e: Event): void {
    const h = this.#heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  #pop(): Event | undefined {
    const h = this.#heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Event, b: Event): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** Lets every promise chain waiting on nothing but microtasks settle. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

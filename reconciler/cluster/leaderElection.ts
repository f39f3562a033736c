import { kubeFailure, type KubeFailure } from './kubeFailure.ts';
import type { KubeClient } from './kubeClient.ts';
import { LeaseLostError } from '../errors/leaseLostError.ts';
import type { Logger } from '../support/logger.ts';
import { KubeApiError } from './kubeApiError.ts';

export interface LeaderElectionOptions {
  readonly namespace: string;
  readonly leaseName: string;
  readonly identity: string;
  readonly leaseDurationSeconds: number;
  /**
   * Writes stop once the lease has gone this long without a successful renewal. Shorter than
   * the lease: another replica may take it only once it expires, by then our writes have ended.
   */
  readonly renewDeadlineSeconds: number;
  /** Between attempts, to renew (leader) or to acquire (standby). An attempt that hangs is given up after twice this. */
  readonly retryPeriodSeconds: number;
}

function apiCode(err: unknown): number | undefined {
  return err instanceof KubeApiError ? err.code : undefined;
}

/** The fields of a coordination.k8s.io/v1 Lease this reads and writes; the rest of the object is sent back as read. */
interface LeaseSpec {
  holderIdentity?: string | undefined;
  leaseDurationSeconds?: number;
  /** MicroTime: RFC 3339 with microseconds. */
  renewTime?: string | undefined;
  acquireTime?: string;
  leaseTransitions?: number;
}
interface Lease {
  metadata?: Record<string, unknown>;
  spec?: LeaseSpec;
  [field: string]: unknown;
}

function asLease(body: unknown): Lease {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('the API server answered the Lease read with no object');
  const lease = body as Lease;
  if (lease.spec !== undefined && (typeof lease.spec !== 'object' || lease.spec === null)) throw new Error('the Lease read has a spec that is no object');
  return lease;
}

/** A MicroTime as the API server parses it (six fractional digits; Date gives three). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, -1) + '000Z';
}

/** Time and timers of the election (default: performance.now, Date and node's timers); the simulator's virtual time. */
export interface ElectionClock {
  /** Monotonic milliseconds: renewals and deadlines are measured on it. */
  monotonicMs(): number;
  /** Wall-clock time written into the Lease (renewTime), which other replicas compare with theirs. */
  now(): Date;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** A signal that aborts with a TimeoutError after ms. */
  timeout(ms: number): AbortSignal;
}

const NODE_CLOCK: ElectionClock = {
  monotonicMs: () => performance.now(),
  now: () => new Date(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  timeout: (ms) => AbortSignal.timeout(ms),
};

/**
 * One writer per branch: a coordination.k8s.io Lease, taken when free or expired and renewed
 * every retry period. Updates carry the resourceVersion read, so two candidates racing for an
 * expired lease cannot both win (the loser gets 409).
 *
 * Leadership ends the moment the renew deadline passes without a successful renewal (an API
 * server that hangs or refuses), or when another holder is seen: `signal` is aborted then, and
 * a pass checks it before each write. Each term of leadership has its own signal.
 */
export class LeaderElection {
  readonly #kube: KubeClient;
  readonly #clock: ElectionClock;
  readonly #opts: LeaderElectionOptions;
  readonly #log: Logger;
  readonly #listeners: ((leader: boolean) => void)[] = [];
  #leader = false;
  /** The clock's monotonicMs() at the start of the last successful attempt: the renewal time it wrote. */
  #renewedAt = 0;
  #term: AbortController | undefined;
  /** False until the first attempt: a replica that starts as standby says so once, too. */
  #announced = false;
  #holder: string | undefined;
  /** Why the last attempt got no answer or was refused (for the standby line); undefined after a good one. */
  #lastFailure: KubeFailure | undefined;
  readonly #server: string;
  #timer: unknown;
  #deadlineTimer: unknown;
  #stopped = false;

  /** @param clock the simulator's virtual time; node's by default. */
  constructor(kube: KubeClient, opts: LeaderElectionOptions, log: Logger, clock: ElectionClock = NODE_CLOCK) {
    this.#kube = kube;
    this.#clock = clock;
    this.#server = kube.server;
    this.#opts = opts;
    this.#log = log;
  }

  get #path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.#opts.namespace}/leases`;
  }

  get #renewDeadlineMs(): number {
    return this.#opts.renewDeadlineSeconds * 1000;
  }

  /** Holds the lease, renewed within the renew deadline. */
  isLeader(): boolean {
    return this.#leader && this.#clock.monotonicMs() - this.#renewedAt < this.#renewDeadlineMs;
  }

  /**
   * Aborted, with a LeaseLostError, the moment this term of leadership ends. Read it when a pass
   * starts; when not the leader it is already aborted.
   */
  get signal(): AbortSignal {
    if (this.isLeader() && this.#term) return this.#term.signal;
    return AbortSignal.abort(new LeaseLostError('not the leader'));
  }

  /** Called with true when leadership is gained (or regained), false when it ends. */
  onChange(listener: (leader: boolean) => void): void {
    this.#listeners.push(listener);
  }

  /** Tries once, bounded in time; true when we hold the lease afterwards. */
  async tryAcquireOrRenew(now = this.#clock.now()): Promise<boolean> {
    const { namespace, leaseName: name, identity, leaseDurationSeconds } = this.#opts;
    const startedAt = this.#clock.monotonicMs();
    // One bound for the whole attempt (read and write), as for each request in it.
    const timeoutMs = 2 * this.#opts.retryPeriodSeconds * 1000;
    const bounded = { timeoutMs, signal: this.#clock.timeout(timeoutMs) };
    const path = this.#path;
    try {
      let lease: Lease | undefined;
      try {
        lease = asLease(await this.#kube.request({ method: 'GET', path: `${path}/${name}`, ...bounded }));
      } catch (err) {
        if (apiCode(err) !== 404) throw err;
      }
      const spec = {
        holderIdentity: identity,
        leaseDurationSeconds,
        renewTime: microTime(now.getTime()),
        acquireTime: microTime(now.getTime()),
        leaseTransitions: 0,
      };
      if (!lease) {
        const body = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec };
        await this.#kube.request({ method: 'POST', path, body, ...bounded });
        this.#renewed(startedAt);
      } else {
        const holder = lease.spec?.holderIdentity;
        const renewed = lease.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : 0;
        const duration = (lease.spec?.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
        const expired = renewed + duration < now.getTime();
        if (holder !== identity && holder && !expired) {
          this.#holder = holder;
          this.#lose(`the Lease is held by ${holder}`);
        } else {
          const mine = holder === identity;
          lease.spec = {
            ...spec,
            acquireTime: mine && lease.spec?.acquireTime ? microTime(new Date(lease.spec.acquireTime).getTime()) : spec.acquireTime,
            leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + (mine ? 0 : 1),
          };
          // Sent back with the resourceVersion read: a write in between makes this a 409.
          await this.#kube.request({ method: 'PUT', path: `${path}/${name}`, body: lease, ...bounded });
          this.#renewed(startedAt);
        }
      }
    } catch (err) {
      // 409: someone else renewed or took it between our read and write.
      if (apiCode(err) === 409) this.#lose('another replica wrote the Lease first');
      // Anything else (a timeout, a refused connection, a 5xx): leadership lasts until the deadline.
      else {
        this.#lastFailure = kubeFailure(err);
        this.#log.warn('lease renewal failed', { error: this.#lastFailure.reason, server: this.#server, leader: this.isLeader() });
      }
    }
    if (!this.#announced && !this.#leader) {
      const f = this.#lastFailure;
      if (!this.#holder && f) {
        this.#log.warn(f.status === undefined ? `the cluster is unreachable at ${this.#server}; standing by until it answers` : `the API server at ${this.#server} refused the Lease; standing by`, { lease: name, identity, reason: f.reason });
      } else this.#log.info('not the leader; standing by', { lease: name, identity, holder: this.#holder });
    }
    this.#announced = true;
    return this.isLeader();
  }

  /** Keeps renewing (or trying to acquire) in the background until stop(). */
  start(): void {
    this.#stopped = false;
    const period = this.#opts.retryPeriodSeconds * 1000;
    const tick = async (): Promise<void> => {
      const startedAt = this.#clock.monotonicMs();
      await this.tryAcquireOrRenew();
      if (this.#stopped) return;
      // Attempts start every retry period; after one that hung until its timeout, the next starts at once.
      this.#timer = this.#clock.setTimeout(() => void tick(), Math.max(0, startedAt + period - this.#clock.monotonicMs()));
    };
    void tick();
  }

  /** Ends leadership (aborting the signal) and releases the lease so a successor need not wait for it to expire. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const was = this.#leader;
    this.#lose('stopping');
    if (!was) return;
    try {
      const name = this.#opts.leaseName;
      const timeoutMs = 2 * this.#opts.retryPeriodSeconds * 1000;
      const lease = asLease(await this.#kube.request({ method: 'GET', path: `${this.#path}/${name}`, timeoutMs }));
      if (lease.spec?.holderIdentity === this.#opts.identity) {
        lease.spec = { ...lease.spec, holderIdentity: undefined, renewTime: undefined };
        await this.#kube.request({ method: 'PUT', path: `${this.#path}/${name}`, body: lease, timeoutMs });
      }
    } catch {
      // The lease expires by itself.
    }
  }

  /** A successful attempt that started at `startedAt` (the clock's monotonicMs()). */
  #renewed(startedAt: number): void {
    this.#lastFailure = undefined;
    if (this.#stopped) return;
    this.#renewedAt = Math.max(this.#renewedAt, startedAt);
    this.#holder = this.#opts.identity;
    this.#clock.clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = this.#clock.setTimeout(() => this.#checkDeadline(), Math.max(0, this.#renewedAt + this.#renewDeadlineMs - this.#clock.monotonicMs()));
    if (this.#clock.monotonicMs() - this.#renewedAt >= this.#renewDeadlineMs) return; // the attempt itself outlasted the deadline
    // Still the same term even if the deadline timer is late: the write just read the Lease as ours.
    if (this.#leader && this.#term && !this.#term.signal.aborted) return;
    this.#leader = true;
    this.#term = new AbortController();
    this.#log.info('became leader', { lease: this.#opts.leaseName, identity: this.#opts.identity });
    for (const l of this.#listeners) l(true);
  }

  #checkDeadline(): void {
    if (!this.#leader) return;
    const left = this.#renewedAt + this.#renewDeadlineMs - this.#clock.monotonicMs();
    if (left > 0) {
      this.#deadlineTimer = this.#clock.setTimeout(() => this.#checkDeadline(), left);
      return;
    }
    this.#lose(`the Lease was not renewed within its ${this.#opts.renewDeadlineSeconds} s renew deadline`);
  }

  #lose(why: string): void {
    this.#clock.clearTimeout(this.#deadlineTimer);
    if (!this.#leader) return;
    this.#leader = false;
    this.#term?.abort(new LeaseLostError(why));
    if (why !== 'stopping') this.#log.warn('not the leader; standing by', { lease: this.#opts.leaseName, identity: this.#opts.identity, why, holder: this.#holder === this.#opts.identity ? undefined : this.#holder });
    for (const l of this.#listeners) l(false);
  }
}

// The reconcilers' Lease (coordination.k8s.io) in the simulated cluster, with the API server's
// semantics the election relies on: a resourceVersion per write, 409 on a create over an existing
// Lease or a replace carrying a stale resourceVersion. Each replica reaches it through its own
// LeaseStore, whose calls take virtual time, may be slow, and hang while that replica is cut off
// from the API server (a partition) until the election's attempt times out.
import type { V1Lease } from '@kubernetes/client-node';
import type { ElectionClock, LeaseStore } from '../reconciler/cluster/leaderElection.ts';
import type { Rng } from './random.ts';
import type { Owner, VirtualTime } from './virtualTime.ts';

export interface LeaseFaults {
  /** Per call: a slow answer (2–20 s), past the election's attempt bound as often as not. */
  readonly slow: number;
}

export const NO_LEASE_FAULTS: LeaseFaults = { slow: 0 };

export class LeaseModel {
  #lease: V1Lease | undefined;
  #version = 0;
  faults: LeaseFaults = NO_LEASE_FAULTS;
  /** Replica identity → virtual time until which its calls reach nothing. */
  readonly partitionedUntil = new Map<string, number>();
  readonly #vt: VirtualTime;

  constructor(vt: VirtualTime) {
    this.#vt = vt;
  }

  /** Who holds the Lease now, by its own record: undefined when free or expired. */
  holder(): string | undefined {
    const spec = this.#lease?.spec;
    if (!spec?.holderIdentity || !spec.renewTime) return undefined;
    const expires = new Date(spec.renewTime).getTime() + (spec.leaseDurationSeconds ?? 0) * 1000;
    return expires > this.#vt.now() ? spec.holderIdentity : undefined;
  }

  #conflict(why: string): Error {
    return Object.assign(new Error(`Operation cannot be fulfilled on leases.coordination.k8s.io: ${why}`), { code: 409 });
  }

  #stored(body: V1Lease): V1Lease {
    this.#version++;
    this.#lease = structuredClone({ ...body, metadata: { ...body.metadata, resourceVersion: String(this.#version) } });
    return this.#lease;
  }

  /** One replica's way to the Lease: latency, faults and partitions, honouring the attempt's signal. */
  storeFor(identity: string, owner: Owner, rng: Rng): LeaseStore {
    const call = async <T>(label: string, signal: AbortSignal, answer: () => T): Promise<T> => {
      const ms = (this.partitionedUntil.get(identity) ?? 0) > this.#vt.now() ? Number.MAX_SAFE_INTEGER / 2 : rng.chance(this.faults.slow) ? rng.int(2_000, 20_000) : rng.int(5, 150);
      await new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        const e = this.#vt.at(ms, `lease ${label}`, resolve, owner, true);
        signal.addEventListener('abort', () => {
          this.#vt.cancel(e);
          reject(signal.reason);
        }, { once: true });
      });
      return answer();
    };
    return {
      server: 'https://api.cluster.invalid',
      read: (signal) => call('read', signal, () => (this.#lease ? structuredClone(this.#lease) : undefined)),
      create: (body, signal) =>
        call('create', signal, () => {
          if (this.#lease) throw this.#conflict('the Lease already exists');
          this.#stored(body);
        }),
      replace: (body, signal) =>
        call('replace', signal, () => {
          if (body.metadata?.resourceVersion !== this.#lease?.metadata?.resourceVersion) throw this.#conflict('the object has been modified; please apply your changes to the latest version and try again');
          this.#stored(body);
        }),
    };
  }
}

/** The election's clock on virtual time; its timers die with the process. */
export function electionClock(vt: VirtualTime, owner: Owner): ElectionClock {
  const timers = vt.timers(owner);
  return {
    monotonicMs: () => vt.now(),
    now: () => vt.date(),
    setTimeout: (fn, ms) => timers.setTimeout(fn, ms),
    clearTimeout: (h) => timers.clearTimeout(h),
    timeout: (ms) => {
      const c = new AbortController();
      vt.at(ms, 'lease attempt times out', () => c.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), owner, true);
      return c.signal;
    },
  };
}

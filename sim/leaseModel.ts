// The reconcilers' Lease (coordination.k8s.io) in the simulated cluster, with the API server's
// semantics the election relies on: a resourceVersion per write, 409 on a create over an existing
// Lease or a replace carrying a stale resourceVersion. Each replica reaches it through its own
// KubeClient, whose calls take virtual time, may be slow, and hang while that replica is cut off
// from the API server (a partition) until the election's attempt times out.

/** The fields of a Lease the election reads and writes. */
interface Lease {
  metadata?: { resourceVersion?: string; [field: string]: unknown };
  spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number; [field: string]: unknown };
  [field: string]: unknown;
}
import { KubeApiError } from '../reconciler/cluster/kubeApiError.ts';
import type { KubeClient, KubeRequest } from '../reconciler/cluster/kubeClient.ts';
import type { ElectionClock } from '../reconciler/cluster/leaderElection.ts';
import type { Rng } from './random.ts';
import type { Owner, VirtualTime } from './virtualTime.ts';

export interface LeaseFaults {
  /** Per call: a slow answer (2–20 s), past the election's attempt bound as often as not. */
  readonly slow: number;
}

export const NO_LEASE_FAULTS: LeaseFaults = { slow: 0 };

export class LeaseModel {
  #lease: Lease | undefined;
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

  #stored(body: Lease): Lease {
    this.#version++;
    this.#lease = structuredClone({ ...body, metadata: { ...body.metadata, resourceVersion: String(this.#version) } });
    return this.#lease;
  }

  /**
   * One replica's API server, as the election calls it (GET, POST and PUT of the Lease): latency,
   * faults and partitions in virtual time, each request bounded by its timeoutMs and signal.
   */
  clientFor(identity: string, owner: Owner, rng: Rng): KubeClient {
    const vt = this.#vt;
    const send = async (req: KubeRequest, answer: () => unknown): Promise<unknown> => {
      const cut = (this.partitionedUntil.get(identity) ?? 0) > vt.now();
      const ms = cut ? Number.MAX_SAFE_INTEGER / 2 : rng.chance(this.faults.slow) ? rng.int(2_000, 20_000) : rng.int(5, 150);
      await new Promise<void>((resolve, reject) => {
        const signal = req.signal;
        if (signal?.aborted) return reject(signal.reason);
        const answered = vt.at(ms, `lease ${req.method}`, () => {
          vt.cancel(timedOut);
          resolve();
        }, owner, true);
        const timedOut = vt.at(req.timeoutMs, `lease ${req.method} times out`, () => {
          vt.cancel(answered);
          reject(new DOMException(`no answer in ${req.timeoutMs} ms`, 'TimeoutError'));
        }, owner, true);
        signal?.addEventListener('abort', () => {
          vt.cancel(answered);
          vt.cancel(timedOut);
          reject(signal.reason);
        }, { once: true });
      });
      return answer();
    };
    const what = (req: KubeRequest) => `${req.method} ${req.path}`;
    return {
      server: 'https://api.cluster.invalid',
      request: (req) => {
        if (req.method === 'GET') {
          return send(req, () => {
            if (!this.#lease) throw new KubeApiError(404, '{"message":"leases.coordination.k8s.io not found"}', what(req));
            return structuredClone(this.#lease);
          });
        }
        if (req.method === 'POST') {
          return send(req, () => {
            if (this.#lease) throw new KubeApiError(409, '{"message":"leases.coordination.k8s.io already exists"}', what(req));
            return structuredClone(this.#stored(req.body as Lease));
          });
        }
        if (req.method === 'PUT') {
          return send(req, () => {
            const body = req.body as Lease;
            if (body.metadata?.resourceVersion !== this.#lease?.metadata?.resourceVersion) {
              throw new KubeApiError(409, '{"message":"the object has been modified; please apply your changes to the latest version and try again"}', what(req));
            }
            return structuredClone(this.#stored(body));
          });
        }
        return Promise.reject(new Error(`the simulated API server serves only the Lease: ${what(req)}`));
      },
      watch: () => Promise.reject(new Error('the simulated API server serves only the Lease: no watches')),
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

import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from '../loop/logger.ts';

export interface LeaderElectionOptions {
  readonly namespace: string;
  readonly leaseName: string;
  readonly identity: string;
  readonly leaseDurationSeconds: number;
}

function apiCode(err: unknown): number | undefined {
  return (err as { code?: number })?.code;
}

/**
 * One writer per branch: a coordination.k8s.io Lease, taken when free or expired and renewed
 * at a third of its duration. Updates carry the resourceVersion read, so two candidates racing
 * for an expired lease cannot both win (the loser gets 409).
 */
export class LeaderElection {
  readonly #api: CoordinationV1Api;
  readonly #opts: LeaderElectionOptions;
  readonly #log: Logger;
  #leader = false;
  /** False until the first attempt: a replica that starts as standby says so once, too. */
  #announced = false;
  #holder: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(kc: KubeConfig, opts: LeaderElectionOptions, log: Logger) {
    this.#api = kc.makeApiClient(CoordinationV1Api);
    this.#opts = opts;
    this.#log = log;
  }

  isLeader(): boolean {
    return this.#leader;
  }

  /** Tries once; true when we hold the lease afterwards. */
  async tryAcquireOrRenew(now = new Date()): Promise<boolean> {
    const { namespace, leaseName: name, identity, leaseDurationSeconds } = this.#opts;
    const was = this.#leader;
    try {
      let lease: V1Lease | undefined;
      try {
        lease = await this.#api.readNamespacedLease({ name, namespace });
      } catch (err) {
        if (apiCode(err) !== 404) throw err;
      }
      const spec = {
        holderIdentity: identity,
        leaseDurationSeconds,
        renewTime: new V1MicroTime(now.getTime()),
        acquireTime: new V1MicroTime(now.getTime()),
        leaseTransitions: 0,
      };
      if (!lease) {
        await this.#api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec } });
        this.#leader = true;
      } else {
        const holder = lease.spec?.holderIdentity;
        const renewed = lease.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : 0;
        const duration = (lease.spec?.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
        const expired = renewed + duration < now.getTime();
        if (holder !== identity && holder && !expired) {
          this.#leader = false;
          this.#holder = holder;
        } else {
          const mine = holder === identity;
          lease.spec = {
            ...spec,
            acquireTime: mine && lease.spec?.acquireTime ? new V1MicroTime(new Date(lease.spec.acquireTime).getTime()) : spec.acquireTime,
            leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + (mine ? 0 : 1),
          };
          await this.#api.replaceNamespacedLease({ name, namespace, body: lease });
          this.#leader = true;
        }
      }
    } catch (err) {
      // 409: someone else renewed or took it between our read and write.
      if (apiCode(err) !== 409) this.#log.warn('lease renewal failed', { error: String((err as Error)?.message ?? err) });
      this.#leader = false;
    }
    if (was !== this.#leader || !this.#announced) {
      this.#log.info(this.#leader ? 'became leader' : 'not the leader; standing by', { lease: name, identity, ...(this.#leader ? {} : { holder: this.#holder }) });
    }
    this.#announced = true;
    return this.#leader;
  }

  /** Keeps renewing in the background until stop(). */
  start(): void {
    const tick = async (): Promise<void> => {
      await this.tryAcquireOrRenew();
      this.#timer = setTimeout(() => void tick(), (this.#opts.leaseDurationSeconds * 1000) / 3);
    };
    void tick();
  }

  /** Releases the lease so a successor need not wait for it to expire. */
  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#leader) return;
    this.#leader = false;
    try {
      const { namespace, leaseName: name } = this.#opts;
      const lease = await this.#api.readNamespacedLease({ name, namespace });
      if (lease.spec?.holderIdentity === this.#opts.identity) {
        lease.spec = { ...lease.spec, holderIdentity: undefined, renewTime: undefined } as V1Lease['spec'];
        await this.#api.replaceNamespacedLease({ name, namespace, body: lease });
      }
    } catch {
      // The lease expires by itself.
    }
  }
}

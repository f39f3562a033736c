// One reconciler process in the simulated world: the production ReconcileLoop running the
// production runPass, wired to the in-memory adapters the way loop/wiring.ts wires the real
// ones, and, as loop/controller.ts does, the production LeaderElection: passes run only while it
// holds the Lease, each with its term's signal. It holds nothing durable: once its owner is dead,
// nothing it waits for ever happens.
import { PoolDirectory } from '../reconciler/azdo/pools.ts';
import { LeaderElection } from '../reconciler/cluster/leaderElection.ts';
import type { AzdoSession } from '../reconciler/azdo/session.ts';
import { AgentCapabilityCache } from '../reconciler/azdo/agentCapabilityCache.ts';
import { JobListingMemory, type ListingThresholds } from '../reconciler/azdo/jobListingFloor.ts';
import { runPass, type PassDeps } from '../reconciler/loop/pass.ts';
import { ReconcileLoop } from '../reconciler/loop/reconcileLoop.ts';
import type { PassReport } from '../reconciler/plan/passReport.ts';
import type { Logger } from '../reconciler/support/logger.ts';
import type { ClusterModel } from './clusterModel.ts';
import { electionClock, type LeaseModel } from './leaseModel.ts';
import { MemoryRepo, type GitRemote, type RepoHooks } from './gitRemote.ts';
import type { Rng } from './random.ts';
import { ServiceApi, type CallRecord, type ServiceModel } from './serviceModel.ts';
import type { Owner, VirtualTime } from './virtualTime.ts';

export interface ProcessWorld {
  readonly vt: VirtualTime;
  readonly svc: ServiceModel;
  readonly remote: GitRemote;
  readonly cluster: ClusterModel;
  readonly settings: PassDeps['settings'];
  readonly intervalMs: number;
  readonly log: Logger;
  readonly repoHooks?: RepoHooks;
  readonly note?: (line: string) => void;
  readonly onReport?: (r: PassReport) => void;
  /** This replica's name (its pod's) and the Lease it competes for (the controller's timings). */
  readonly identity: string;
  readonly lease: LeaseModel;
  /** A write is about to be sent (an Azure DevOps write, a push): the invariants judge who sends it. */
  readonly beforeWrite?: (what: string) => void;
  /** This process's push reaches the remote now. */
  readonly pushArriving?: () => void;
  /**
   * When a pool's job requests are read from the paged listing (default: production's, under
   * which the simulator's small pools are always read from the unfinished-only listing).
   */
  readonly jobListingThresholds?: Partial<ListingThresholds>;
}

/** loop/controller.ts's Lease timings. */
export const LEASE_TIMING = { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 } as const;

export class ReconcilerProcess {
  readonly owner: Owner = { dead: false };
  readonly loop: ReconcileLoop;
  readonly election: LeaderElection;
  readonly identity: string;
  /** Reads of the pass in flight that the service answered readably (undefined between passes). */
  pass: { agentsRead: boolean; jobsRead: boolean } | undefined;

  constructor(w: ProcessWorld, rng: Rng) {
    const owner = this.owner;
    this.identity = w.identity;
    this.election = new LeaderElection(
      w.lease.clientFor(w.identity, owner, rng.split('lease')),
      { namespace: 'azdo-gitops', leaseName: 'azdo-gitops', identity: w.identity, ...LEASE_TIMING },
      w.log,
      electionClock(w.vt, owner),
    );
    const record = (c: CallRecord) => {
      if (!this.pass || c.fault) return;
      if (c.method === 'getAgents') this.pass.agentsRead = true;
      // Either listing of the job requests, a page of the paged one too. Not "the last call
      // decides": a read a failed pass left running sends its later pages during the next pass,
      // and nothing says which read a page belongs to.
      if (c.method === 'getAgentRequestsForAgents' || c.method === 'getAgentRequests') this.pass.jobsRead = true;
    };
    const api = new ServiceApi(w.svc, rng.split('api'), owner, record, w.beforeWrite);
    const azdo: AzdoSession = {
      api,
      pools: new PoolDirectory(api),
      openJobRequestListing: (_api, poolId) => api.jobRequestListing(poolId),
      readJobRequestPage: (_api, poolId, token) => api.jobRequestPage(poolId, token),
      // As loop/wiring.ts keeps it: per process, lost with it on a crash.
      jobListings: new JobListingMemory(w.jobListingThresholds),
      agentCapabilities: new AgentCapabilityCache(),
    };
    const hooks = w.repoHooks ?? { afterFetch: () => {} };
    const repo = new MemoryRepo(w.remote, w.vt, rng.split('git'), owner, { ...hooks, beforePush: () => w.beforeWrite?.('push'), arriving: () => w.pushArriving?.() });
    const deps: PassDeps = {
      settings: w.settings,
      azdo,
      repo,
      pods: () => w.cluster.observedPods(),
      events: { stuckPodRemoved: async (r) => w.note?.(`event: ${r.podName} removed (${r.reason})`), specHeld: async () => {}, onAgentSpec: async () => {} },
      syncRequester: { requestSync: async () => w.cluster.requestSync() },
      log: w.log,
      now: () => w.vt.date(),
      sleep: w.vt.sleep(owner),
      random: () => rng.next(),
    };
    this.loop = new ReconcileLoop({
      intervalMs: w.intervalMs,
      canRun: () => !owner.dead && this.election.isLeader(),
      log: w.log,
      timers: w.vt.timers(owner),
      random: () => rng.next(),
      pass: async () => {
        this.pass = { agentsRead: false, jobsRead: false };
        // This term of leadership: the pass stops before its next write once it ends.
        const signal = this.election.signal;
        try {
          // Not `w.onReport?.(await runPass(…))`: an absent callback would skip the pass itself.
          const report = await runPass({ ...deps, signal }, 'apply');
          w.onReport?.(report);
        } catch (err) {
          if (!signal.aborted) throw err;
          w.log.warn('pass stopped before its next write', { reason: (signal.reason as Error)?.message ?? String(signal.reason) });
        } finally {
          this.pass = undefined;
        }
      },
    });
  }

  start(): void {
    // Leadership gained: a pass at once, as the controller does.
    this.election.onChange((leader) => {
      if (leader) this.loop.trigger('became leader');
    });
    this.election.start();
    this.loop.start();
  }

  /** Killed: every pending wait of this process is dropped. */
  crash(): void {
    this.owner.dead = true;
  }
}

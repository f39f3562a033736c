// One reconciler process in the simulated world: the production ReconcileLoop running the
// production runPass, wired to the in-memory adapters the way loop/wiring.ts wires the real
// ones. It holds nothing durable: once its owner is dead, nothing it waits for ever happens.
import { PoolDirectory } from '../reconciler/azdo/pools.ts';
import type { AzdoSession } from '../reconciler/azdo/session.ts';
import { AgentCapabilityCache } from '../reconciler/azdo/agentCapabilityCache.ts';
import { runPass, type PassDeps } from '../reconciler/loop/pass.ts';
import { ReconcileLoop } from '../reconciler/loop/reconcileLoop.ts';
import type { PassReport } from '../reconciler/plan/passReport.ts';
import type { Logger } from '../reconciler/support/logger.ts';
import type { ClusterModel } from './clusterModel.ts';
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
}

export class ReconcilerProcess {
  readonly owner: Owner = { dead: false };
  readonly loop: ReconcileLoop;
  /** Reads of the pass in flight that the service answered readably (undefined between passes). */
  pass: { agentsRead: boolean; jobsRead: boolean } | undefined;

  constructor(w: ProcessWorld, rng: Rng) {
    const owner = this.owner;
    const record = (c: CallRecord) => {
      if (!this.pass || c.fault) return;
      if (c.method === 'getAgents') this.pass.agentsRead = true;
      if (c.method === 'getAgentRequestsForAgents') this.pass.jobsRead = true;
    };
    const api = new ServiceApi(w.svc, rng.split('api'), owner, record);
    const azdo: AzdoSession = {
      api, pools: new PoolDirectory(api), openJobRequestListing: (_api, poolId) => api.jobRequestListing(poolId), agentCapabilities: new AgentCapabilityCache(),
    };
    const repo = new MemoryRepo(w.remote, w.vt, rng.split('git'), owner, w.repoHooks ?? { afterFetch: () => {} });
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
      canRun: () => !owner.dead,
      log: w.log,
      timers: w.vt.timers(owner),
      random: () => rng.next(),
      pass: async () => {
        this.pass = { agentsRead: false, jobsRead: false };
        try {
          // Not `w.onReport?.(await runPass(…))`: an absent callback would skip the pass itself.
          const report = await runPass(deps, 'apply');
          w.onReport?.(report);
        } finally {
          this.pass = undefined;
        }
      },
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Killed: every pending wait of this process is dropped. */
  crash(): void {
    this.owner.dead = true;
  }
}

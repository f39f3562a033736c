// The scaling policies the scoreboard compares, each driving the same simulated service and
// cluster. This project's runs the production loop and pass; the others are models of what
// they are documented to do, written here (they are not this project's code).
import { parseDemand, satisfiesAll, type Demand } from '../../sandbox/azdo/demands.ts';
import type { Job } from '../../sandbox/azdo/state.ts';
import type { ClusterModel, SimPod } from '../clusterModel.ts';
import type { ServiceModel } from '../serviceModel.ts';
import type { SimSpec } from '../specs.ts';
import type { VirtualTime } from '../virtualTime.ts';

export const POLICIES = ['azdo-gitops', 'predecessor', 'keda-scaledjob', 'fixed-pool'] as const;
export type PolicyName = (typeof POLICIES)[number];

export interface PolicyWorld {
  readonly vt: VirtualTime;
  readonly svc: ServiceModel;
  readonly cluster: ClusterModel;
  readonly specs: readonly SimSpec[];
  readonly poolName: string;
  /** Azure DevOps calls the policy makes (the service model counts this project's own). */
  countCalls(n: number): void;
}

export function capabilityMap(spec: SimSpec): Record<string, string> {
  const caps: Record<string, string> = { 'Agent.Version': '4.260.0' };
  for (const c of spec.capabilities) {
    const [k, v] = c.split('=');
    caps[k!] = v ?? 'true';
  }
  return caps;
}

function demandsOf(job: Job): Demand[] {
  return job.demands.map(parseDemand).filter((d): d is Demand => d !== undefined);
}

const waiting = (svc: ServiceModel) => svc.jobs().filter((j) => j.assignTime === undefined && j.finishTime === undefined);
const live = (cluster: ClusterModel, spec: string) => [...cluster.pods.values()].filter((p) => p.specName === spec && p.endedAt === undefined && !p.deleting);
const busy = (p: SimPod) => p.jobId !== undefined;

/**
 * The predecessor: polls every second (jobs and agents: 2 calls), counts the standby floor on
 * total agents (busy ones included, so a busy pool has no warm agent), starts a pod per waiting
 * job its spec can run, and removes an agent idle beyond the floor after 2 minutes.
 */
export function startPredecessor(w: PolicyWorld): void {
  const idleSince = new Map<string, number>();
  const tick = () => {
    w.countCalls(2);
    const jobs = waiting(w.svc);
    const claimed = new Set<number>();
    for (const spec of w.specs) {
      const caps = capabilityMap(spec);
      const mine = jobs.filter((j) => !claimed.has(j.requestId) && satisfiesAll(caps, demandsOf(j)));
      mine.forEach((j) => claimed.add(j.requestId));
      const pods = live(w.cluster, spec.name);
      const starting = pods.filter((p) => !busy(p) && p.session === undefined).length;
      const wanted = Math.max(spec.standby - pods.length, mine.length - starting);
      for (let i = 0; i < Math.min(wanted, spec.maxAgents - pods.length); i++) w.cluster.launch(spec.name, w.poolName, caps);
      let keep = Math.max(spec.standby, pods.filter(busy).length + mine.length);
      for (const p of pods) {
        if (busy(p) || p.session === undefined) continue;
        if (keep > pods.filter(busy).length) {
          keep--;
          continue;
        }
        const since = idleSince.get(p.name) ?? w.vt.now();
        idleSince.set(p.name, since);
        if (w.vt.now() - since >= 120_000) w.cluster.remove(p.name);
      }
    }
    w.vt.at(1000, 'predecessor poll', tick);
  };
  w.vt.at(1000, 'predecessor poll', tick);
}

/**
 * KEDA's azure-pipelines scaler driving one ScaledJob per spec (split per demand: each counts
 * the waiting jobs its agents could run, so a job with no demands counts for every ScaledJob),
 * polling every 30 s (one call per ScaledJob), `accurate` strategy, minReplicaCount 0.
 */
export function startKeda(w: PolicyWorld): void {
  const tick = () => {
    const jobs = waiting(w.svc);
    for (const spec of w.specs) {
      w.countCalls(1);
      const caps = capabilityMap(spec);
      const queueLength = jobs.filter((j) => satisfiesAll(caps, demandsOf(j))).length;
      const pods = live(w.cluster, spec.name);
      const running = pods.length;
      const pending = pods.filter((p) => p.session === undefined).length;
      const maxScale = Math.min(queueLength, spec.maxAgents);
      const scale = maxScale + running > spec.maxAgents ? spec.maxAgents - running : maxScale - pending;
      for (let i = 0; i < scale; i++) w.cluster.launch(spec.name, w.poolName, caps);
    }
    w.vt.at(30_000, 'keda poll', tick);
  };
  w.vt.at(30_000, 'keda poll', tick);
}

/** A fixed pool sized for the peak: every spec at its maxAgents, a finished pod replaced at once (a Deployment). */
export function startFixedPool(w: PolicyWorld): void {
  const tick = () => {
    for (const spec of w.specs) {
      const n = live(w.cluster, spec.name).length;
      for (let i = n; i < spec.maxAgents; i++) w.cluster.launch(spec.name, w.poolName, capabilityMap(spec));
    }
    w.vt.at(5_000, 'fixed pool', tick);
  };
  tick();
}

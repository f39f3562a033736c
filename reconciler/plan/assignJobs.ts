// Each pending job → exactly ONE spec (no double scaling when several specs match).
// Candidates: specs of the job's pool whose capabilities satisfy every demand.
// Choice: fewest capabilities, then name.
import type { AgentSpec } from '../spec/agentSpec.ts';
import type { UnmatchedJob } from './changes.ts';
import type { DemandOptions } from './demands.ts';
import { unmetDemands } from './demands.ts';
import type { PendingJob } from './observed.ts';
import { byQueue } from './pending.ts';

export type SpecChoice = { readonly spec: AgentSpec } | { readonly reason: string };

export function bySpecPreference(a: AgentSpec, b: AgentSpec): number {
  return a.capabilities.length - b.capabilities.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

export function chooseSpec(job: PendingJob, specs: readonly AgentSpec[], opts: DemandOptions = {}): SpecChoice {
  const ofPool = specs.filter((s) => s.pool.toLowerCase() === job.poolName.toLowerCase()).sort(bySpecPreference);
  if (ofPool.length === 0) return { reason: `no AgentSpec serves pool "${job.poolName}"` };
  const lacking: string[] = [];
  for (const s of ofPool) {
    const unmet = unmetDemands(job.demands, s.capabilities, opts);
    if (unmet.length === 0) return { spec: s };
    lacking.push(`${s.name} lacks ${unmet.map((d) => JSON.stringify(d)).join(', ')}`);
  }
  return { reason: `no AgentSpec of pool "${job.poolName}" satisfies the demands (${lacking.join('; ')})` };
}

export interface JobAssignments {
  /** specName → its jobs, oldest first. */
  readonly bySpec: ReadonlyMap<string, readonly PendingJob[]>;
  readonly unmatched: readonly UnmatchedJob[];
}

export function assignJobs(jobs: readonly PendingJob[], specs: readonly AgentSpec[], opts: DemandOptions = {}): JobAssignments {
  const bySpec = new Map<string, PendingJob[]>();
  const unmatched: UnmatchedJob[] = [];
  for (const job of [...jobs].sort(byQueue)) {
    const c = chooseSpec(job, specs, opts);
    if ('spec' in c) {
      const list = bySpec.get(c.spec.name) ?? [];
      list.push(job);
      bySpec.set(c.spec.name, list);
    } else {
      unmatched.push({ requestId: job.requestId, poolName: job.poolName, demands: [...job.demands], reason: c.reason });
    }
  }
  unmatched.sort((a, b) => a.requestId - b.requestId);
  return { bySpec, unmatched };
}

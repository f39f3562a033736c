// Each pending job → exactly ONE spec (no double scaling when several specs match).
// Candidates: specs of the job's pool whose capabilities satisfy every demand, in preference
// order (fewest capabilities, then name). Which candidate counts the job:
//   1. the spec whose starting pod was started for it;
//   2. else the first candidate with a spare agent (idle or starting beyond its standby): the
//      service may run the job there, so no new agent is needed;
//   3. else the first candidate with room under its maxAgents for one more;
//   4. else the preferred candidate (its summary then reports the cap).
// Jobs with the fewest candidates claim spare agents first, so a narrow job is not left without
// the one agent that can run it because a job that runs anywhere took it.
import type { AgentSpec } from '../agentspec/agentSpec.ts';
import type { UnmatchedJob } from './changes.ts';
import type { DemandOptions } from './demands.ts';
import { unmetDemands } from './demands.ts';
import type { PendingJob } from './observed.ts';
import { byQueue } from './pending.ts';

export type SpecChoice = { readonly spec: AgentSpec } | { readonly reason: string };
export type Candidates = { readonly specs: readonly AgentSpec[] } | { readonly reason: string };

export function bySpecPreference(a: AgentSpec, b: AgentSpec): number {
  return a.capabilities.length - b.capabilities.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** The specs that can run the job, most preferred first, or why none can. */
export function candidateSpecs(job: PendingJob, specs: readonly AgentSpec[], opts: DemandOptions = {}): Candidates {
  const ofPool = specs.filter((s) => s.pool.toLowerCase() === job.poolName.toLowerCase()).sort(bySpecPreference);
  if (ofPool.length === 0) return { reason: `no AgentSpec serves pool "${job.poolName}"` };
  const fit: AgentSpec[] = [];
  const lacking: string[] = [];
  for (const s of ofPool) {
    const unmet = unmetDemands(job.demands, s.capabilities, opts);
    if (unmet.length === 0) fit.push(s);
    else lacking.push(`${s.name} lacks ${unmet.map((d) => JSON.stringify(d)).join(', ')}`);
  }
  if (fit.length > 0) return { specs: fit };
  return { reason: `no AgentSpec of pool "${job.poolName}" satisfies the demands (${lacking.join('; ')})` };
}

/** The spec a job counts for when no agent exists yet: the preferred candidate. */
export function chooseSpec(job: PendingJob, specs: readonly AgentSpec[], opts: DemandOptions = {}): SpecChoice {
  const c = candidateSpecs(job, specs, opts);
  return 'specs' in c ? { spec: c.specs[0]! } : c;
}

/** What a spec already has for pending jobs, from its manifests that stay this pass. */
export interface SpecCapacity {
  /** Pending job ids its starting pods were started for. */
  readonly startedFor: ReadonlySet<number>;
  /** Idle current-revision agents plus starting pods not started for a pending job, minus standby. */
  readonly spare: number;
  /** maxAgents minus the manifests that stay. */
  readonly room: number;
}

export interface JobAssignments {
  /** specName → its jobs, oldest first. */
  readonly bySpec: ReadonlyMap<string, readonly PendingJob[]>;
  readonly unmatched: readonly UnmatchedJob[];
}

export function assignJobs(
  jobs: readonly PendingJob[],
  specs: readonly AgentSpec[],
  opts: DemandOptions = {},
  capacity: ReadonlyMap<string, SpecCapacity> = new Map(),
): JobAssignments {
  const unmatched: UnmatchedJob[] = [];
  const routable: { job: PendingJob; specs: readonly AgentSpec[] }[] = [];
  for (const job of jobs) {
    const c = candidateSpecs(job, specs, opts);
    if ('specs' in c) routable.push({ job, specs: c.specs });
    else unmatched.push({ requestId: job.requestId, poolName: job.poolName, demands: [...job.demands], reason: c.reason });
  }
  routable.sort((a, b) => a.specs.length - b.specs.length || byQueue(a.job, b.job));

  const spare = new Map([...capacity].map(([name, c]) => [name, c.spare]));
  const room = new Map([...capacity].map(([name, c]) => [name, c.room]));
  const chosen = new Map<number, AgentSpec>();
  for (const { job, specs: cands } of routable) {
    const startedBy = cands.find((s) => capacity.get(s.name)?.startedFor.has(job.requestId));
    if (startedBy) chosen.set(job.requestId, startedBy);
  }
  const rest = routable.filter(({ job }) => !chosen.has(job.requestId));
  for (const { job, specs: cands } of rest) {
    const withSpare = cands.find((s) => (spare.get(s.name) ?? 0) > 0);
    if (withSpare) {
      spare.set(withSpare.name, spare.get(withSpare.name)! - 1);
      chosen.set(job.requestId, withSpare);
    }
  }
  for (const { job, specs: cands } of rest) {
    if (chosen.has(job.requestId)) continue;
    const withRoom = cands.find((s) => (room.get(s.name) ?? Infinity) > 0);
    const spec = withRoom ?? cands[0]!;
    if (withRoom && room.has(spec.name)) room.set(spec.name, room.get(spec.name)! - 1);
    chosen.set(job.requestId, spec);
  }

  const bySpec = new Map<string, PendingJob[]>();
  for (const { job } of [...routable].sort((a, b) => byQueue(a.job, b.job))) {
    const name = chosen.get(job.requestId)!.name;
    const list = bySpec.get(name) ?? [];
    list.push(job);
    bySpec.set(name, list);
  }
  unmatched.sort((a, b) => a.requestId - b.requestId);
  return { bySpec, unmatched };
}

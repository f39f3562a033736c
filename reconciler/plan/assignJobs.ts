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
import type { PendingJob } from './observed.ts';
import { byQueue } from './pending.ts';
import { SpecMatcher, type Candidates } from './specMatcher.ts';
import { getOrInsert } from '../support/getOrInsert.ts';

export type SpecChoice = { readonly spec: AgentSpec } | { readonly reason: string };
export { bySpecPreference, type Candidates } from './specMatcher.ts';

/** The specs that can run the job, most preferred first, or why none can. */
export function candidateSpecs(job: PendingJob, specs: readonly AgentSpec[], opts: DemandOptions = {}): Candidates {
  return new SpecMatcher(specs, opts).candidates(job);
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
  // Oldest first; plan() passes jobs in that order already, so this is one look, not a sort.
  const queued: Routed[] = [];
  const matcher = new SpecMatcher(specs, opts);
  for (const job of isInQueueOrder(jobs) ? jobs : [...jobs].sort(byQueue)) {
    const c = matcher.candidates(job);
    if ('specs' in c) queued.push({ job, specs: c.specs, chosen: undefined });
    else unmatched.push({ requestId: job.requestId, poolName: job.poolName, demands: [...job.demands], reason: c.reason });
  }
  // Narrowest first (fewest candidates), oldest first among equals.
  const routable = byCandidateCount(queued);

  const spare = new Map([...capacity].map(([name, c]) => [name, c.spare]));
  const room = new Map([...capacity].map(([name, c]) => [name, c.room]));
  // Which specs' starting pods were started for each job: most jobs have none, so most jobs
  // cost one lookup here instead of one per candidate.
  const startedFor = new Map<number, Set<string>>();
  for (const [name, c] of capacity) {
    for (const id of c.startedFor) getOrInsert(startedFor, id, () => new Set()).add(name);
  }
  for (const r of routable) {
    const by = startedFor.get(r.job.requestId);
    if (by) r.chosen = r.specs.find((s) => by.has(s.name));
  }
  // Spare agents left per pool: once a pool has none, its jobs need not scan their candidates.
  const spareLeft = new Map<string, number>();
  for (const s of specs) {
    const n = Math.max(0, spare.get(s.name) ?? 0);
    if (n > 0) spareLeft.set(s.pool.toLowerCase(), (spareLeft.get(s.pool.toLowerCase()) ?? 0) + n);
  }
  const firstWithSpare = new FirstWithSome(spare, 0);
  for (const r of routable) {
    if (r.chosen) continue;
    const pool = r.job.poolName.toLowerCase();
    if ((spareLeft.get(pool) ?? 0) === 0) continue;
    const withSpare = firstWithSpare.of(r.specs);
    if (withSpare) {
      spare.set(withSpare.name, spare.get(withSpare.name)! - 1);
      spareLeft.set(pool, spareLeft.get(pool)! - 1);
      r.chosen = withSpare;
    }
  }
  const firstWithRoom = new FirstWithSome(room, Number.POSITIVE_INFINITY);
  for (const r of routable) {
    if (r.chosen) continue;
    const withRoom = firstWithRoom.of(r.specs);
    if (withRoom && room.has(withRoom.name)) room.set(withRoom.name, room.get(withRoom.name)! - 1);
    r.chosen = withRoom ?? r.specs[0]!;
  }

  const bySpec = new Map<string, PendingJob[]>();
  for (const r of queued) getOrInsert(bySpec, r.chosen!.name, () => []).push(r.job);
  unmatched.sort((a, b) => a.requestId - b.requestId);
  return { bySpec, unmatched };
}

/** A routable job, its candidates (most preferred first) and the one it counts for once chosen. */
interface Routed {
  readonly job: PendingJob;
  readonly specs: readonly AgentSpec[];
  chosen: AgentSpec | undefined;
}

/**
 * The first candidate whose count left is above zero (a spec not counted has `uncounted`), for
 * jobs that share candidate lists (one per distinct demand set). Counts only fall while jobs are
 * routed, so where a list's first such spec was is where the search for it starts next time:
 * each list is walked once in all, not once per job (jobs × specs when both are many).
 */
class FirstWithSome {
  readonly #left: ReadonlyMap<string, number>;
  readonly #uncounted: number;
  readonly #from = new Map<readonly AgentSpec[], number>();

  constructor(left: ReadonlyMap<string, number>, uncounted: number) {
    this.#left = left;
    this.#uncounted = uncounted;
  }

  of(candidates: readonly AgentSpec[]): AgentSpec | undefined {
    let i = this.#from.get(candidates) ?? 0;
    while (i < candidates.length && !((this.#left.get(candidates[i]!.name) ?? this.#uncounted) > 0)) i++;
    this.#from.set(candidates, i);
    return candidates[i];
  }
}

/** A stable bucket sort by the number of candidates, a small number. */
function byCandidateCount<T extends { readonly specs: readonly unknown[] }>(xs: readonly T[]): T[] {
  const buckets = new Map<number, T[]>();
  for (const x of xs) getOrInsert(buckets, x.specs.length, () => []).push(x);
  return [...buckets.keys()].sort((a, b) => a - b).flatMap((n) => buckets.get(n)!);
}

function isInQueueOrder(jobs: readonly PendingJob[]): boolean {
  for (let i = 1; i < jobs.length; i++) if (byQueue(jobs[i - 1]!, jobs[i]!) > 0) return false;
  return true;
}

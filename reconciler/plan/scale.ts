// Per spec: scale-down of idle agents above pending+standby, rotation of idle old-revision agents,
// and how many agents to add (pending jobs first, then rotation replacements, then standby).
import type { AgentSpec } from '../agentspec/agentSpec.ts';
import type { AddReason, ManifestToRemove } from './changes.ts';
import type { ManifestState } from './agentStates.ts';
import type { PendingJob } from './observed.ts';
import { removal } from './prune.ts';
import { startingCoverage, type StartingCoverage } from './startingCoverage.ts';

export interface AddWant {
  readonly specName: string;
  readonly reason: AddReason;
  readonly jobRequestIds: readonly number[];
  /** queueTime of the job for pending-jobs wants (global cap order). */
  readonly queueTime: Date | undefined;
}

export interface SpecScale {
  readonly remove: ManifestToRemove[];
  /** Wants within the spec's own cap, in priority order. */
  readonly wants: AddWant[];
  /** How many more agents demand wanted than spec.maxAgents allowed. */
  readonly cappedBySpec: number;
  /** Manifests of the spec that stay after this plan's removals. */
  readonly keptCount: number;
  readonly busy: number;
  readonly idle: number;
  readonly starting: number;
  readonly pending: number;
  readonly desired: number;
}

/** Idle agents in removal order: old revision first, then oldest, then name. */
export function removalOrder(spec: AgentSpec): (a: ManifestState, b: ManifestState) => number {
  return (a, b) => {
    const ra = a.manifest.specRevision === spec.revision ? 1 : 0;
    const rb = b.manifest.specRevision === spec.revision ? 1 : 0;
    return ra - rb || a.manifest.createdAt.getTime() - b.manifest.createdAt.getTime() || (a.manifest.podName < b.manifest.podName ? -1 : 1);
  };
}

/**
 * @param kept this spec's manifests left after pruning; @param jobs its pending jobs, oldest first.
 * @param rotatedByPrune old-revision agents pruning already removed (disabled ones being drained),
 *   whose replacements are rotations too.
 * @param drainable whether an idle agent may leave in this plan (PlanOptions.drained).
 */
const NO_COVERAGE: StartingCoverage = { covered: new Set(), unpinned: 0 };

export function scaleSpec(
  spec: AgentSpec,
  kept: readonly ManifestState[],
  jobs: readonly PendingJob[],
  rotatedByPrune = 0,
  drainable: (s: ManifestState) => boolean = () => true,
): SpecScale {
  const busy = kept.filter((s) => s.kind === 'busy');
  const idle = kept.filter((s) => s.kind === 'idle').sort(removalOrder(spec));
  const starting = kept.filter((s) => s.kind === 'starting').sort((a, b) => (a.manifest.path < b.manifest.path ? -1 : 1));
  const pending = jobs.length;
  const target = pending + spec.standby;
  const available = idle.length + starting.length;

  // Only agents that may be drained leave; the others stay idle and keep their place under the cap.
  const leavable = idle.filter(drainable);
  const excess = Math.max(0, available - target);
  const scaleDown = leavable.slice(0, Math.min(excess, leavable.length));
  const rotated = leavable.slice(scaleDown.length).filter((s) => s.manifest.specRevision !== spec.revision);
  const remove = [
    ...scaleDown.map((s) => removal(s, 'scale-down', s.agent?.id)),
    ...rotated.map((s) => removal(s, 'rotation', s.agent?.id)),
  ];
  const keptIdle = idle.length - scaleDown.length - rotated.length;
  const availableAfter = keptIdle + starting.length;

  // Which jobs are already covered: a starting pod covers the job it was started for; the other
  // available agents cover the oldest remaining jobs.
  const { covered, unpinned } = starting.length === 0 ? NO_COVERAGE : startingCoverage(starting, new Set(jobs.map((j) => j.requestId)));
  let generic = keptIdle + unpinned;
  const uncovered: PendingJob[] = [];
  for (const j of jobs) {
    if (covered.has(j.requestId)) continue;
    if (generic > 0) generic--;
    else uncovered.push(j);
  }
  const spare = Math.max(0, availableAfter - pending);
  const standbyNeeded = Math.max(0, spec.standby - spare);
  const rotationAdds = Math.min(standbyNeeded, rotated.length + rotatedByPrune);
  // Wanted in this order: one per uncovered job, rotations, standby; only what fits is made (a
  // spec at its cap with a long queue wants thousands).
  const wanted = uncovered.length + standbyNeeded;
  const keptCount = kept.length - remove.length;
  const room = Math.max(0, spec.maxAgents - keptCount);
  const wants: AddWant[] = [];
  for (let i = 0; i < Math.min(room, wanted); i++) {
    const j = uncovered[i];
    if (j !== undefined) wants.push({ specName: spec.name, reason: 'pending-jobs', jobRequestIds: [j.requestId], queueTime: j.queueTime });
    else wants.push({ specName: spec.name, reason: i - uncovered.length < rotationAdds ? 'rotation' : 'standby', jobRequestIds: [], queueTime: undefined });
  }
  return {
    remove,
    wants,
    cappedBySpec: wanted - wants.length,
    keptCount,
    busy: busy.length,
    idle: idle.length,
    starting: starting.length,
    pending,
    desired: Math.min(busy.length + target, spec.maxAgents),
  };
}

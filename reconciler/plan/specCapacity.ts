// What each spec already has for pending jobs, from the manifests that stay after pruning:
// input to assignJobs, so a job can count for a spec whose agent may run it anyway.
import type { AgentSpec } from '../agentspec/agentSpec.ts';
import type { ManifestState } from './agentStates.ts';
import type { SpecCapacity } from './assignJobs.ts';
import { startingCoverage } from './startingCoverage.ts';

export function specCapacity(spec: AgentSpec, kept: readonly ManifestState[], pendingIds: ReadonlySet<number>): SpecCapacity {
  const { covered, unpinned } = startingCoverage(kept.filter((s) => s.kind === 'starting'), pendingIds);
  // An old-revision idle agent is rotated out, not kept for jobs.
  const idle = kept.filter((s) => s.kind === 'idle' && s.manifest.specRevision === spec.revision).length;
  return { startedFor: covered, spare: Math.max(0, idle + unpinned - spec.standby), room: Math.max(0, spec.maxAgents - kept.length) };
}

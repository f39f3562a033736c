// What each spec already has for pending jobs, from the manifests that stay after pruning:
// input to assignJobs, so a job can count for a spec whose agent may run it anyway.
import type { AgentSpec } from '../spec/agentSpec.ts';
import type { ManifestState } from './agentStates.ts';
import type { SpecCapacity } from './assignJobs.ts';

export function specCapacity(spec: AgentSpec, kept: readonly ManifestState[], pendingIds: ReadonlySet<number>): SpecCapacity {
  const startedFor = new Set<number>();
  let available = 0;
  for (const s of kept) {
    if (s.kind === 'starting') {
      // A starting pod stands for the first of its jobs still pending (as scaleSpec counts it).
      const id = (s.manifest.jobRequestIds ?? []).find((x) => pendingIds.has(x) && !startedFor.has(x));
      if (id !== undefined) startedFor.add(id);
      else available++;
    } else if (s.kind === 'idle' && s.manifest.specRevision === spec.revision) {
      // An old-revision idle agent is rotated out, not kept for jobs.
      available++;
    }
  }
  return { startedFor, spare: Math.max(0, available - spec.standby), room: Math.max(0, spec.maxAgents - kept.length) };
}

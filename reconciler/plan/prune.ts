// Manifests to remove regardless of demand: finished or gone pods, stuck pods, specs that no longer exist.
import type { ManifestToRemove } from './changes.ts';
import type { ManifestState } from './agentStates.ts';

export interface PruneResult {
  readonly remove: ManifestToRemove[];
  /** States whose manifest stays (input to scaling). */
  readonly kept: ManifestState[];
}

export function removal(s: ManifestState, reason: ManifestToRemove['reason'], agentId: number | undefined): ManifestToRemove {
  // The job its agent ran: the last it completed; or, for a pod that exited while its agent was
  // still listed on a job (the agents were read just before the job ended), that job: a `--once`
  // agent takes one job, and its container exits after it.
  const ran = s.agent?.lastCompletedRequestId ?? (s.kind === 'finished' ? s.agent?.assignedRequestId : undefined);
  return { path: s.manifest.path, podName: s.manifest.podName, specName: s.manifest.specName, reason, agentId, ...(ran !== undefined ? { ranJobRequestId: ran } : {}) };
}

/**
 * @param drainable whether a live agent may leave in this plan (see PlanOptions.drained). A
 *   manifest whose agent may not leave stays, and keeps its place under the caps.
 */
export function pruneManifests(states: readonly ManifestState[], drainable: (s: ManifestState) => boolean = () => true): PruneResult {
  const remove: ManifestToRemove[] = [];
  const kept: ManifestState[] = [];
  const leave = (s: ManifestState, r: ManifestToRemove) => (r.agentId === undefined || drainable(s) ? remove.push(r) : kept.push(s));
  for (const s of states) {
    if (s.removeReason !== undefined) {
      // A pod gone while its agent is registered may be a stale view of a live agent: it is
      // drained (disabled, re-read) like any live agent before its manifest goes.
      leave(s, removal(s, s.removeReason, s.kind === 'pod-deleted' ? s.agent?.id : undefined));
    } else if (s.spec === undefined) {
      // The spec was deleted: its agents go, but a busy one finishes its job first.
      if (s.kind === 'busy') kept.push(s);
      else leave(s, removal(s, 'spec-removed', s.agent?.id));
    } else if (s.kind === 'disabled') {
      // Disabled but still there: an earlier removal was interrupted (apply disables first), or
      // this pass disabled it and re-plans on the pushed tip. An old revision leaves as rotation.
      leave(s, removal(s, s.manifest.specRevision !== s.spec.revision ? 'rotation' : 'scale-down', s.agent?.id));
    } else kept.push(s);
  }
  return { remove, kept };
}

// Manifests to remove regardless of demand: finished or gone pods, stuck pods, specs that no longer exist.
import type { ManifestToRemove } from './changes.ts';
import type { ManifestState } from './agentStates.ts';

export interface PruneResult {
  readonly remove: ManifestToRemove[];
  /** States whose manifest stays (input to scaling). */
  readonly kept: ManifestState[];
}

export function removal(s: ManifestState, reason: ManifestToRemove['reason'], agentId: number | undefined): ManifestToRemove {
  return { path: s.manifest.path, podName: s.manifest.podName, specName: s.manifest.specName, reason, agentId };
}

export function pruneManifests(states: readonly ManifestState[]): PruneResult {
  const remove: ManifestToRemove[] = [];
  const kept: ManifestState[] = [];
  for (const s of states) {
    if (s.removeReason !== undefined) {
      remove.push(removal(s, s.removeReason, undefined));
    } else if (s.spec === undefined) {
      // The spec was deleted: its agents go, but a busy one finishes its job first.
      if (s.kind === 'busy') kept.push(s);
      else remove.push(removal(s, 'spec-removed', s.agent?.id));
    } else if (s.kind === 'disabled') {
      // Disabled but still there: an earlier removal was interrupted (apply disables first), or
      // this pass disabled it and re-plans on the pushed tip. An old revision leaves as rotation.
      remove.push(removal(s, s.manifest.specRevision !== s.spec.revision ? 'rotation' : 'scale-down', s.agent?.id));
    } else kept.push(s);
  }
  return { remove, kept };
}

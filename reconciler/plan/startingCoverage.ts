// Which pending jobs a spec's starting pods stand for: each pod stands for the first of the jobs
// it was started for that is still pending and not already taken by another pod; a pod whose
// jobs are all gone (run elsewhere, cancelled) is a plain available agent.
import type { ManifestState } from './agentStates.ts';

export interface StartingCoverage {
  /** Pending job ids a starting pod stands for. */
  readonly covered: ReadonlySet<number>;
  /** Starting pods standing for no pending job. */
  readonly unpinned: number;
}

/** @param starting starting pods in a stable order (by manifest path). */
export function startingCoverage(starting: readonly ManifestState[], pendingIds: ReadonlySet<number>): StartingCoverage {
  const covered = new Set<number>();
  let unpinned = 0;
  for (const s of starting) {
    const id = (s.manifest.jobRequestIds ?? []).find((x) => pendingIds.has(x) && !covered.has(x));
    if (id !== undefined) covered.add(id);
    else unpinned++;
  }
  return { covered, unpinned };
}

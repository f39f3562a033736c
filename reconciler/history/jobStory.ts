// The story of one job request told from the scaling commits: which pod was started for it, which
// pod's agent ran it (it may be another: a standby agent, or one started for an older job), and
// when and why those pods' manifests were removed. Pure.
import type { ScalingCommit } from './scalingCommit.ts';

export interface StoryEvent {
  readonly time: Date;
  readonly commit: string;
  readonly text: string;
}

export interface JobStory {
  readonly jobRequestId: number;
  /** Pods started for the job. */
  readonly startedFor: readonly string[];
  /** The pod whose agent ran it, when a removal recorded it. */
  readonly ranOn: string | undefined;
  readonly events: readonly StoryEvent[];
}

const short = (oid: string): string => oid.slice(0, 8);

/** @param commits oldest first. */
export function jobStory(commits: readonly ScalingCommit[], jobRequestId: number): JobStory {
  const startedFor = new Set<string>();
  let ranOn: string | undefined;
  for (const c of commits) {
    for (const a of c.added) if (a.jobRequestIds.includes(jobRequestId)) startedFor.add(a.pod);
    for (const r of c.removed) if (r.ranJobRequestId === jobRequestId) ranOn = r.pod;
  }
  const involved = new Set([...startedFor, ...(ranOn ? [ranOn] : [])]);
  const events: StoryEvent[] = [];
  for (const c of commits) {
    for (const a of c.added) {
      if (!involved.has(a.pod)) continue;
      const why = a.jobRequestIds.includes(jobRequestId)
        ? `for job ${jobRequestId}${a.jobRequestIds.length > 1 ? ` (with ${a.jobRequestIds.filter((j) => j !== jobRequestId).join(',')})` : ''}`
        : a.jobRequestIds.length > 0 ? `for job ${a.jobRequestIds.join(',')}` : `as ${a.reason}`;
      events.push({ time: c.time, commit: c.oid, text: `${short(c.oid)} added pod ${a.pod} (${a.spec}) ${why}` });
    }
    for (const r of c.removed) {
      if (!involved.has(r.pod)) continue;
      const ran = r.ranJobRequestId === undefined ? '' : r.ranJobRequestId === jobRequestId ? `; its agent ran job ${jobRequestId}` : `; its agent ran job ${r.ranJobRequestId} instead`;
      events.push({ time: c.time, commit: c.oid, text: `${short(c.oid)} removed pod ${r.pod} (${r.spec}): ${r.reason}${ran}` });
    }
  }
  return { jobRequestId, startedFor: [...startedFor], ranOn, events };
}

export function formatJobStory(s: JobStory): string {
  if (s.events.length === 0) {
    return `job ${s.jobRequestId}: no scaling commit names it (it ran on an agent whose removal is not in the history read, ran elsewhere, or is older than --since)`;
  }
  const head = `job ${s.jobRequestId}: ${s.startedFor.length > 0 ? `pod${s.startedFor.length > 1 ? 's' : ''} ${s.startedFor.join(', ')} started for it` : 'no pod was started for it'}; ${s.ranOn ? `ran on ${s.ranOn}` : 'where it ran is not recorded yet'}`;
  return [head, ...s.events.map((e) => `  ${e.time.toISOString()}  ${e.text}`)].join('\n');
}

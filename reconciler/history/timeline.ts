// Agents over time per spec, from the scaling commits: the count of committed pod manifests after
// each commit, split into standby (started with no job: standby, rotation) and job-driven
// (started for pending jobs), and totals per spec. Pure.
import type { ScalingCommit } from './scalingCommit.ts';
import { isPodFailureReason } from '../plan/changes.ts';

export type PodKind = 'standby' | 'job';

/** A pod already committed before the first commit read (from that commit's tree). */
export interface BaselinePod {
  readonly pod: string;
  readonly spec: string;
  readonly kind: PodKind;
}

export interface SpecCount {
  readonly standby: number;
  readonly job: number;
}

export interface TimelinePoint {
  readonly time: Date;
  /** Committed pods per spec after this point's commit (specs with none are absent). */
  readonly bySpec: ReadonlyMap<string, SpecCount>;
}

export interface SpecTotals {
  readonly spec: string;
  /** Pods added (each is one agent started). */
  readonly agentsStarted: number;
  readonly jobDrivenStarted: number;
  readonly standbyStarted: number;
  /** Pods removed because they failed or got stuck (pod-failed, pod-start-error, a deadline). */
  readonly podsFailed: number;
  readonly podsRemoved: number;
  /** Jobs the spec's removed pods ran. */
  readonly jobsRan: number;
  /** Most pods committed at once. */
  readonly peakAgents: number;
}

export interface Timeline {
  /** The state before the first commit, then one point per commit, oldest first. */
  readonly points: readonly TimelinePoint[];
  readonly totals: readonly SpecTotals[];
}

/** Standby unless the pod was started for jobs. */
export function kindOf(reason: string, jobRequestIds: readonly number[]): PodKind {
  return reason === 'pending-jobs' || (reason === 'unknown' && jobRequestIds.length > 0) ? 'job' : 'standby';
}

function counts(live: ReadonlyMap<string, { spec: string; kind: PodKind }>): Map<string, SpecCount> {
  const out = new Map<string, { standby: number; job: number }>();
  for (const { spec, kind } of live.values()) {
    const c = out.get(spec) ?? { standby: 0, job: 0 };
    c[kind]++;
    out.set(spec, c);
  }
  return out;
}

/**
 * @param commits oldest first.
 * @param start the time of the state before the first commit (the window's start).
 */
export function buildTimeline(commits: readonly ScalingCommit[], baseline: readonly BaselinePod[], start: Date): Timeline {
  const live = new Map(baseline.map((b) => [b.pod, { spec: b.spec, kind: b.kind }]));
  const points: TimelinePoint[] = [{ time: start, bySpec: counts(live) }];
  const totals = new Map<string, { -readonly [K in keyof SpecTotals]: SpecTotals[K] }>();
  const totalsOf = (spec: string) => {
    let t = totals.get(spec);
    if (!t) {
      t = { spec, agentsStarted: 0, jobDrivenStarted: 0, standbyStarted: 0, podsFailed: 0, podsRemoved: 0, jobsRan: 0, peakAgents: 0 };
      totals.set(spec, t);
    }
    return t;
  };
  const peak = () => {
    for (const [spec, c] of counts(live)) {
      const t = totalsOf(spec);
      t.peakAgents = Math.max(t.peakAgents, c.standby + c.job);
    }
  };
  peak();
  for (const c of commits) {
    for (const r of c.removed) {
      const spec = r.spec || live.get(r.pod)?.spec || '';
      live.delete(r.pod);
      const t = totalsOf(spec);
      t.podsRemoved++;
      if (isPodFailureReason(r.reason)) t.podsFailed++;
      if (r.ranJobRequestId !== undefined) t.jobsRan++;
    }
    for (const a of c.added) {
      const kind = kindOf(a.reason, a.jobRequestIds);
      live.set(a.pod, { spec: a.spec, kind });
      const t = totalsOf(a.spec);
      t.agentsStarted++;
      if (kind === 'job') t.jobDrivenStarted++;
      else t.standbyStarted++;
    }
    peak();
    points.push({ time: c.time, bySpec: counts(live) });
  }
  return { points, totals: [...totals.values()].sort((a, b) => (a.spec < b.spec ? -1 : a.spec > b.spec ? 1 : 0)) };
}

/** The specs a timeline shows, sorted. */
export function timelineSpecs(t: Timeline): string[] {
  return [...new Set(t.points.flatMap((p) => [...p.bySpec.keys()]).concat(t.totals.map((x) => x.spec)))].filter(Boolean).sort();
}

/** A spec's committed pods at time `at` (the last point at or before it). */
export function countAt(t: Timeline, spec: string, at: number): number {
  let c: SpecCount | undefined;
  for (const p of t.points) {
    if (p.time.getTime() > at) break;
    c = p.bySpec.get(spec);
  }
  return c ? c.standby + c.job : 0;
}

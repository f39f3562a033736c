// `azdo-gitops history` output: one line per spec a scaling commit touched, totals per spec, and
// the same as JSON. Pure.
import type { ScalingCommit } from './scalingCommit.ts';
import { countAt, timelineSpecs, type SpecTotals, type Timeline } from './timeline.ts';
import { sampleTimes, sparkline } from './sparkline.ts';

/** The commits' changes to one spec only (commits that do not touch it are dropped). */
export function onlySpec(commits: readonly ScalingCommit[], spec: string): ScalingCommit[] {
  return commits
    .map((c) => ({ ...c, added: c.added.filter((a) => a.spec === spec), removed: c.removed.filter((r) => r.spec === spec) }))
    .filter((c) => c.added.length + c.removed.length > 0);
}

function grouped<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of items) m.set(key(i), [...(m.get(key(i)) ?? []), i]);
  return m;
}

/** One line per (commit, spec): `time  commit  spec  +N reason (jobs …)  −M reason (ran …)`. */
export function commitLines(commits: readonly ScalingCommit[]): string[] {
  const lines: string[] = [];
  for (const c of commits) {
    const specs = [...new Set([...c.added.map((a) => a.spec), ...c.removed.map((r) => r.spec)])].sort();
    for (const spec of specs) {
      const parts: string[] = [];
      for (const [reason, adds] of grouped(c.added.filter((a) => a.spec === spec), (a) => a.reason)) {
        const jobs = [...new Set(adds.flatMap((a) => a.jobRequestIds))].sort((a, b) => a - b);
        parts.push(`+${adds.length} ${reason}${jobs.length ? ` (jobs ${jobs.join(',')})` : ''}`);
      }
      for (const [reason, rms] of grouped(c.removed.filter((r) => r.spec === spec), (r) => r.reason)) {
        const ran = rms.flatMap((r) => (r.ranJobRequestId === undefined ? [] : [r.ranJobRequestId])).sort((a, b) => a - b);
        parts.push(`−${rms.length} ${reason}${ran.length ? ` (ran ${ran.join(',')})` : ''}`);
      }
      lines.push(`${c.time.toISOString().replace(/\.\d{3}Z$/, 'Z')}  ${c.oid.slice(0, 8)}  ${spec || '?'}  ${parts.join(', ')}`);
    }
  }
  return lines;
}

export function totalsLines(totals: readonly SpecTotals[]): string[] {
  if (totals.length === 0) return [];
  const head = ['spec', 'started', 'job-driven', 'standby', 'failed', 'removed', 'jobs ran', 'peak agents'];
  const rows = totals.map((t) => [t.spec || '?', t.agentsStarted, t.jobDrivenStarted, t.standbyStarted, t.podsFailed, t.podsRemoved, t.jobsRan, t.peakAgents].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: readonly string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)];
}

/**
 * Where a chart of the timeline should start: a little before its first commit (a window of a
 * day with a burst in its last minute would otherwise be a flat line and a spike).
 */
export function chartStart(t: Timeline): Date | undefined {
  const first = t.points[1]?.time.getTime();
  const last = t.points.at(-1)?.time.getTime();
  if (first === undefined || last === undefined) return undefined;
  return new Date(Math.max(t.points[0]!.time.getTime(), first - Math.max(1000, (last - first) / 20)));
}

/** One sparkline per spec over the timeline's span: committed pods, scaled to the busiest spec. */
export function sparklineLines(t: Timeline, width = 60, range: { from?: Date; end?: Date } = {}): string[] {
  const specs = timelineSpecs(t);
  const from = range.from?.getTime() ?? t.points[0]?.time.getTime() ?? 0;
  const end = range.end;
  const to = Math.max(end?.getTime() ?? 0, t.points.at(-1)?.time.getTime() ?? from);
  const times = sampleTimes(from, to, width);
  const series = specs.map((s) => times.map((at) => countAt(t, s, at)));
  const max = Math.max(0, ...series.flat());
  const nameWidth = Math.max(0, ...specs.map((s) => s.length));
  return specs.map((s, i) => `${s.padEnd(nameWidth)}  │${sparkline(series[i]!, max)}│ peak ${Math.max(0, ...series[i]!)}`);
}

export interface HistoryJson {
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly commits: readonly {
    readonly oid: string;
    readonly time: string;
    readonly passId: string;
    readonly summary: string;
    readonly added: ScalingCommit['added'];
    readonly removed: readonly { readonly pod: string; readonly spec: string; readonly reason: string; readonly ranJobRequestId: number | null }[];
  }[];
  readonly totals: readonly SpecTotals[];
  /** Every job request the commits name: pods started for it, and the removal that says which pod ran it. */
  readonly jobs: readonly { readonly jobRequestId: number; readonly startedFor: readonly string[]; readonly ranOn: string | null }[];
}

export function historyJson(commits: readonly ScalingCommit[], t: Timeline): HistoryJson {
  const jobs = new Map<number, { startedFor: string[]; ranOn: string | null }>();
  const jobOf = (id: number) => jobs.get(id) ?? jobs.set(id, { startedFor: [], ranOn: null }).get(id)!;
  for (const c of commits) {
    for (const a of c.added) for (const id of a.jobRequestIds) jobOf(id).startedFor.push(a.pod);
    for (const r of c.removed) if (r.ranJobRequestId !== undefined) jobOf(r.ranJobRequestId).ranOn = r.pod;
  }
  return {
    from: t.points[0]?.time.toISOString(),
    to: commits.at(-1)?.time.toISOString(),
    commits: commits.map((c) => ({
      oid: c.oid, time: c.time.toISOString(), passId: c.passId, summary: c.summary, added: c.added,
      removed: c.removed.map((r) => ({ pod: r.pod, spec: r.spec, reason: r.reason, ranJobRequestId: r.ranJobRequestId ?? null })),
    })),
    totals: t.totals,
    jobs: [...jobs].sort((a, b) => a[0] - b[0]).map(([jobRequestId, j]) => ({ jobRequestId, ...j })),
  };
}

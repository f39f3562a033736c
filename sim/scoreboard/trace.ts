// A job trace: when each job was queued, how long it ran, what it demanded. Generated ones with
// documented parameters, or a CSV a user exports from their own organization:
//   queuedAt,durationSeconds,demands
//   2026-03-02T08:03:11Z,240,docker
//   2026-03-02T08:03:40Z,95,
// queuedAt is an ISO time (or seconds from the start); demands are separated by `;`.
import { Rng } from '../random.ts';

export interface TraceJob {
  /** Milliseconds from the trace's start. */
  readonly atMs: number;
  readonly durationMs: number;
  readonly demands: readonly string[];
}

export interface JobTrace {
  readonly name: string;
  readonly lengthMs: number;
  readonly jobs: readonly TraceJob[];
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DEMAND_MIX: ReadonlyArray<readonly [readonly string[], number]> = [[[], 0.6], [['docker'], 0.25], [['node -equals 24'], 0.15]];

function demandsOf(rng: Rng): readonly string[] {
  let x = rng.next();
  for (const [d, p] of DEMAND_MIX) if ((x -= p) < 0) return d;
  return [];
}

/** Job durations: mostly builds of 2–8 minutes, a tail of 15–40-minute ones. */
function durationOf(rng: Rng): number {
  return rng.chance(0.1) ? rng.int(15 * MIN, 40 * MIN) : rng.int(2 * MIN, 8 * MIN);
}

/** Poisson arrivals at a rate (jobs per minute) that varies over the trace. */
function poisson(name: string, lengthMs: number, ratePerMin: (tMs: number) => number, seed: number, bursts: readonly number[] = []): JobTrace {
  const rng = new Rng(`${name}:${seed}`);
  const jobs: TraceJob[] = [];
  const peak = 10; // thinning bound, jobs per minute
  for (let t = 0; ; ) {
    t += rng.exp(MIN / peak);
    if (t >= lengthMs) break;
    if (rng.next() < ratePerMin(t) / peak) jobs.push({ atMs: Math.round(t), durationMs: durationOf(rng), demands: demandsOf(rng) });
  }
  // A merge burst: a train of pull requests lands and 15–30 jobs queue within a minute.
  for (const b of bursts) {
    const n = rng.int(15, 30);
    for (let i = 0; i < n; i++) jobs.push({ atMs: b + rng.int(0, MIN), durationMs: durationOf(rng), demands: demandsOf(rng) });
  }
  return { name, lengthMs, jobs: jobs.sort((a, b) => a.atMs - b.atMs) };
}

/**
 * 07:00–19:00 of a working day: a ramp from 0.2 to 2.5 jobs/minute between 08:00 and 10:00,
 * a lunch dip to 0.8 (12:00–13:00), 2.5 in the afternoon, down to 0.2 after 17:30; merge
 * bursts at 11:00, 14:30 and 16:45.
 */
export function workingDay(seed = 1): JobTrace {
  const at = (h: number, m = 0) => (h - 7) * HOUR + m * MIN;
  const rate = (t: number) => {
    if (t < at(8)) return 0.2;
    if (t < at(10)) return 0.2 + (2.3 * (t - at(8))) / (2 * HOUR);
    if (t < at(12)) return 2.5;
    if (t < at(13)) return 0.8;
    if (t < at(17, 30)) return 2.5;
    return 0.2;
  };
  return poisson('working-day', 12 * HOUR, rate, seed, [at(11), at(14, 30), at(16, 45)]);
}

/** 12 hours of a weekend: 0.05 jobs/minute (a scheduled build now and then). */
export function quietWeekend(seed = 1): JobTrace {
  return poisson('quiet-weekend', 12 * HOUR, () => 0.05, seed);
}

/** 200 jobs queued within one minute, then nothing for two hours. */
export function burst200(seed = 1): JobTrace {
  const rng = new Rng(`burst:${seed}`);
  const jobs = Array.from({ length: 200 }, () => ({ atMs: rng.int(0, MIN), durationMs: rng.int(2 * MIN, 8 * MIN), demands: demandsOf(rng) }));
  return { name: 'burst-200', lengthMs: 2 * HOUR, jobs: jobs.sort((a, b) => a.atMs - b.atMs) };
}

export const GENERATED: Readonly<Record<string, (seed?: number) => JobTrace>> = {
  'working-day': workingDay,
  'quiet-weekend': quietWeekend,
  'burst-200': burst200,
};

export function parseCsv(name: string, text: string): JobTrace {
  const rows = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (rows[0]?.toLowerCase().startsWith('queuedat')) rows.shift();
  const parsed = rows.map((row, i) => {
    const [q = '', d = '', demands = ''] = row.split(',');
    const secs = Number(q);
    const at = Number.isFinite(secs) && q !== '' ? secs * 1000 : Date.parse(q);
    const dur = Number(d) * 1000;
    if (!Number.isFinite(at) || !Number.isFinite(dur) || dur <= 0) {
      throw new Error(`${name} line ${i + 2}: expected queuedAt (ISO time or seconds),durationSeconds (> 0),demands (a;b), got "${row}"`);
    }
    return { at, durationMs: dur, demands: demands.split(';').map((s) => s.trim()).filter((s) => s !== '') };
  });
  if (parsed.length === 0) throw new Error(`${name}: no jobs (header queuedAt,durationSeconds,demands then one job per line)`);
  const t0 = Math.min(...parsed.map((p) => p.at));
  const jobs = parsed.map((p) => ({ atMs: p.at - t0, durationMs: p.durationMs, demands: p.demands })).sort((a, b) => a.atMs - b.atMs);
  const lengthMs = Math.max(...jobs.map((j) => j.atMs + j.durationMs)) + 10 * MIN;
  return { name, lengthMs, jobs };
}

export function toCsv(t: JobTrace): string {
  return ['queuedAt,durationSeconds,demands', ...t.jobs.map((j) => `${j.atMs / 1000},${Math.round(j.durationMs / 1000)},${j.demands.join(';')}`)].join('\n') + '\n';
}

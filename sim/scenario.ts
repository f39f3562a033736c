// What one simulated run is: a seed and the knobs of its world. A run is a pure function of it.

export const FAULT_KINDS = ['writers', 'throttle', 'server-errors', 'unreadable', 'slow-calls', 'watch-drops', 'crashes', 'pod-failures', 'partitions'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Scenario {
  readonly seed: number;
  /** Jobs arrive and faults happen during this window (after a 2-minute warm-up). */
  readonly activeMs: number;
  /** Then the world is healthy and quiet this long before the quiescence checks. */
  readonly settleMs: number;
  readonly jobsPerMinute: number;
  readonly faults: ReadonlySet<FaultKind>;
  /** The reconciler's pass interval (POLL_INTERVAL_SECONDS). */
  readonly intervalMs: number;
}

export function scenario(seed: number, over: Partial<Omit<Scenario, 'seed'>> = {}): Scenario {
  return {
    seed,
    activeMs: 20 * 60_000,
    settleMs: 25 * 60_000,
    jobsPerMinute: 1.5,
    faults: new Set(FAULT_KINDS),
    intervalMs: 15_000,
    ...over,
  };
}

export function parseFaults(text: string): Set<FaultKind> {
  if (text === 'all') return new Set(FAULT_KINDS);
  if (text === 'none' || text === '') return new Set();
  const out = new Set<FaultKind>();
  for (const f of text.split(',').map((s) => s.trim())) {
    if (!(FAULT_KINDS as readonly string[]).includes(f)) throw new Error(`unknown fault "${f}": use all, none or a comma list of ${FAULT_KINDS.join(', ')}`);
    out.add(f as FaultKind);
  }
  return out;
}

export function describe(s: Scenario): string {
  return `--seed ${s.seed} --faults ${[...s.faults].join(',') || 'none'} --active-minutes ${s.activeMs / 60_000} --jobs-per-minute ${s.jobsPerMinute}`;
}

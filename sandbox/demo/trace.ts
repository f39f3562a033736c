// The demo's default job trace: a burst, then a steady stream, with a mix of demands — including
// one no AgentSpec can satisfy, which the service rejects at queue time.

export interface TraceJob {
  /** When to queue it, from the start of the trace. */
  readonly atMs: number;
  readonly name: string;
  readonly demands: readonly string[];
  readonly durationMs: number;
  readonly result: 'succeeded' | 'failed';
}

export function defaultTrace(jobs = 24): TraceJob[] {
  const demandMix: readonly (readonly string[])[] = [[], ['docker'], [], ['java -equals 17', 'docker'], ['Agent.OS -equals Linux']];
  const out: TraceJob[] = [];
  const burst = Math.min(jobs, Math.ceil(jobs / 3));
  for (let i = 0; i < jobs; i++) {
    const inBurst = i < burst;
    out.push({
      atMs: inBurst ? 0 : (i - burst + 1) * 1500,
      name: `${inBurst ? 'burst' : 'steady'}-${i + 1}`,
      demands: demandMix[i % demandMix.length]!,
      durationMs: 1500 + (i % 4) * 500,
      // One in twelve jobs fails on its own (a red build), not because of the platform.
      result: i % 12 === 11 ? 'failed' : 'succeeded',
    });
  }
  // A job for a capability no AgentSpec offers: the service refuses it when it is queued.
  out.push({ atMs: 750, name: 'gpu-job', demands: ['gpu'], durationMs: 1000, result: 'succeeded' });
  return out.sort((a, b) => a.atMs - b.atMs || a.name.localeCompare(b.name));
}

// A one-line chart of a series: eight block heights scaled to the series' own maximum. Pure.
const BLOCKS = '▁▂▃▄▅▆▇█';

export function sparkline(values: readonly number[], max = Math.max(0, ...values)): string {
  return values.map((v) => (v <= 0 || max <= 0 ? ' ' : BLOCKS[Math.min(7, Math.max(0, Math.ceil((v / max) * 8) - 1))]!)).join('');
}

/** `n` evenly spaced sample times from `from` to `to` (both included; one sample when they are equal). */
export function sampleTimes(from: number, to: number, n: number): number[] {
  if (n <= 1 || to <= from) return [to];
  return Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));
}

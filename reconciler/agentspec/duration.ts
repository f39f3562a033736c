// Durations in AgentSpecs: `90s`, `10m`, `1h`, `1h30m` (also a bare number of seconds).

const PART = /(\d+)(h|m|s)/g;
const WHOLE = /^(\d+(h|m|s))+$/;
const UNIT: Record<string, number> = { h: 3600, m: 60, s: 1 };

/** Seconds, or undefined when `v` is not a positive duration. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v > 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return n > 0 ? n : undefined;
  }
  if (!WHOLE.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(PART)) total += Number(m[1]) * UNIT[m[2]!]!;
  return total > 0 ? total : undefined;
}

/** `600` → `10m`, `90` → `90s`, `3600` → `1h` (for hints and messages). */
export function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

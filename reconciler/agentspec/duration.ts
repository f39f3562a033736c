// Durations in AgentSpecs: `90s`, `10m`, `1h`, `1h30m`, or whole seconds (a number or digits);
// which strings are durations is the schema's DURATION_PATTERN (the CRD checks the same).
import { DURATION_PATTERN } from './agentSpecSchema.ts';

const PART = /(\d+)(h|m|s)/g;
const DURATION = new RegExp(DURATION_PATTERN);
const UNIT: Record<string, number> = { h: 3600, m: 60, s: 1 };

/** Seconds, or undefined when `v` is not a positive duration. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v > 0 ? v : undefined;
  if (typeof v !== 'string' || !DURATION.test(v)) return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  let total = 0;
  for (const m of v.matchAll(PART)) total += Number(m[1]) * UNIT[m[2]!]!;
  return total;
}

/** `600` → `10m`, `90` → `90s`, `3600` → `1h` (for hints and messages). */
export function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

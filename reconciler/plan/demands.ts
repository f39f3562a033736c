// Job demands as on the wire: `docker` (exists), `java -equals 17` (equals), `Agent.Version -gtVersion 2.1`.
// Matching is case-insensitive, like the service's.
import type { Capability } from '../agentspec/agentSpec.ts';

export type Demand =
  | { readonly name: string; readonly op: 'exists' }
  | { readonly name: string; readonly op: 'equals'; readonly value: string }
  | { readonly name: string; readonly op: 'gtVersion'; readonly value: string };

export interface DemandOptions {
  /** Version our agents run; an `Agent.Version -gtVersion X` demand with X above it is unmet. */
  readonly agentVersion?: string | undefined;
}

const OP = /^(\S+)\s+-(equals|gtversion)\s+(.+)$/i;

/** undefined when the string is not a demand the service could have produced. */
export function parseDemand(raw: string): Demand | undefined {
  const s = raw.trim();
  if (s === '') return undefined;
  const m = OP.exec(s);
  if (m) {
    const op = m[2]!.toLowerCase() === 'equals' ? 'equals' : 'gtVersion';
    return { name: m[1]!, op, value: m[3]!.trim() };
  }
  if (/\s/.test(s)) return undefined;
  return { name: s, op: 'exists' };
}

/** Compares dotted numeric versions (`2.182.1` vs `2.200`); missing parts count as 0, non-numeric parts as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.trim().split('.').map((x) => parseInt(x, 10) || 0);
  const pb = b.trim().split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export function isAgentVersionDemand(d: Demand): boolean {
  return d.name.toLowerCase() === 'agent.version';
}

export function demandSatisfied(d: Demand, caps: readonly Capability[], opts: DemandOptions = {}): boolean {
  if (isAgentVersionDemand(d) && d.op === 'gtVersion') {
    // Our agents run a current version unless told otherwise.
    return opts.agentVersion === undefined || compareVersions(d.value, opts.agentVersion) <= 0;
  }
  const cap = caps.find((c) => c.name.toLowerCase() === d.name.toLowerCase());
  if (!cap) return false;
  switch (d.op) {
    case 'exists':
      return true;
    case 'equals':
      return cap.value !== undefined && cap.value.toLowerCase() === d.value.toLowerCase();
    case 'gtVersion':
      return cap.value !== undefined && compareVersions(cap.value, d.value) >= 0;
  }
}

/** The demand strings (as given) that `caps` do not satisfy; unparseable demands are always unmet. */
export function unmetDemands(demands: readonly string[], caps: readonly Capability[], opts: DemandOptions = {}): string[] {
  return demands.filter((raw) => {
    const d = parseDemand(raw);
    return d === undefined || !demandSatisfied(d, caps, opts);
  });
}

// Demand parsing and matching as the service does it: `name` (exists), `name -equals value`,
// and the service's own `Agent.Version -gtVersion x` (a minimum version). Case-insensitive.

export type Demand =
  | { kind: 'exists'; name: string }
  | { kind: 'equals'; name: string; value: string }
  | { kind: 'minVersion'; name: string; value: string };

/** Parses one wire demand; undefined when the syntax is not one the service accepts. */
export function parseDemand(text: string): Demand | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const m = /^(\S+)\s+-(equals|gtVersion)\s+(.+)$/i.exec(trimmed);
  if (m) {
    const [, name, op, value] = m as unknown as [string, string, string, string];
    return op.toLowerCase() === 'equals'
      ? { kind: 'equals', name, value: value.trim() }
      : { kind: 'minVersion', name, value: value.trim() };
  }
  if (/\s/.test(trimmed)) return undefined;
  return { kind: 'exists', name: trimmed };
}

/** Compares dotted numeric versions; non-numeric parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function lookup(capabilities: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(capabilities)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/**
 * A capability record by lowercased name, for matching many demand sets against one agent: of
 * names differing only in case the first wins, as lookup() finds it.
 */
export function capabilityIndex(capabilities: Record<string, string>): ReadonlyMap<string, string> {
  const index = new Map<string, string>();
  for (const [key, value] of Object.entries(capabilities)) {
    const lower = key.toLowerCase();
    if (!index.has(lower)) index.set(lower, value);
  }
  return index;
}

function holds(value: string | undefined, demand: Demand): boolean {
  if (value === undefined) return false;
  switch (demand.kind) {
    case 'exists': return true;
    case 'equals': return value.toLowerCase() === demand.value.toLowerCase();
    case 'minVersion': return compareVersions(value, demand.value) >= 0;
  }
}

export function satisfies(capabilities: Record<string, string>, demand: Demand): boolean {
  return holds(lookup(capabilities, demand.name), demand);
}

export function satisfiesAll(capabilities: Record<string, string>, demands: readonly Demand[]): boolean {
  return demands.every((d) => satisfies(capabilities, d));
}

/** satisfiesAll against a capabilityIndex(). */
export function indexSatisfiesAll(index: ReadonlyMap<string, string>, demands: readonly Demand[]): boolean {
  return demands.every((d) => holds(index.get(d.name.toLowerCase()), d));
}

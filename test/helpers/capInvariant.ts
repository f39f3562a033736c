// The cap invariant, checked the same way over a plan (unit tests) and over git history (e2e):
// a change that adds agents to a spec leaves that spec within its maxAgents, and a change that
// adds any agent leaves the total within MAX_AGENTS. (A spec above its cap because a person
// lowered maxAgents may stay above it while nothing is added to it.)

export interface CapCheck {
  /** Where the counts come from: a commit id, a test case name. */
  readonly where: string;
  /** Agent manifests per spec before and after the change. */
  readonly before: ReadonlyMap<string, number>;
  readonly after: ReadonlyMap<string, number>;
  /** Agents added per spec by the change. */
  readonly added: ReadonlyMap<string, number>;
  /** maxAgents per spec after the change. */
  readonly maxAgents: ReadonlyMap<string, number>;
  readonly globalMaxAgents: number;
}

export function capViolations(c: CapCheck): string[] {
  const out: string[] = [];
  let addedTotal = 0;
  for (const [spec, added] of c.added) {
    if (added <= 0) continue;
    addedTotal += added;
    const after = c.after.get(spec) ?? 0;
    const max = c.maxAgents.get(spec);
    if (max !== undefined && after > max) out.push(`${c.where}: spec ${spec} holds ${after} agents after adding ${added}, above its maxAgents ${max}`);
  }
  const total = [...c.after.values()].reduce((a, b) => a + b, 0);
  if (addedTotal > 0 && total > c.globalMaxAgents) out.push(`${c.where}: ${total} agents in all after adding ${addedTotal}, above MAX_AGENTS ${c.globalMaxAgents}`);
  return out;
}

export function countBy<T>(items: Iterable<T>, key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
}

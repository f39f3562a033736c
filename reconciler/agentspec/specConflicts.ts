// Two AgentSpecs claiming one metadata.name or one spec.prefix: the one that owns what is
// running keeps working; the other is rejected with an error naming both files.
//
// Who owns what is running is read from what the reconciler itself left in git and in the pool,
// so the rule is pure and costs nothing extra per pass (git history is not available: the
// reconciler keeps a depth-1 clone):
//   4 — a pod manifest of this name, with this prefix and this exact revision (this file rendered it);
//   3 — a pod manifest of this name with this prefix (an earlier version of this spec rendered it);
//   2 — the spec's placeholder agent (`<prefix>-placeholder`, registered for this name in this
//       pool) with exactly this spec's capabilities: a spec scaled to zero still owns its pool;
//   1 — that placeholder with other capabilities (the spec was edited since);
//   0 — none.
// Higher wins; on a tie (nothing of either is running, or both changed since), the file that
// sorts first by path wins. `validate` runs offline: it sees the manifests, not the placeholders.
import type { AgentSpec } from './agentSpec.ts';
import { PLACEHOLDER_CAPABILITY, placeholderCapabilities, sameCapabilities } from './placeholderCapabilities.ts';
import type { SpecError } from './specError.ts';

/** What a committed pod manifest says about its spec (plan/observed.ts Manifest fits). */
export interface RunningManifest {
  readonly podName: string;
  readonly specName: string;
  readonly specRevision: string;
}

/** A registered agent (plan/observed.ts PoolAgent fits); only placeholders matter here. */
export interface PoolAgentLike {
  readonly name: string;
  readonly poolName: string;
  readonly userCapabilities: Readonly<Record<string, string>>;
}

/** What shows which spec owns what is running. */
export interface SpecOwners {
  readonly manifests?: readonly RunningManifest[];
  readonly agents?: readonly PoolAgentLike[];
}

export interface SpecCandidate {
  readonly spec: AgentSpec;
  /** The file (and document) errors name. */
  readonly errorFile: string;
  readonly warnings: readonly SpecError[];
}

export interface ResolvedSpecs {
  /** Accepted specs, in file order. */
  readonly specs: AgentSpec[];
  readonly errors: SpecError[];
}

const SUFFIX = /^[a-z0-9]{5,8}$|^placeholder$/;

function ownsPod(spec: AgentSpec, m: RunningManifest): boolean {
  if (m.specName !== spec.name || !m.podName.startsWith(spec.prefix + '-')) return false;
  return SUFFIX.test(m.podName.slice(spec.prefix.length + 1));
}

export function ownership(spec: AgentSpec, owners: SpecOwners): number {
  let best = 0;
  for (const m of owners.manifests ?? []) {
    if (!ownsPod(spec, m)) continue;
    if (m.specRevision === spec.revision) return 4;
    best = 3;
  }
  if (best > 0) return best;
  const placeholder = `${spec.prefix}-placeholder`;
  for (const a of owners.agents ?? []) {
    if (a.name.toLowerCase() !== placeholder || a.poolName !== spec.pool || a.userCapabilities[PLACEHOLDER_CAPABILITY] !== spec.name) continue;
    return sameCapabilities(placeholderCapabilities(spec), a.userCapabilities) ? 2 : 1;
  }
  return 0;
}

export function resolveConflicts(candidates: readonly SpecCandidate[], owners: SpecOwners): ResolvedSpecs {
  const scored = candidates.map((c, order) => ({ c, order, score: ownership(c.spec, owners) }));
  // Stable: equal scores keep file order.
  const byPrecedence = [...scored].sort((a, b) => b.score - a.score || a.order - b.order);
  const byName = new Map<string, (typeof scored)[number]>();
  const byPrefix = new Map<string, (typeof scored)[number]>();
  const accepted = new Set<number>();
  const errors: SpecError[] = [];
  for (const x of byPrecedence) {
    const s = x.c.spec;
    const holder = byName.get(s.name);
    if (holder) {
      errors.push({
        file: x.c.errorFile,
        field: 'metadata.name',
        message: `duplicate AgentSpec name ${JSON.stringify(s.name)}, already defined in ${holder.c.errorFile}${why(holder.score)}; this spec is ignored`,
        hint: 'give each AgentSpec a unique metadata.name (and spec.prefix)',
      });
      continue;
    }
    const prefixHolder = byPrefix.get(s.prefix);
    if (prefixHolder) {
      errors.push({
        file: x.c.errorFile,
        field: 'spec.prefix',
        message: `duplicate prefix ${JSON.stringify(s.prefix)}, already used by AgentSpec ${prefixHolder.c.spec.name} (${prefixHolder.c.errorFile})${why(prefixHolder.score)}; this spec is ignored`,
        hint: `set spec.prefix: ${s.prefix}-2 or another unused prefix`,
        // Its own name is free: the AgentSpec of that name in the cluster says why it is unused.
        // (A duplicate name carries none: the AgentSpec of that name is the one in use.)
        specName: s.name,
      });
      continue;
    }
    byName.set(s.name, x);
    byPrefix.set(s.prefix, x);
    accepted.add(x.order);
  }
  // Errors in file order, like every other spec error.
  const fileOrder = new Map(candidates.map((c, i) => [c.errorFile, i]));
  errors.sort((a, b) => (fileOrder.get(a.file) ?? 0) - (fileOrder.get(b.file) ?? 0));
  return { specs: scored.filter((x) => accepted.has(x.order)).map((x) => x.c.spec), errors };
}

function why(score: number): string {
  // One wording for pods and placeholders: the error does not change (and is not logged again)
  // when a spec at zero agents scales up.
  return score > 0 ? ', which is already in use (it owns agent pods or its pool\'s placeholder agent)' : '';
}

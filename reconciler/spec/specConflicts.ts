// Two AgentSpecs claiming one metadata.name or one spec.prefix: the one that owns what is
// running keeps working; the other is rejected with an error naming both files.
//
// Who owns what is running is read from the pod manifests of the same commit (each carries its
// spec's name label and revision, and its name starts with the spec's prefix), so the rule is
// pure and costs nothing per pass:
//   2 — a manifest of this name, with this prefix and this exact revision (this file rendered it);
//   1 — a manifest of this name with this prefix (rendered by an earlier version of this spec);
//   0 — none.
// Higher wins; on a tie (nothing running, or both edited since), the file that sorts first by
// path wins. Git history ("which file came first") is not read: a per-pass history walk is slow
// on a large repo, and on a tie nothing of either spec is running, so nothing can be rotated.
import type { AgentSpec } from './agentSpec.ts';
import type { SpecError } from './specError.ts';

/** What a committed pod manifest says about its spec (plan/observed.ts Manifest fits). */
export interface RunningManifest {
  readonly podName: string;
  readonly specName: string;
  readonly specRevision: string;
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

export function ownership(spec: AgentSpec, running: readonly RunningManifest[]): 0 | 1 | 2 {
  let best: 0 | 1 | 2 = 0;
  for (const m of running) {
    if (!ownsPod(spec, m)) continue;
    if (m.specRevision === spec.revision) return 2;
    best = 1;
  }
  return best;
}

export function resolveConflicts(candidates: readonly SpecCandidate[], running: readonly RunningManifest[]): ResolvedSpecs {
  const scored = candidates.map((c, order) => ({ c, order, score: ownership(c.spec, running) }));
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
  return score > 0 ? ', which owns the running agents' : '';
}

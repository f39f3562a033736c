// plan(): observed state → the changes to make. Pure and deterministic: same input → same plan.
import type { AgentSpec } from '../agentspec/agentSpec.ts';
import { newPodNames } from './podNames.ts';
import type { AgentToUnregister, ManifestToAdd, ManifestToRemove, Plan, SpecSummary } from './changes.ts';
import { Ownership } from './agentOwnership.ts';
import { manifestStates, type ManifestState } from './agentStates.ts';
import { assignJobs } from './assignJobs.ts';
import { effectiveStandby } from './effectiveStandby.ts';
import type { ObservedState } from './observed.ts';
import { pendingJobs } from './pending.ts';
import { planPlaceholders } from './placeholders.ts';
import { activeHold, type SpecHold } from './podFailureBackoff.ts';
import { pruneManifests } from './prune.ts';
import type { AddWant, SpecScale } from './scale.ts';
import { scaleSpec } from './scale.ts';
import { specCapacity } from './specCapacity.ts';
import { planUnregister } from './unregister.ts';
import { withholdOnSpecErrors } from './withholdOnSpecErrors.ts';
import { compareStrings } from '../support/compare.ts';

export interface PlanOptions {
  /** Seed for new pod names (e.g. the pass id or the git tip): same seed → same names. */
  readonly nameSeed: string;
  /** Version our agents run; `Agent.Version -gtVersion X` above it is unmet. Unset: always met. */
  readonly agentVersion?: string | undefined;
  /**
   * Set when apply re-plans after draining: the pod names of the live agents it disabled and
   * re-read idle. A live agent outside the set is not removed by this plan, so no add can count
   * on room its removal would have freed: the caps hold whatever the drain could not confirm.
   * Unset (the first plan of a pass): every idle agent may be proposed for draining.
   */
  readonly drained?: ReadonlySet<string> | undefined;
  /**
   * Specs held back after failing pods (plan/podFailureBackoff.ts), by spec name: a spec under an
   * active hold gets no new pod; nothing else changes (removals, pending jobs, busy agents).
   */
  readonly holds?: ReadonlyMap<string, SpecHold> | undefined;
}

const REASON_RANK: Record<AddWant['reason'], number> = { 'pending-jobs': 0, rotation: 1, standby: 2 };
const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function plan(observed: ObservedState, opts: PlanOptions): Plan {
  // The standby in force now (a schedule may raise or lower it); everything below uses it.
  const specs = [...observed.specs].sort(byName).map((s) => ({ ...s, standby: effectiveStandby(s, observed.now) }));
  // Only agents proven ours are bound to manifests, drained or unregistered; the rest are reported.
  const ownership = new Ownership(observed.agents, observed.manifests, observed.pods);
  const states = manifestStates(observed.manifests, specs, observed.agents, observed.pods, observed.now, ownership);
  const drained = opts.drained;
  const drainable = drained === undefined ? () => true : (s: ManifestState) => drained.has(s.manifest.podName);
  const pruned = pruneManifests(states, drainable);
  const remove: ManifestToRemove[] = [...pruned.remove];
  const keptBySpec = groupBy(pruned.kept, (s) => s.manifest.specName);
  const keptOf = (spec: AgentSpec): readonly ManifestState[] => keptBySpec.get(spec.name) ?? [];
  const rotatedBySpec = groupBy(pruned.remove.filter((r) => r.reason === 'rotation'), (r) => r.specName);

  const pending = pendingJobs(observed.pendingJobs, observed.agents);
  const pendingIds = new Set(pending.map((j) => j.requestId));
  const capacity = new Map(specs.map((s) => [s.name, specCapacity(s, keptOf(s), pendingIds)]));
  const { bySpec, unmatched } = assignJobs(pending, specs, { agentVersion: opts.agentVersion }, capacity);

  const scales = new Map<string, SpecScale>();
  for (const spec of specs) {
    const kept = keptOf(spec);
    const rotatedByPrune = rotatedBySpec.get(spec.name)?.length ?? 0;
    const scaled = scaleSpec(spec, kept, bySpec.get(spec.name) ?? [], rotatedByPrune, drainable);
    // Backoff hook: a held spec wants no new pod (see PlanOptions.holds).
    const sc = activeHold(opts.holds, spec, observed.now) ? { ...scaled, wants: [] } : scaled;
    scales.set(spec.name, sc);
    remove.push(...sc.remove);
  }

  // Global cap: pending jobs first (oldest first across specs), then rotation, then standby.
  const keptTotal = observed.manifests.length - remove.length;
  let globalRoom = Math.max(0, observed.globalMaxAgents - keptTotal);
  const wants = specs.flatMap((s) => scales.get(s.name)!.wants.map((w, i) => ({ w, i })));
  wants.sort((x, y) =>
    REASON_RANK[x.w.reason] - REASON_RANK[y.w.reason] ||
    (x.w.queueTime?.getTime() ?? 0) - (y.w.queueTime?.getTime() ?? 0) ||
    (x.w.jobRequestIds[0] ?? 0) - (y.w.jobRequestIds[0] ?? 0) ||
    compareStrings(x.w.specName, y.w.specName) ||
    x.i - y.i,
  );
  const granted = new Map<string, AddWant[]>();
  for (const { w } of wants) {
    if (globalRoom <= 0) break;
    globalRoom--;
    const l = granted.get(w.specName) ?? [];
    l.push(w);
    granted.set(w.specName, l);
  }

  const taken = new Set<string>();
  for (const m of observed.manifests) taken.add(m.podName);
  for (const a of observed.agents) taken.add(a.name.toLowerCase());
  const add: ManifestToAdd[] = [];
  const summaries: SpecSummary[] = [];
  for (const spec of specs) {
    const sc = scales.get(spec.name)!;
    const mine = (granted.get(spec.name) ?? []).sort((a, b) => REASON_RANK[a.reason] - REASON_RANK[b.reason]);
    const names = newPodNames(spec.prefix, mine.length, `${opts.nameSeed}/${spec.name}`, taken);
    for (const n of names) taken.add(n);
    for (let i = 0; i < mine.length; i++) {
      const w = mine[i]!;
      add.push({ podName: names[i]!, specName: spec.name, reason: w.reason, jobRequestIds: [...w.jobRequestIds] });
    }
    const hold = activeHold(opts.holds, spec, observed.now);
    summaries.push({ ...summary(spec, sc, mine.length), ...(hold ? { heldUntil: hold.until.toISOString(), holdReason: `${hold.podName}: ${hold.reason}` } : {}) });
  }

  const placeholders = planPlaceholders(specs, observed.agents);
  const unregister: AgentToUnregister[] = [
    ...planUnregister({ agents: observed.agents, manifests: observed.manifests, remove, pods: observed.pods, specs, ownership }),
    ...placeholders.unregister,
  ].sort((a, b) => compareStrings(a.poolName, b.poolName) || compareStrings(a.name, b.name) || a.agentId - b.agentId);

  return withholdOnSpecErrors({
    add,
    remove: remove.sort((a, b) => compareStrings(a.path, b.path)),
    unregister,
    registerPlaceholders: placeholders.register.sort((a, b) => compareStrings(a.poolName, b.poolName) || compareStrings(a.name, b.name)),
    unmatchedJobs: [...unmatched],
    summaries,
    foreignAgents: ownership.foreign(),
  }, observed);
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}

function summary(spec: AgentSpec, sc: SpecScale, granted: number): SpecSummary {
  return {
    specName: spec.name,
    pool: spec.pool,
    revision: spec.revision,
    standby: spec.standby,
    pendingJobs: sc.pending,
    busy: sc.busy,
    idle: sc.idle,
    starting: sc.starting,
    desired: sc.desired,
    max: spec.maxAgents,
    cappedBy: sc.cappedBySpec + (sc.wants.length - granted),
  };
}

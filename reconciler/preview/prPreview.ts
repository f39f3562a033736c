// What a pull request to the cluster repo will do, judged offline: the AgentSpecs of the PR
// checkout against those of the base branch and the pod manifests the base branch holds (the
// reconciler's view of agents/). Pure: the checks are manifests/validateRepo.ts's, the standby in
// force is plan/effectiveStandby.ts's; nothing here plans differently from a pass.
import type { AgentSpec } from '../agentspec/agentSpec.ts';
import type { RepoCheck } from '../manifests/validateRepo.ts';
import type { SpecError } from '../agentspec/specError.ts';
import type { Manifest, PoolAgent } from '../plan/observed.ts';
import { effectiveStandby } from '../plan/effectiveStandby.ts';

export interface SpecChange {
  readonly name: string;
  /** `invalid`: the PR breaks the spec's file (its errors say how); a pass then removes nothing for it. */
  readonly kind: 'added' | 'removed' | 'invalid' | 'changed' | 'unchanged';
  /** Fields whose value the PR changes, as `field: before → after` (revision apart). */
  readonly fields: readonly string[];
  readonly revisionBefore: string | undefined;
  readonly revisionAfter: string | undefined;
  /** Pod manifests committed for the spec on the base branch. */
  readonly pods: number;
  /** Of those, the ones the PR retires: an older revision (rotation) or the spec removed. */
  readonly podsLeaving: number;
  readonly maxBefore: number | undefined;
  readonly maxAfter: number | undefined;
  /** With the live pool: how the leaving pods' agents stand (idle ones go now, busy ones after their job). */
  readonly leavingLive?: LeavingAgents;
}

export interface LeavingAgents {
  /** Online, enabled, no job: replaced at once. */
  readonly idle: number;
  /** Running a job: replaced after it. */
  readonly busy: number;
  /** Not registered, offline or disabled (starting, finished or being drained): their files go as their pods end. */
  readonly other: number;
}

/** How the agents of these pods stand in the pool. */
export function leavingAgents(pods: readonly Manifest[], agents: readonly PoolAgent[]): LeavingAgents {
  const out = { idle: 0, busy: 0, other: 0 };
  for (const m of pods) {
    const a = agents.find((x) => x.poolName === m.poolName && x.name.toLowerCase() === m.podName);
    if (a?.assignedRequestId !== undefined) out.busy++;
    else if (a && a.status === 'online' && a.enabled) out.idle++;
    else out.other++;
  }
  return out;
}

export interface StandbyStep {
  /** When the standby in force changes, in either version. */
  readonly at: Date;
  readonly spec: string;
  readonly before: number | undefined;
  readonly after: number | undefined;
}

export interface PrPreview {
  readonly specs: readonly SpecChange[];
  readonly capacityBefore: number;
  readonly capacityAfter: number;
  /** Standby in force now and at every change over the horizon, for specs whose standby differs anywhere in it. */
  readonly standby: readonly StandbyStep[];
  readonly horizonDays: number;
  readonly errors: readonly SpecError[];
  readonly warnings: readonly SpecError[];
  /** Files under the agents directory the PR changes: the reconciler owns them. */
  readonly agentsFilesChanged: readonly string[];
  /** True when the pools were read: rotations are split into idle and busy agents. */
  readonly live: boolean;
}

const show = (v: unknown): string => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

function fieldChanges(a: AgentSpec, b: AgentSpec): string[] {
  const out: string[] = [];
  const cmp = (field: string, x: unknown, y: unknown) => {
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push(`${field}: ${show(x)} → ${show(y)}`);
  };
  cmp('pool', a.pool, b.pool);
  cmp('prefix', a.prefix, b.prefix);
  cmp('standby', a.standby, b.standby);
  cmp('maxAgents', a.maxAgents, b.maxAgents);
  cmp('capabilities', a.capabilities.map((c) => (c.value === undefined ? c.name : `${c.name}=${c.value}`)), b.capabilities.map((c) => (c.value === undefined ? c.name : `${c.name}=${c.value}`)));
  cmp('standbySchedule', a.standbySchedule && { timeZone: a.standbySchedule.timeZone, rules: a.standbySchedule.rules.map((r) => `${r.cron} → ${r.standby}`) },
    b.standbySchedule && { timeZone: b.standbySchedule.timeZone, rules: b.standbySchedule.rules.map((r) => `${r.cron} → ${r.standby}`) });
  if (JSON.stringify(a.template) !== JSON.stringify(b.template)) out.push('pod template');
  cmp('tokenSecretRef', a.tokenSecretRef, b.tokenSecretRef);
  cmp('deadlines', a.deadlines, b.deadlines);
  return out;
}

const STEP_MS = 15 * 60_000;

/** The standby in force every quarter hour over the horizon, kept where it changes in either version. */
function standbySteps(base: readonly AgentSpec[], head: readonly AgentSpec[], now: Date, days: number): StandbyStep[] {
  const names = [...new Set([...base, ...head].filter((s) => s.standbySchedule).map((s) => s.name))].sort();
  const out: StandbyStep[] = [];
  for (const name of names) {
    const b = base.find((s) => s.name === name);
    const h = head.find((s) => s.name === name);
    const steps: StandbyStep[] = [];
    let prev = '';
    const start = Math.ceil(now.getTime() / STEP_MS) * STEP_MS;
    for (let t = start; t <= now.getTime() + days * 86_400_000; t += STEP_MS) {
      const at = new Date(t);
      const before = b ? effectiveStandby(b, at) : undefined;
      const after = h ? effectiveStandby(h, at) : undefined;
      const key = `${before}/${after}`;
      if (key !== prev) steps.push({ at: t === start ? now : at, spec: name, before, after });
      prev = key;
    }
    if (steps.some((s) => s.before !== s.after)) out.push(...steps);
  }
  return out.sort((x, y) => x.at.getTime() - y.at.getTime() || (x.spec < y.spec ? -1 : 1));
}

export function prPreview(
  base: RepoCheck,
  head: RepoCheck,
  baseManifests: readonly Manifest[],
  now: Date,
  opts: {
    readonly horizonDays?: number;
    readonly agentsFilesChanged?: readonly string[];
    /** The pools' agents, when the live pool was read (`diff --live`). */
    readonly agents?: readonly PoolAgent[] | undefined;
  } = {},
): PrPreview {
  const names = [...new Set([...base.specs, ...head.specs].map((s) => s.name))].sort();
  const specs: SpecChange[] = names.map((name) => {
    const b = base.specs.find((s) => s.name === name);
    const h = head.specs.find((s) => s.name === name);
    const pods = baseManifests.filter((m) => m.specName === name);
    const leavingPods = h === undefined ? pods : pods.filter((m) => m.specRevision !== h.revision);
    const leaving = leavingPods.length;
    const fields = b && h ? fieldChanges(b, h) : [];
    const broken = !h && b !== undefined && head.errors.some((e) => e.file === b.file);
    const kind = !b ? 'added' : broken ? 'invalid' : !h ? 'removed' : fields.length > 0 || b.revision !== h.revision ? 'changed' : 'unchanged';
    return {
      name, kind, fields, revisionBefore: b?.revision, revisionAfter: h?.revision, pods: pods.length,
      // A spec that is only invalid in the PR is not "removed": a pass withholds removals while any spec has errors.
      podsLeaving: h === undefined && head.errors.length > 0 ? 0 : leaving,
      maxBefore: b?.maxAgents, maxAfter: h?.maxAgents,
      ...(opts.agents ? { leavingLive: leavingAgents(leavingPods, opts.agents) } : {}),
    };
  });
  const horizonDays = opts.horizonDays ?? 7;
  return {
    specs,
    capacityBefore: base.specs.reduce((n, s) => n + s.maxAgents, 0),
    capacityAfter: head.specs.reduce((n, s) => n + s.maxAgents, 0),
    standby: standbySteps(base.specs, head.specs, now, horizonDays),
    horizonDays,
    errors: head.errors,
    warnings: head.warnings,
    agentsFilesChanged: opts.agentsFilesChanged ?? [],
    live: opts.agents !== undefined,
  };
}

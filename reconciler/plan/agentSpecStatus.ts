// What an AgentSpec's `status` in the cluster says after a pass. Pure: computed from the same
// PassReport `status --json` prints (the numbers are the plan's SpecSummary), the pods the pass
// saw, and the status the cluster holds now (to keep condition transition times and to write only
// on change). The cluster adapter only patches what this returns.
import type { AgentSpec } from '../agentspec/agentSpec.ts';
import type { SpecError } from '../agentspec/specError.ts';
import type { ObservedPod } from './observed.ts';
import type { PassReport } from './passReport.ts';

export type ConditionType = 'Ready' | 'Degraded' | 'CapacityCapped';

export interface StatusCondition {
  readonly type: ConditionType;
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
  /** Kept from the previous status while `status` stays the same. */
  readonly lastTransitionTime: string;
}

export interface AgentSpecStatus {
  readonly desired: number;
  readonly busy: number;
  readonly idle: number;
  readonly starting: number;
  readonly pendingJobs: number;
  /** Jobs in the spec's pool that no AgentSpec can run. */
  readonly unmatchedJobs: number;
  /** How many more agents demand wanted beyond maxAgents (0 when not capped). */
  readonly cappedBy: number;
  /** True while the spec is held back after failing pods. */
  readonly backingOff: boolean;
  /** The commit the status was computed from (the one pushed by the pass, else the branch tip). */
  readonly lastCommit: string;
  readonly lastPassTime: string;
  /** The revision in git; '' when the spec is not in use. */
  readonly revision: string;
  readonly conditions: readonly StatusCondition[];
}

/** Degraded reasons, in the order they are preferred when several apply. */
export type DegradedReason = 'SpecInvalid' | 'PoolMissing' | 'NotInGit' | 'CreateContainerConfigError' | 'ImagePullBackOff' | 'PodsFailing';

/** The spec error of a spec whose pool the organization lacks (the pass makes it; the status names it PoolMissing). */
export function poolMissingError(spec: Pick<AgentSpec, 'name' | 'file' | 'pool'>): SpecError {
  return {
    file: spec.file,
    field: 'spec.pool',
    message: `agent pool "${spec.pool}" does not exist in the organization`,
    hint: 'create the pool (Organization settings → Agent pools) or name an existing one',
    specName: spec.name,
    poolMissing: true,
  };
}

const IMAGE_PULL = /\b(ImagePullBackOff|ErrImagePull|InvalidImageName|ErrImageNeverPull)\b/;
const CONFIG_ERROR = /\bCreateContainerConfigError\b/;

/** A pod's or hold's problem text to its Degraded reason. */
function reasonOfProblem(text: string): DegradedReason {
  if (CONFIG_ERROR.test(text)) return 'CreateContainerConfigError';
  if (IMAGE_PULL.test(text)) return 'ImagePullBackOff';
  return 'PodsFailing';
}

function podTrouble(pod: ObservedPod): string | undefined {
  if (pod.deleting) return undefined;
  if (pod.waitingReason !== undefined && (CONFIG_ERROR.test(pod.waitingReason) || IMAGE_PULL.test(pod.waitingReason) || pod.waitingReason === 'CreateContainerError')) {
    return `pod ${pod.name}: ${pod.waitingMessage ? `${pod.waitingReason}: ${pod.waitingMessage}` : pod.waitingReason}`;
  }
  if (pod.phase === 'Failed') {
    const t = pod.terminated;
    return `pod ${pod.name} failed${t ? `: container ${t.container} exited with code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}` : pod.statusReason ? `: ${pod.statusReason}` : ''}`;
  }
  return undefined;
}

const MAX_MESSAGE = 1024;
const clip = (s: string): string => (s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE - 1)}…` : s);

/** The Degraded reason and message of one spec, or undefined when nothing is wrong. */
function degradation(name: string, report: PassReport, pods: readonly ObservedPod[] | undefined, inGit: boolean): { reason: DegradedReason; message: string } | undefined {
  const errors = report.specErrors.filter((e) => e.specName === name);
  const poolMissing = errors.find((e) => e.poolMissing === true);
  if (poolMissing) return { reason: 'PoolMissing', message: clip(`${poolMissing.message}: ${poolMissing.hint}`) };
  if (errors.length > 0) {
    const first = errors[0]!;
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length === 2 ? '' : 's'}: run azdo-gitops validate)` : '';
    return { reason: 'SpecInvalid', message: clip(`${first.file}: ${first.field ? `${first.field}: ` : ''}${first.message} (${first.hint})${more}`) };
  }
  if (!inGit) return { reason: 'NotInGit', message: `no valid AgentSpec named ${name} in the cluster repo at ${report.tip.slice(0, 12)}: the reconciler does not use this one` };
  const summary = report.plan.summaries.find((s) => s.specName === name);
  if (summary?.heldUntil !== undefined && summary.holdReason !== undefined) {
    return { reason: reasonOfProblem(summary.holdReason), message: clip(`${summary.holdReason}; no new pod until ${summary.heldUntil}`) };
  }
  const troubles = (pods ?? []).filter((p) => p.specName === name).map(podTrouble).filter((t): t is string => t !== undefined);
  if (troubles.length > 0) return { reason: reasonOfProblem(troubles[0]!), message: clip(troubles.join('; ')) };
  return undefined;
}

function condition(type: ConditionType, ok: boolean, reason: string, message: string, previous: readonly StatusCondition[] | undefined, now: string): StatusCondition {
  const status = ok ? 'True' : 'False';
  const before = previous?.find((c) => c.type === type);
  return { type, status, reason, message, lastTransitionTime: before?.status === status ? before.lastTransitionTime : now };
}

/**
 * The status of the AgentSpec `name` after the pass in `report`. `previous` is what the cluster
 * holds (undefined for none): transition times of unchanged conditions are kept.
 */
export function agentSpecStatus(name: string, report: PassReport, pods: readonly ObservedPod[] | undefined, previous: Partial<AgentSpecStatus> | undefined): AgentSpecStatus {
  const now = report.startedAt.toISOString();
  const summary = report.plan.summaries.find((s) => s.specName === name);
  const degraded = degradation(name, report, pods, summary !== undefined);
  const prev = Array.isArray(previous?.conditions) ? previous.conditions : undefined;
  const cappedBy = summary?.cappedBy ?? 0;
  const unmatched = summary ? report.plan.unmatchedJobs.filter((j) => j.poolName === summary.pool).length : 0;
  return {
    desired: summary?.desired ?? 0,
    busy: summary?.busy ?? 0,
    idle: summary?.idle ?? 0,
    starting: summary?.starting ?? 0,
    pendingJobs: summary?.pendingJobs ?? 0,
    unmatchedJobs: unmatched,
    cappedBy,
    backingOff: summary?.heldUntil !== undefined,
    lastCommit: report.commit ?? report.tip,
    lastPassTime: now,
    revision: summary?.revision ?? '',
    conditions: [
      degraded
        ? condition('Ready', false, degraded.reason, degraded.message, prev, now)
        : condition('Ready', true, 'Reconciled', `${summary?.busy ?? 0} busy, ${summary?.idle ?? 0} idle, ${summary?.starting ?? 0} starting of ${summary?.desired ?? 0} desired`, prev, now),
      degraded ? condition('Degraded', true, degraded.reason, degraded.message, prev, now) : condition('Degraded', false, 'AsExpected', 'no problem seen', prev, now),
      cappedBy > 0
        ? condition('CapacityCapped', true, 'MaxAgents', `demand wants ${cappedBy} more agent${cappedBy === 1 ? '' : 's'} than maxAgents ${summary?.max ?? 0} allows`, prev, now)
        : condition('CapacityCapped', false, 'WithinCapacity', 'demand fits within maxAgents', prev, now),
    ],
  };
}

const COMPARED = ['desired', 'busy', 'idle', 'starting', 'pendingJobs', 'unmatchedJobs', 'cappedBy', 'backingOff', 'lastCommit', 'revision'] as const;

/**
 * True when `next` says something `previous` did not: the cluster's status is written only then.
 * The pass time alone does not count (a status that only aged is not written again).
 */
export function statusChanged(previous: Partial<AgentSpecStatus> | undefined, next: AgentSpecStatus): boolean {
  if (previous === undefined) return true;
  if (COMPARED.some((k) => previous[k] !== next[k])) return true;
  return conditionsKey(previous.conditions) !== conditionsKey(next.conditions);
}

function conditionsKey(c: readonly StatusCondition[] | undefined): string {
  if (!Array.isArray(c)) return '';
  return JSON.stringify(c.map((x) => [x.type, x.status, x.reason, x.message, x.lastTransitionTime]));
}

/** An Event to record on an AgentSpec. */
export interface AgentSpecEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: 'ScaledUp' | 'Pruned' | 'BackOff' | DegradedReason;
  readonly message: string;
}

/**
 * The Events one pass gives an AgentSpec: pods added and removed (only once their commit is
 * pushed), a back-off that began, and Ready turning False (a spec error, a missing pool, failing
 * pods) when its reason is new.
 */
export function agentSpecEvents(name: string, report: PassReport, previous: Partial<AgentSpecStatus> | undefined, next: AgentSpecStatus): AgentSpecEvent[] {
  const events: AgentSpecEvent[] = [];
  const commit = report.commit;
  if (commit !== undefined) {
    const added = report.plan.add.filter((a) => a.specName === name);
    if (added.length > 0) {
      const jobs = added.flatMap((a) => a.jobRequestIds);
      const why = [...new Set(added.map((a) => a.reason))].join(', ');
      events.push({
        type: 'Normal',
        reason: 'ScaledUp',
        message: clip(`added ${added.length} agent pod${added.length === 1 ? '' : 's'} (${why})${jobs.length ? ` for job request${jobs.length === 1 ? '' : 's'} ${jobs.join(',')}` : ''} in ${commit.slice(0, 12)}: ${added.map((a) => a.podName).join(', ')}`),
      });
    }
    const removed = report.plan.remove.filter((r) => r.specName === name);
    if (removed.length > 0) {
      events.push({
        type: 'Normal',
        reason: 'Pruned',
        message: clip(`removed ${removed.length} agent pod${removed.length === 1 ? '' : 's'} in ${commit.slice(0, 12)}: ${removed.map((r) => `${r.podName} (${r.reason})`).join(', ')}`),
      });
    }
  }
  for (const h of report.holdsStarted.filter((x) => x.specName === name)) {
    events.push({ type: 'Warning', reason: 'BackOff', message: clip(`pod ${h.podName} failed without running a job: ${h.reason}; no new pod until ${h.until.toISOString()} (${h.failures} consecutive failure${h.failures === 1 ? '' : 's'})`) });
  }
  const ready = next.conditions.find((c) => c.type === 'Ready');
  const before = Array.isArray(previous?.conditions) ? previous.conditions.find((c) => c.type === 'Ready') : undefined;
  if (ready && ready.status === 'False' && (before?.status !== 'False' || before.reason !== ready.reason)) {
    events.push({ type: 'Warning', reason: ready.reason as DegradedReason, message: ready.message });
  }
  return events;
}

// What `plan()` decides. `apply` carries it out in this order: disable → commit/push → unregister.

export type AddReason = 'pending-jobs' | 'standby' | 'rotation';

export interface ManifestToAdd {
  readonly podName: string;
  readonly specName: string;
  readonly reason: AddReason;
  /** Job requests this agent was started for (empty for standby). */
  readonly jobRequestIds: readonly number[];
}

export type RemoveReason =
  | 'pod-succeeded'
  | 'pod-failed'
  /** waiting with a reason no retry cures (plan/podProblem.ts): failing now, not at a deadline */
  | 'pod-start-error'
  | 'pod-deleted'
  | 'image-pull-deadline'
  | 'unschedulable-deadline'
  | 'registration-deadline'
  | 'sync-deadline'
  | 'scale-down'
  | 'rotation'
  | 'spec-removed';

/** Removals that mean "this pod could not become a working agent" (failed, or stuck past a deadline). */
const POD_FAILURE_REASONS: ReadonlySet<string> = new Set<RemoveReason>([
  'pod-failed',
  'pod-start-error',
  'image-pull-deadline',
  'unschedulable-deadline',
  'registration-deadline',
  'sync-deadline',
]);

/** Takes any string: the history reads reasons back from commit messages. */
export const isPodFailureReason = (reason: string): boolean => POD_FAILURE_REASONS.has(reason);

export interface ManifestToRemove {
  readonly path: string;
  readonly podName: string;
  readonly specName: string;
  readonly reason: RemoveReason;
  /** Set for idle agents removed by scale-down/rotation: apply disables it and re-checks it is idle first. */
  readonly agentId: number | undefined;
  /** The job the pod's agent ran (its last completed request), when the pool shows one. */
  readonly ranJobRequestId?: number | undefined;
}

export type UnregisterReason = 'pod-finished' | 'offline-orphan' | 'spec-removed' | 'placeholder-obsolete';

/**
 * An agent to unregister. Apply re-reads it first and leaves it if it now holds a job: the agent
 * list is read before the pods, so an agent listed idle may have taken a job and then lost its
 * pod, and one listed busy may have ended its job since (apply/unregisterAgents.ts).
 */
export interface AgentToUnregister {
  readonly agentId: number;
  readonly name: string;
  readonly poolName: string;
  readonly reason: UnregisterReason;
}

export interface PlaceholderToRegister {
  readonly name: string;
  readonly poolName: string;
  readonly specName: string;
  readonly capabilities: Readonly<Record<string, string>>;
}

/** An agent in a pool we manage that nothing proves ours (plan/agentOwnership.ts): left alone. */
export interface ForeignAgent {
  readonly agentId: number;
  readonly name: string;
  readonly poolName: string;
  readonly status: 'online' | 'offline';
  readonly enabled: boolean;
}

export interface UnmatchedJob {
  readonly requestId: number;
  readonly poolName: string;
  readonly demands: readonly string[];
  readonly reason: string;
}

export interface SpecSummary {
  readonly specName: string;
  readonly pool: string;
  readonly revision: string;
  /** Standby in force this pass (after the spec's standbySchedule). */
  readonly standby: number;
  readonly pendingJobs: number;
  readonly busy: number;
  readonly idle: number;
  readonly starting: number;
  readonly desired: number;
  readonly max: number;
  /** Set when the cap stopped scale-out: how many more agents demand wanted. */
  readonly cappedBy: number;
  /** Set while the spec is held back after failing pods (plan/podFailureBackoff.ts): no new pod before this ISO time. */
  readonly heldUntil?: string;
  /** The failing pod and its reason, while held. */
  readonly holdReason?: string;
}

export interface Plan {
  readonly add: readonly ManifestToAdd[];
  readonly remove: readonly ManifestToRemove[];
  /** Only after the commit that removes their manifests is pushed. */
  readonly unregister: readonly AgentToUnregister[];
  readonly registerPlaceholders: readonly PlaceholderToRegister[];
  readonly unmatchedJobs: readonly UnmatchedJob[];
  readonly summaries: readonly SpecSummary[];
  /** Agents in our pools without the marker (or the placeholder capability): reported, never touched. */
  readonly foreignAgents: readonly ForeignAgent[];
}

export function isEmptyPlan(p: Plan): boolean {
  return p.add.length === 0 && p.remove.length === 0 && p.unregister.length === 0 && p.registerPlaceholders.length === 0;
}

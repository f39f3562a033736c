// Plain data the adapters produce each pass. `plan()` reads only this; nothing here is I/O.
import type { AgentSpec } from '../agentspec/agentSpec.ts';
import type { SpecError } from '../agentspec/specError.ts';

/** A job request that still needs an agent (no result, no assignment). From azdo/jobRequests.ts. */
export interface PendingJob {
  readonly requestId: number;
  readonly poolName: string;
  /** Demand strings as on the wire: `docker`, `java -equals 17`, `Agent.Version -gtVersion 2.1`. */
  readonly demands: readonly string[];
  readonly queueTime: Date;
  readonly jobName: string | undefined;
  readonly definitionName: string | undefined;
  /**
   * Optional raw lifecycle fields (when the adapter passes them through). plan() ignores a job
   * that has any of them: it no longer needs an agent (finished, cancelled, assigned or running).
   */
  readonly result?: string | undefined;
  readonly assignTime?: Date | undefined;
  readonly receiveTime?: Date | undefined;
  readonly finishTime?: Date | undefined;
  readonly reservedAgentId?: number | undefined;
}

/** An agent registered in a pool. From azdo/agents.ts. */
export interface PoolAgent {
  readonly id: number;
  readonly name: string;
  readonly poolName: string;
  readonly status: 'online' | 'offline';
  readonly enabled: boolean;
  /** requestId of the job assigned to the agent, if any. A busy agent is never removed. */
  readonly assignedRequestId: number | undefined;
  /**
   * requestId of the last job the agent finished (absent when none or not read). Our agents run
   * one job each, so this is the job a finished pod ran; the commit that removes it says so.
   */
  readonly lastCompletedRequestId?: number | undefined;
  readonly createdOn: Date | undefined;
  /** userCapabilities; placeholders carry PLACEHOLDER_CAPABILITY. */
  readonly userCapabilities: Readonly<Record<string, string>>;
  /**
   * The system capability AZDO_GITOPS_SPEC (the spec name our rendered pods put in the agent's
   * env), undefined when absent or empty. Only this is kept of systemCapabilities (one agent
   * publishes its whole env there): see plan/agentOwnership.ts.
   */
  readonly specMarker: string | undefined;
  /**
   * false: listed without capabilities and not read since (azdo/agents.ts lists lean), so
   * specMarker and userCapabilities are empty and prove nothing either way. Absent or true: read.
   * The pass reads them for every agent whose ownership its name alone cannot settle
   * (plan/agentOwnership.ts agentsNeedingCapabilities).
   */
  readonly capabilitiesRead?: boolean;
}

/** An agent pod manifest committed to git. From gitops/manifests.ts. */
export interface Manifest {
  /** Repo-relative path of the file. */
  readonly path: string;
  /** Pod name = agent name. */
  readonly podName: string;
  readonly specName: string;
  readonly specRevision: string;
  readonly poolName: string;
  /** From the `azdo.gitops.dev/created-at` annotation. */
  readonly createdAt: Date;
  /** From the `azdo.gitops.dev/job-requests` annotation (the jobs the pod was started for). */
  readonly jobRequestIds?: readonly number[] | undefined;
  /** metadata.namespace of the pod. */
  readonly namespace?: string | undefined;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

/** A container's terminated state as the kubelet reports it. */
export interface TerminatedContainer {
  readonly container: string;
  readonly exitCode: number;
  /** e.g. `Error`, `OOMKilled`, `ContainerCannotRun`, `StartError`. */
  readonly reason: string | undefined;
  readonly message: string | undefined;
}

/** A pod the cluster reports under the manager label selector. From cluster/pods.ts. */
export interface ObservedPod {
  readonly name: string;
  readonly phase: PodPhase;
  readonly createdAt: Date;
  /** Waiting reason of any container, e.g. `ImagePullBackOff`, `ErrImagePull`. */
  readonly waitingReason: string | undefined;
  /** The kubelet's message with that reason, e.g. `secret "azdo-agent-token" not found`. */
  readonly waitingMessage?: string | undefined;
  /** The first container that terminated with a non-zero exit code (or, failing that, any that terminated). */
  readonly terminated?: TerminatedContainer | undefined;
  /** status.reason / status.message of the pod itself (e.g. `Evicted`, `The node was low on resource: memory.`). */
  readonly statusReason?: string | undefined;
  readonly statusMessage?: string | undefined;
  /** True when PodScheduled=False with reason Unschedulable. */
  readonly unschedulable: boolean;
  readonly deleting: boolean;
  readonly specName: string | undefined;
}

export interface ObservedState {
  readonly now: Date;
  readonly specs: readonly AgentSpec[];
  readonly specErrors: readonly SpecError[];
  readonly pendingJobs: readonly PendingJob[];
  readonly agents: readonly PoolAgent[];
  readonly manifests: readonly Manifest[];
  /** undefined when the cluster could not be observed: then nothing is pruned for pod reasons. */
  readonly pods: readonly ObservedPod[] | undefined;
  /** Cap across all specs. */
  readonly globalMaxAgents: number;
}

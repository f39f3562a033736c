// Builders for specs and observed state shared by unit tests (plain data, no I/O).
import type { AgentSpec, Capability } from '../../reconciler/agentspec/agentSpec.ts';
import { DEFAULT_DEADLINES } from '../../reconciler/agentspec/agentSpec.ts';
import { specRevision } from '../../reconciler/agentspec/revision.ts';
import type { Manifest, ObservedPod, ObservedState, PendingJob, PoolAgent } from '../../reconciler/plan/observed.ts';
import { manifestPath } from '../../reconciler/manifests/layout.ts';

export const T0 = new Date('2026-01-01T00:00:00.000Z');
export const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
export const minutes = (m: number): Date => at(m * 60);

export const DEFAULT_POOL = 'k8s-agents';

export function caps(...list: string[]): Capability[] {
  return list.map((s) => {
    const i = s.indexOf('=');
    return i < 0 ? { name: s, value: undefined } : { name: s.slice(0, i), value: s.slice(i + 1) };
  });
}

export type SpecInit = Partial<Omit<AgentSpec, 'capabilities' | 'revision'>> & { capabilities?: string[]; revision?: string };

export function aSpec(name: string, init: SpecInit = {}): AgentSpec {
  const base = {
    name,
    file: init.file ?? `agentspecs/${name}.yaml`,
    format: init.format ?? 'v1alpha1',
    pool: init.pool ?? DEFAULT_POOL,
    prefix: init.prefix ?? name,
    capabilities: caps(...(init.capabilities ?? [])),
    standby: init.standby ?? 0,
    maxAgents: init.maxAgents ?? 10,
    namespace: init.namespace ?? 'azdo-agents',
    template: init.template ?? { spec: { containers: [{ name: 'agent', image: 'example.com/azp-agent:1' }] } },
    tokenSecretRef: init.tokenSecretRef ?? { name: 'azdo-agent-token', key: 'token' },
    deadlines: init.deadlines ?? DEFAULT_DEADLINES,
  } as const;
  return { ...base, ...(init.standbySchedule ? { standbySchedule: init.standbySchedule } : {}), revision: init.revision ?? specRevision(base) };
}

export interface ManifestInit {
  createdAt?: Date;
  revision?: string;
  jobRequestIds?: number[];
  agentsPath?: string;
}

export function aManifest(spec: AgentSpec, podName: string, init: ManifestInit = {}): Manifest {
  return {
    path: manifestPath(init.agentsPath ?? 'agents', spec.name, podName),
    podName,
    specName: spec.name,
    specRevision: init.revision ?? spec.revision,
    poolName: spec.pool,
    createdAt: init.createdAt ?? T0,
    jobRequestIds: init.jobRequestIds ?? [],
    namespace: spec.namespace,
  };
}

let nextAgentId = 1000;
export type AgentInit = Partial<PoolAgent>;

export function anAgent(name: string, init: AgentInit = {}): PoolAgent {
  return {
    id: init.id ?? nextAgentId++,
    name,
    poolName: init.poolName ?? DEFAULT_POOL,
    status: init.status ?? 'online',
    enabled: init.enabled ?? true,
    assignedRequestId: init.assignedRequestId,
    createdOn: init.createdOn ?? T0,
    userCapabilities: init.userCapabilities ?? {},
    // Our agents show the marker of their spec (as rendered pods make them) unless told otherwise.
    specMarker: 'specMarker' in init ? init.specMarker : name.replace(/-[a-z0-9]+$/, ''),
  };
}

/** An agent nothing proves ours: no marker, no placeholder capability (a person's, the predecessor's). */
export const foreignAgent = (name: string, init: AgentInit = {}): PoolAgent => anAgent(name, { ...init, specMarker: undefined });

export const idleAgent = (name: string, init: AgentInit = {}): PoolAgent => anAgent(name, init);
export const busyAgent = (name: string, requestId: number, init: AgentInit = {}): PoolAgent =>
  anAgent(name, { ...init, assignedRequestId: requestId });
export const offlineAgent = (name: string, init: AgentInit = {}): PoolAgent => anAgent(name, { ...init, status: 'offline' });

export function aPod(name: string, init: Partial<ObservedPod> = {}): ObservedPod {
  return {
    name,
    phase: init.phase ?? 'Running',
    createdAt: init.createdAt ?? T0,
    waitingReason: init.waitingReason,
    unschedulable: init.unschedulable ?? false,
    deleting: init.deleting ?? false,
    specName: 'specName' in init ? init.specName : name.replace(/-[a-z0-9]+$/, ''),
    ...(init.waitingMessage !== undefined ? { waitingMessage: init.waitingMessage } : {}),
    ...(init.terminated !== undefined ? { terminated: init.terminated } : {}),
    ...(init.statusReason !== undefined ? { statusReason: init.statusReason } : {}),
    ...(init.statusMessage !== undefined ? { statusMessage: init.statusMessage } : {}),
  };
}

export function aJob(requestId: number, init: Partial<PendingJob> = {}): PendingJob {
  return {
    requestId,
    poolName: init.poolName ?? DEFAULT_POOL,
    demands: init.demands ?? [],
    queueTime: init.queueTime ?? at(requestId),
    jobName: init.jobName ?? `job ${requestId}`,
    definitionName: init.definitionName ?? 'ci',
    ...(init.result !== undefined ? { result: init.result } : {}),
    ...(init.assignTime !== undefined ? { assignTime: init.assignTime } : {}),
    ...(init.receiveTime !== undefined ? { receiveTime: init.receiveTime } : {}),
    ...(init.finishTime !== undefined ? { finishTime: init.finishTime } : {}),
    ...(init.reservedAgentId !== undefined ? { reservedAgentId: init.reservedAgentId } : {}),
  };
}

/** Observed state; pods default to "one Running pod per manifest" unless given (or `null` = unobservable). */
export function observed(init: Partial<Omit<ObservedState, 'pods'>> & { pods?: readonly ObservedPod[] | null } = {}): ObservedState {
  const manifests = init.manifests ?? [];
  const pods = init.pods === null ? undefined : init.pods ?? manifests.map((m) => aPod(m.podName, { specName: m.specName, createdAt: m.createdAt }));
  return {
    now: init.now ?? minutes(1),
    specs: init.specs ?? [],
    specErrors: init.specErrors ?? [],
    pendingJobs: init.pendingJobs ?? [],
    agents: init.agents ?? [],
    manifests,
    pods,
    globalMaxAgents: init.globalMaxAgents ?? 100,
  };
}

/** A manifest + Running pod + online idle agent: a ready, idle agent of `spec`. */
export function idleOf(spec: AgentSpec, podName: string, init: ManifestInit = {}) {
  return { manifest: aManifest(spec, podName, init), pod: aPod(podName, { specName: spec.name, createdAt: init.createdAt ?? T0 }), agent: idleAgent(podName, { poolName: spec.pool }) };
}

/** A manifest + Running pod + agent running request `requestId`. */
export function busyOf(spec: AgentSpec, podName: string, requestId: number, init: ManifestInit = {}) {
  return { manifest: aManifest(spec, podName, init), pod: aPod(podName, { specName: spec.name, createdAt: init.createdAt ?? T0 }), agent: busyAgent(podName, requestId, { poolName: spec.pool }) };
}

/** A manifest + Pending pod, no agent yet. */
export function startingOf(spec: AgentSpec, podName: string, init: ManifestInit = {}) {
  return { manifest: aManifest(spec, podName, init), pod: aPod(podName, { specName: spec.name, phase: 'Pending', createdAt: init.createdAt ?? T0 }), agent: undefined };
}

type Bundle = { manifest: Manifest; pod: ObservedPod | undefined; agent: PoolAgent | undefined };

/** Observed state from bundles (idleOf/busyOf/startingOf) plus extra fields. */
export function world(bundles: Bundle[], init: Partial<Omit<ObservedState, 'pods'>> & { pods?: readonly ObservedPod[] | null; extraAgents?: PoolAgent[]; extraPods?: ObservedPod[] } = {}): ObservedState {
  const { extraAgents = [], extraPods = [], ...rest } = init;
  return observed({
    ...rest,
    manifests: [...bundles.map((b) => b.manifest), ...(rest.manifests ?? [])],
    agents: [...bundles.flatMap((b) => (b.agent ? [b.agent] : [])), ...extraAgents, ...(rest.agents ?? [])],
    pods: rest.pods === null ? null : rest.pods ?? [...bundles.flatMap((b) => (b.pod ? [b.pod] : [])), ...extraPods],
  });
}

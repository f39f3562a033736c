// Classifies each committed manifest from its pod (cluster) and its agent (Azure DevOps).
import type { AgentSpec, Deadlines } from '../agentspec/agentSpec.ts';
import { DEFAULT_DEADLINES } from '../agentspec/agentSpec.ts';
import { Ownership } from './agentOwnership.ts';
import type { RemoveReason } from './changes.ts';
import type { Manifest, ObservedPod, PoolAgent } from './observed.ts';
import { isNonTransientWaiting } from './podProblem.ts';
import { getOrInsert } from '../support/getOrInsert.ts';

export type AgentStateKind =
  /** the agent has a job assigned: never removed */
  | 'busy'
  /** registered, online, enabled, no job: available */
  | 'idle'
  /** registered, online, but disabled (a removal interrupted, or a human): not available, removable */
  | 'disabled'
  /** pod not finished, agent not (yet) registered/online, within deadlines: available */
  | 'starting'
  /** pod Succeeded/Failed: prune */
  | 'finished'
  /** pod gone although the agent registered (deleted outside git): prune */
  | 'pod-deleted'
  /** past a deadline (image pull, unschedulable, registration, sync), or waiting with a reason no retry cures: prune */
  | 'stuck';

export interface ManifestState {
  readonly manifest: Manifest;
  readonly spec: AgentSpec | undefined;
  /**
   * The pod's agent, only when it is ours (marked or pod-bound, plan/agentOwnership.ts). A
   * foreign agent with the pod's name is not bound: the manifest is judged as if no agent had
   * registered (starting, then stuck at its deadline), and the agent itself is never touched.
   */
  readonly agent: PoolAgent | undefined;
  readonly pod: ObservedPod | undefined;
  readonly kind: AgentStateKind;
  /** Set for finished / pod-deleted / stuck. */
  readonly removeReason: RemoveReason | undefined;
}

/** Transient image-pull waits, judged by the image-pull deadline (the non-transient ones fail at once). */
export const IMAGE_PULL_REASONS: ReadonlySet<string> = new Set(['ErrImagePull', 'ImagePullBackOff', 'RegistryUnavailable']);

export interface Classification {
  readonly kind: AgentStateKind;
  readonly removeReason: RemoveReason | undefined;
}

const ageSeconds = (now: Date, since: Date): number => (now.getTime() - since.getTime()) / 1000;

/**
 * @param pods undefined when the cluster could not be observed: no pod-based verdict at all
 *   (a manifest whose agent is not idle/busy then counts as starting).
 */
export function classifyManifest(
  manifest: Manifest,
  agent: PoolAgent | undefined,
  pod: ObservedPod | undefined,
  podsObserved: boolean,
  now: Date,
  deadlines: Deadlines = DEFAULT_DEADLINES,
): Classification {
  const keep = (kind: AgentStateKind): Classification => ({ kind, removeReason: undefined });
  const drop = (kind: AgentStateKind, removeReason: RemoveReason): Classification => ({ kind, removeReason });
  if (podsObserved && pod && (pod.phase === 'Succeeded' || pod.phase === 'Failed')) {
    // The container has exited: removing the file cannot interrupt anything.
    return drop('finished', pod.phase === 'Succeeded' ? 'pod-succeeded' : 'pod-failed');
  }
  if (agent?.assignedRequestId !== undefined) return keep('busy');
  const online = agent !== undefined && agent.status === 'online';
  if (!podsObserved) {
    if (online) return keep(agent.enabled ? 'idle' : 'disabled');
    return keep('starting');
  }
  if (pod === undefined || pod.deleting) {
    if (agent !== undefined) return drop('pod-deleted', 'pod-deleted');
    if (ageSeconds(now, manifest.createdAt) > deadlines.syncSeconds) return drop('stuck', 'sync-deadline');
    return keep('starting');
  }
  if (online) return keep(agent.enabled ? 'idle' : 'disabled');
  // A missing Secret, an unparseable image name...: no deadline needs to pass to know.
  if (isNonTransientWaiting(pod)) return drop('stuck', 'pod-start-error');
  // A pod waiting for its image or for a node is judged by that deadline alone (a node
  // autoscaler may take a while); any other pod by the registration deadline.
  if (pod.waitingReason !== undefined && IMAGE_PULL_REASONS.has(pod.waitingReason)) {
    return ageSeconds(now, pod.createdAt) > deadlines.imagePullSeconds ? drop('stuck', 'image-pull-deadline') : keep('starting');
  }
  if (pod.unschedulable) {
    return ageSeconds(now, pod.createdAt) > deadlines.unschedulableSeconds ? drop('stuck', 'unschedulable-deadline') : keep('starting');
  }
  if (ageSeconds(now, manifest.createdAt) > deadlines.registrationSeconds) return drop('stuck', 'registration-deadline');
  return keep('starting');
}

/** Index of agents by name, pool-qualified first (a pool holds one agent per name; else the lowest id). */
export class AgentIndex {
  readonly #byPool = new Map<string, Map<string, PoolAgent>>();
  readonly #byName = new Map<string, PoolAgent>();
  constructor(agents: readonly PoolAgent[]) {
    for (const a of agents) {
      const name = a.name.toLowerCase();
      const pool = a.poolName.toLowerCase();
      const ofPool = getOrInsert(this.#byPool, pool, () => new Map<string, PoolAgent>());
      const inPool = ofPool.get(name);
      if (inPool === undefined || a.id > inPool.id) ofPool.set(name, a);
      const any = this.#byName.get(name);
      if (any === undefined || a.id < any.id) this.#byName.set(name, a);
    }
  }
  find(name: string, poolName: string): PoolAgent | undefined {
    const key = name.toLowerCase();
    return this.#byPool.get(poolName.toLowerCase())?.get(key) ?? this.#byName.get(key);
  }
}

export function manifestStates(
  manifests: readonly Manifest[],
  specs: readonly AgentSpec[],
  agents: readonly PoolAgent[],
  pods: readonly ObservedPod[] | undefined,
  now: Date,
  ownership: Ownership = new Ownership(agents, manifests, pods),
): ManifestState[] {
  const specByName = new Map(specs.map((s) => [s.name, s]));
  const index = new AgentIndex(agents.filter((a) => ownership.isPodAgent(a)));
  const podByName = new Map((pods ?? []).map((p) => [p.name, p]));
  return [...manifests]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((m) => {
      const spec = specByName.get(m.specName);
      const agent = index.find(m.podName, m.poolName);
      const pod = podByName.get(m.podName);
      const c = classifyManifest(m, agent, pod, pods !== undefined, now, spec?.deadlines ?? DEFAULT_DEADLINES);
      return { manifest: m, spec, agent, pod, kind: c.kind, removeReason: c.removeReason };
    });
}

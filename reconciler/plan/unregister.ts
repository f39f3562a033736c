// Agents to unregister — carried out by apply only after the commit removing their manifests is
// pushed, and only for agents that apply's re-read shows holding no job. Never an agent listed busy
// whose pod runs on, never an agent that is not ours (plan/agentOwnership.ts), never a
// placeholder (see placeholders.ts).
import type { AgentSpec } from '../agentspec/agentSpec.ts';
import { Ownership } from './agentOwnership.ts';
import type { AgentToUnregister, ManifestToRemove } from './changes.ts';
import type { Manifest, ObservedPod, PoolAgent } from './observed.ts';

export interface UnregisterInput {
  readonly agents: readonly PoolAgent[];
  readonly manifests: readonly Manifest[];
  readonly remove: readonly ManifestToRemove[];
  readonly pods: readonly ObservedPod[] | undefined;
  readonly specs: readonly AgentSpec[];
  /** Defaults to the ownership of `agents` against `manifests` and `pods`. */
  readonly ownership?: Ownership;
}

const finished = (p: ObservedPod | undefined): boolean => p !== undefined && (p.phase === 'Succeeded' || p.phase === 'Failed');
const goneOrGoing = (p: ObservedPod | undefined): boolean => p === undefined || p.deleting;

export function planUnregister(input: UnregisterInput): AgentToUnregister[] {
  const { agents, manifests, remove, pods, specs } = input;
  const ownership = input.ownership ?? new Ownership(agents, manifests, pods);
  const manifestByName = new Map(manifests.map((m) => [m.podName.toLowerCase(), m]));
  const removedByName = new Map(remove.map((r) => [r.podName.toLowerCase(), r]));
  const podByName = new Map((pods ?? []).map((p) => [p.name.toLowerCase(), p]));
  const specNames = new Set(specs.map((s) => s.name));
  const out: AgentToUnregister[] = [];
  for (const a of agents) {
    if (!ownership.isPodAgent(a)) continue; // foreign, or a placeholder (placeholders.ts)
    const key = a.name.toLowerCase();
    const pod = podByName.get(key);
    // Listed with a job: only its pod's exit says the job may have ended since the list was
    // read (apply's re-read decides).
    if (a.assignedRequestId !== undefined && !(pods !== undefined && finished(pod))) continue;
    const manifest = manifestByName.get(key);
    const removed = removedByName.get(key);
    const entry = (reason: AgentToUnregister['reason']): AgentToUnregister => ({ agentId: a.id, name: a.name, poolName: a.poolName, reason });
    if (manifest !== undefined) {
      if (removed === undefined) continue; // kept
      const specGone = !specNames.has(manifest.specName);
      if (specGone && removed.agentId !== undefined) {
        // Apply disables it and re-checks it is idle before the commit: safe to unregister now,
        // and once its manifest is gone nothing would tell us the agent was ours.
        out.push(entry('spec-removed'));
      } else if (pods !== undefined && (finished(pod) || goneOrGoing(pod))) {
        out.push(entry(specGone ? 'spec-removed' : 'pod-finished'));
      }
      continue;
    }
    // No manifest: only a marked agent gets here (pod-bound needs one). Its pod finished, or it
    // is an offline leftover of a pod that is gone (a crash between push and unregister).
    if (pods === undefined) continue;
    if (finished(pod)) out.push(entry(pod?.specName !== undefined && !specNames.has(pod.specName) ? 'spec-removed' : 'pod-finished'));
    else if (goneOrGoing(pod) && a.status === 'offline') out.push(entry('offline-orphan'));
  }
  return out;
}

// Which agents of the pools we manage are ours. Only ours are ever disabled, unregistered or
// counted as capacity; every other agent is foreign: reported (plan, status, log) and left alone.
// A name that looks like ours (`<prefix>-<suffix>`) proves nothing: people name agents that way.
import type { ForeignAgent } from './changes.ts';
import type { Manifest, ObservedPod, PoolAgent } from './observed.ts';
import { isPlaceholderAgent } from './placeholders.ts';
import { isPlaceholderNamed } from './podNames.ts';
import { compareStrings } from '../support/compare.ts';

export type AgentOwnership =
  /**
   * Shows the system capability AZDO_GITOPS_SPEC: its process ran with the env we render into
   * every pod (the agent publishes its env as system capabilities). Ours wherever it is.
   */
  | 'marked'
  /** Carries the user capability `azdo-gitops.placeholder`: a placeholder we registered. */
  | 'placeholder'
  /**
   * No marker visible, yet a manifest in git names it (same pool) and the cluster shows that pod
   * under our manager label: a pod rendered before the marker existed, or an image whose agent
   * does not publish its env. The name is our pod's: new names avoid every registered agent, and
   * the pool holds one agent per name (our pods register with --replace). Holds only while both
   * are seen: with the manifest gone or the cluster not observed, such an agent is foreign.
   */
  | 'pod-bound'
  /**
   * None of the above: a person's agent (even one named like our pods, or `<prefix>-placeholder`),
   * the predecessor controller's, another tool's, or a pre-marker agent whose pod and manifest
   * are gone. Never disabled, unregistered, bound to a manifest or counted.
   */
  | 'foreign'
  /**
   * Its capabilities were not read (PoolAgent.capabilitiesRead false) and its name does not bind
   * it to our pod: ours or not, nothing was read that says. Left alone like a foreign agent, and
   * not reported as foreign. The pass reads the capabilities of every such agent before planning
   * (agentsNeedingCapabilities), so this is seen only for an agent removed or registered again
   * between its list and its read, or by a re-plan on a tip that moved since.
   */
  | 'unknown';

/** Our manifests' pod names the cluster shows, with their pools: the evidence for `pod-bound`. */
class PodBinding {
  readonly #manifestPool: Map<string, string>;
  readonly #podNames: Set<string>;
  constructor(manifests: readonly Manifest[], pods: readonly ObservedPod[] | undefined) {
    this.#manifestPool = new Map(manifests.map((m) => [m.podName.toLowerCase(), m.poolName.toLowerCase()]));
    this.#podNames = new Set((pods ?? []).map((p) => p.name.toLowerCase()));
  }

  binds(a: PoolAgent): boolean {
    const key = a.name.toLowerCase();
    return this.#manifestPool.get(key) === a.poolName.toLowerCase() && this.#podNames.has(key);
  }
}

/**
 * The listed agents whose capabilities a decision depends on, to be read before planning: every
 * agent with capabilities unread whose name does not bind it to a pod of ours (an orphan
 * candidate: ours only by its marker; or foreign), and every one named like a placeholder (the
 * placeholder capability decides it, and settles spec conflicts). Our running pods' agents are
 * pod-bound by name and need no read: in steady state that is nearly every agent.
 */
export function agentsNeedingCapabilities(agents: readonly PoolAgent[], manifests: readonly Manifest[], pods: readonly ObservedPod[] | undefined): PoolAgent[] {
  const binding = new PodBinding(manifests, pods);
  return agents.filter((a) => a.capabilitiesRead === false && (isPlaceholderNamed(a.name) || !binding.binds(a)));
}

export class Ownership {
  readonly #of = new Map<PoolAgent, AgentOwnership>();

  /** @param pods undefined when the cluster could not be observed (then nothing is pod-bound). */
  constructor(agents: readonly PoolAgent[], manifests: readonly Manifest[], pods: readonly ObservedPod[] | undefined) {
    const binding = new PodBinding(manifests, pods);
    for (const a of agents) {
      let o: AgentOwnership = 'foreign';
      if (a.capabilitiesRead === false) o = binding.binds(a) && !isPlaceholderNamed(a.name) ? 'pod-bound' : 'unknown';
      else if (isPlaceholderAgent(a)) o = 'placeholder';
      else if (a.specMarker !== undefined) o = 'marked';
      else if (binding.binds(a)) o = 'pod-bound';
      this.#of.set(a, o);
    }
  }

  of(agent: PoolAgent): AgentOwnership {
    return this.#of.get(agent) ?? 'foreign';
  }

  /** An agent of one of our pods (marked or pod-bound): may be bound to its manifest and removed. */
  isPodAgent(agent: PoolAgent): boolean {
    const o = this.of(agent);
    return o === 'marked' || o === 'pod-bound';
  }

  /** Agents nothing proves ours, sorted by pool, name, id: what plan and status report. */
  foreign(): ForeignAgent[] {
    const out: ForeignAgent[] = [];
    for (const [a, o] of this.#of) {
      if (o === 'foreign') out.push({ agentId: a.id, name: a.name, poolName: a.poolName, status: a.status, enabled: a.enabled });
    }
    return out.sort((x, y) => compareStrings(x.poolName, y.poolName) || compareStrings(x.name, y.name) || x.agentId - y.agentId);
  }
}


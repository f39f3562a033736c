// The safety rules a run must keep at every step, and what a healthy, quiet world must look like
// at the end. Each violation names its invariant and what broke it.
import type { Agent } from '../sandbox/azdo/state.ts';
import type { ClusterModel } from './clusterModel.ts';
import type { Commit, GitRemote } from './gitRemote.ts';
import type { ServiceModel } from './serviceModel.ts';
import { podOfPath, type SimSpec } from './specs.ts';

export const INVARIANTS = [
  'spec-cap',
  'global-cap',
  'busy-agent-removed',
  'busy-agent-unregistered',
  'unregistered-before-commit',
  'person-commit-lost',
  'removed-without-reading',
  'write-by-deposed-leader',
  'quiescence-manifests',
  'quiescence-orphan-agent',
  'quiescence-stuck-pod',
  'quiescence-job-waiting',
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

export interface Violation {
  readonly invariant: InvariantName;
  readonly at: number;
  readonly detail: string;
}

/** Reads of the pass in flight that the service answered readably (undefined: no pass running). */
export type PassReads = { readonly agentsRead: boolean; readonly jobsRead: boolean } | undefined;

export interface InvariantWorld {
  readonly remote: GitRemote;
  readonly svc: ServiceModel;
  readonly cluster: ClusterModel;
  /** Current specs (a person may change a standby). */
  readonly specs: ReadonlyMap<string, SimSpec>;
  readonly globalMaxAgents: number;
  readonly note: (line: string) => void;
  readonly now: () => number;
}

function podsOf(c: Commit): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of c.files.keys()) {
    const pod = podOfPath(p);
    if (pod) out.set(pod.pod, pod.spec);
  }
  return out;
}

export class Invariants {
  readonly violations: Violation[] = [];
  readonly #w: InvariantWorld;
  /** What people last wrote, path → content (null: deleted). */
  readonly #personFiles = new Map<string, string | null>();

  constructor(w: InvariantWorld) {
    this.#w = w;
  }

  #fail(invariant: InvariantName, detail: string): void {
    this.violations.push({ invariant, at: this.#w.now(), detail });
    this.#w.note(`VIOLATION ${invariant}: ${detail}`);
  }

  personCommitted(c: Commit): void {
    const parent = c.parent ? this.#w.remote.commits.get(c.parent) : undefined;
    for (const [p, v] of c.files) if (parent?.files.get(p) !== v) this.#personFiles.set(p, v);
    for (const p of parent?.files.keys() ?? []) if (!c.files.has(p)) this.#personFiles.set(p, null);
  }

  reconcilerPushed(c: Commit, pass: PassReads): void {
    const parent = this.#w.remote.commits.get(c.parent!)!;
    const before = podsOf(parent);
    const after = podsOf(c);
    // Caps: a commit that adds agents to a spec leaves it within maxAgents; one that adds any
    // agent leaves the total within MAX_AGENTS (a person lowering a cap may leave more standing).
    const count = (m: Map<string, string>, spec?: string) => [...m.values()].filter((s) => spec === undefined || s === spec).length;
    let added = 0;
    for (const [spec, def] of this.#w.specs) {
      const a = count(after, spec) - count(before, spec);
      const addedHere = [...after.keys()].filter((p) => !before.has(p) && after.get(p) === spec).length;
      added += addedHere;
      if (addedHere > 0 && count(after, spec) > def.maxAgents) this.#fail('spec-cap', `commit ${c.oid.slice(0, 12)} holds ${count(after, spec)} agents of ${spec} (maxAgents ${def.maxAgents}) after adding ${addedHere} (net ${a})`);
    }
    if (added > 0 && after.size > this.#w.globalMaxAgents) this.#fail('global-cap', `commit ${c.oid.slice(0, 12)} holds ${after.size} agents (MAX_AGENTS ${this.#w.globalMaxAgents}) after adding ${added}`);
    const removed = [...before.keys()].filter((p) => !after.has(p));
    for (const pod of removed) {
      const agent = this.#agentNamed(pod);
      // A pod whose container has exited runs nothing, whatever job its lost agent still holds
      // until the service abandons it: removing it interrupts no job.
      const phase = this.#w.cluster.pods.get(pod)?.phase;
      const exited = phase === 'Succeeded' || phase === 'Failed';
      if (agent?.assignedRequestId !== undefined && !exited) this.#fail('busy-agent-removed', `commit ${c.oid.slice(0, 12)} removes ${pod} while its agent runs job ${agent.assignedRequestId}`);
    }
    if (removed.length > 0 && pass && !(pass.agentsRead && pass.jobsRead)) {
      this.#fail('removed-without-reading', `commit ${c.oid.slice(0, 12)} removes ${removed.join(', ')} in a pass that could not read the ${pass.agentsRead ? 'job requests' : 'agents'}`);
    }
    for (const [p, v] of this.#personFiles) {
      if ((c.files.get(p) ?? null) !== v) this.#fail('person-commit-lost', `commit ${c.oid.slice(0, 12)} changes ${p}, which a person wrote last`);
    }
  }

  unregistering(agent: Agent, pass: PassReads): void {
    if (agent.assignedRequestId !== undefined) this.#fail('busy-agent-unregistered', `agent ${agent.name} is unregistered while it holds job ${agent.assignedRequestId}`);
    if (podsOf(this.#w.remote.tipCommit()).has(agent.name)) this.#fail('unregistered-before-commit', `agent ${agent.name} is unregistered while the remote still holds its manifest`);
    if (pass && !(pass.agentsRead && pass.jobsRead)) this.#fail('removed-without-reading', `agent ${agent.name} is unregistered in a pass that could not read the service`);
  }

  /**
   * A replica sends a write (an Azure DevOps write or a push) while the Lease, by its own record,
   * is another replica's: two leaders writing in overlapping terms. A write sent in time may still
   * land after the term ends (a slow call); git's fast-forward rule and the drain's re-read
   * answer for those, and the other invariants judge what they do.
   */
  writeSent(identity: string, what: string, holder: string | undefined): void {
    if (holder !== undefined && holder !== identity) this.#fail('write-by-deposed-leader', `${identity} sends ${what} while ${holder} holds the Lease`);
  }

  busyPodDeleted(pod: string, requestId: number): void {
    this.#fail('busy-agent-removed', `the syncer prunes pod ${pod} while its agent runs job ${requestId}`);
  }

  #agentNamed(name: string): Agent | undefined {
    for (const a of this.#w.svc.state.agents.values()) if (a.name === name) return a;
    return undefined;
  }

  /** A healthy world left alone long enough: standby only, nothing orphaned, stuck or waiting. */
  atQuiescence(names: { placeholderCapability: string; markerEnv: string }): void {
    const tip = podsOf(this.#w.remote.tipCommit());
    for (const [spec, def] of this.#w.specs) {
      const n = [...tip.values()].filter((s) => s === spec).length;
      if (n !== def.standby) this.#fail('quiescence-manifests', `${n} manifests of ${spec} at rest, standby is ${def.standby}`);
    }
    const pods = this.#w.cluster.pods;
    for (const a of this.#w.svc.state.agents.values()) {
      if (a.userCapabilities[names.placeholderCapability] !== undefined) continue;
      if (a.systemCapabilities[names.markerEnv] === undefined) continue;
      if (!tip.has(a.name) && !pods.has(a.name)) this.#fail('quiescence-orphan-agent', `agent ${a.name} is registered with neither manifest nor pod`);
    }
    for (const p of pods.values()) {
      if (p.phase !== 'Running' || p.deleting || !p.session) this.#fail('quiescence-stuck-pod', `pod ${p.name} is ${p.deleting ? 'deleting' : p.phase}${p.waitingReason ? ` (${p.waitingReason})` : ''}${p.session ? '' : ', no agent session'}`);
    }
    for (const j of this.#w.svc.jobs()) {
      if (j.assignTime === undefined && j.finishTime === undefined) this.#fail('quiescence-job-waiting', `job ${j.requestId} [${j.userDemands.join(', ')}] queued since ${new Date(j.queueTime).toISOString()} never started`);
    }
  }
}

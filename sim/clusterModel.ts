// The cluster in virtual time: a Flux-like syncer that applies the remote's agents/ directory
// with prune after a delay (and sooner when asked), a kubelet that starts, fails or cannot pull
// a pod, and in each running pod a `run.sh --once` agent that registers, opens a session, takes
// one job through the emulator's scheduler and exits. Watches drop: the reconciler's view of the
// pods then freezes until the relist.
import { parse as parseYaml } from 'yaml';
import type { ObservedPod, PodPhase, TerminatedContainer } from '../reconciler/plan/observed.ts';
import { isSpecError, parseManifest } from '../reconciler/manifests/parseManifest.ts';
import { agentContainerIndex } from '../reconciler/manifests/renderPod.ts';
import type { Session } from '../sandbox/azdo/state.ts';
import type { GitRemote } from './gitRemote.ts';
import type { Rng } from './random.ts';
import { registerAgent, type ServiceModel } from './serviceModel.ts';
import type { VirtualTime } from './virtualTime.ts';

export interface ClusterFaults {
  /** Per pod: the image never pulls (ErrImagePull). */
  readonly imagePull: number;
  /** Per pod: the container exits 1 before its agent registers. */
  readonly crash: number;
  /** Per minute: the pod watch drops for a while (the reconciler sees a frozen list). */
  readonly watchDrop: number;
}

export const NO_CLUSTER_FAULTS: ClusterFaults = { imagePull: 0, crash: 0, watchDrop: 0 };

export interface SimPod {
  readonly name: string;
  readonly specName: string | undefined;
  readonly poolName: string;
  readonly createdAt: number;
  readonly capabilities: Readonly<Record<string, string>>;
  phase: PodPhase;
  waitingReason: string | undefined;
  terminated: TerminatedContainer | undefined;
  deleting: boolean;
  session: Session | undefined;
  /** The one job this agent took. */
  jobId: number | undefined;
  startedAt: number | undefined;
  /** When the container ended or deletion began: the pod's agent-time ends here. */
  endedAt: number | undefined;
}

export interface ClusterTimings {
  readonly syncIntervalMs: readonly [number, number];
  readonly podStartMs: readonly [number, number];
  readonly registerMs: readonly [number, number];
}

export const DEFAULT_CLUSTER_TIMINGS: ClusterTimings = {
  syncIntervalMs: [30_000, 60_000],
  podStartMs: [3_000, 20_000],
  registerMs: [5_000, 25_000],
};

export class ClusterModel {
  readonly pods = new Map<string, SimPod>();
  /** Every pod ever created, gone ones included (the scoreboard's agent-minutes). */
  readonly history: SimPod[] = [];
  faults: ClusterFaults = NO_CLUSTER_FAULTS;
  podsStarted = 0;
  /** The agent's exit also removes its registration (the container script's cleanup trap), for controllers that never unregister. */
  unregisterOnExit = false;
  #nextPod = 0;
  /** A pod of ours finished (Succeeded or Failed): the reconciler's watcher triggers a pass. */
  onPodFinished: (name: string) => void = () => {};
  /** A pod is being deleted while its agent holds a job (the invariants judge it). */
  onBusyPodDeleted: (pod: SimPod, requestId: number) => void = () => {};
  readonly #vt: VirtualTime;
  readonly #rng: Rng;
  readonly #svc: ServiceModel;
  readonly #remote: GitRemote;
  readonly #agentsDir: string;
  readonly #timings: ClusterTimings;
  #frozen: ObservedPod[] | undefined;
  /** Pod files are write-once: each content is parsed once. */
  readonly #parsed = new Map<string, { podName: string; specName: string; poolName: string } | undefined>();
  #syncQueued = false;

  constructor(vt: VirtualTime, rng: Rng, svc: ServiceModel, remote: GitRemote, agentsDir: string, timings = DEFAULT_CLUSTER_TIMINGS) {
    this.#vt = vt;
    this.#rng = rng;
    this.#svc = svc;
    this.#remote = remote;
    this.#agentsDir = agentsDir.replace(/\/+$/, '');
    this.#timings = timings;
  }

  /** A controller that creates pods itself (a KEDA ScaledJob, the predecessor) rather than through git. */
  launch(specName: string, poolName: string, capabilities: Readonly<Record<string, string>>): SimPod {
    const name = `${specName}-${(++this.#nextPod).toString(36).padStart(5, '0')}`;
    return this.#createPod(name, specName, poolName, undefined, capabilities);
  }

  remove(name: string): void {
    const pod = this.pods.get(name);
    if (pod && !pod.deleting) this.#deletePod(pod);
  }

  start(opts: { syncer: boolean } = { syncer: true }): void {
    const syncLoop = () => {
      this.sync();
      this.#vt.at(this.#rng.int(...this.#timings.syncIntervalMs), 'syncer interval', syncLoop);
    };
    if (opts.syncer) this.#vt.at(this.#rng.int(0, 10_000), 'syncer interval', syncLoop);
    const agentLoop = () => {
      this.#agentsPoll();
      this.#vt.at(1000, 'agents poll', agentLoop);
    };
    this.#vt.at(1000, 'agents poll', agentLoop);
    // The service assigns queued jobs seconds apart, not at once: the reconciler may observe a
    // job pending while an idle agent could take it, and the service may then pick any such agent.
    const assignLoop = () => {
      this.#svc.scheduler.tick();
      this.#vt.at(this.#rng.int(1_000, 8_000), 'service assigns', assignLoop);
    };
    this.#vt.at(1000, 'service assigns', assignLoop);
    const watchLoop = () => {
      if (this.#frozen === undefined && this.#rng.chance(this.faults.watchDrop)) {
        this.#frozen = this.#observe();
        this.#vt.at(this.#rng.int(5_000, 90_000), 'watch relist', () => (this.#frozen = undefined));
      }
      this.#vt.at(60_000, 'watch check', watchLoop);
    };
    this.#vt.at(60_000, 'watch check', watchLoop);
  }

  /** What the reconciler's pod watcher holds. */
  observedPods(): ObservedPod[] {
    return this.#frozen ?? this.#observe();
  }

  /** The sync requester's nudge: the GitOps tool syncs within seconds. */
  requestSync(): void {
    if (this.#syncQueued) return;
    this.#syncQueued = true;
    this.#vt.at(this.#rng.int(1_000, 5_000), 'syncer nudged', () => {
      this.#syncQueued = false;
      this.sync();
    });
  }

  #observe(): ObservedPod[] {
    return [...this.pods.values()].map((p) => ({
      name: p.name,
      phase: p.phase,
      createdAt: new Date(p.createdAt),
      waitingReason: p.waitingReason,
      terminated: p.terminated,
      unschedulable: false,
      deleting: p.deleting,
      specName: p.specName,
    }));
  }

  /** Applies agents/ at the remote's tip with prune (Flux's Kustomization, prune: true). */
  sync(): void {
    const files = this.#remote.tipCommit().files;
    const wanted = new Map<string, { specName: string; poolName: string; content: string }>();
    for (const [path, content] of files) {
      if (!path.startsWith(`${this.#agentsDir}/pods/`)) continue;
      const key = `${path}\0${content}`;
      if (!this.#parsed.has(key)) {
        const m = parseManifest(path, content);
        this.#parsed.set(key, isSpecError(m) ? undefined : { podName: m.podName, specName: m.specName, poolName: m.poolName });
      }
      const m = this.#parsed.get(key);
      if (m) wanted.set(m.podName, { specName: m.specName, poolName: m.poolName, content });
    }
    for (const [name, m] of wanted) {
      if (!this.pods.has(name)) this.#createPod(name, m.specName, m.poolName, m.content);
    }
    for (const pod of this.pods.values()) {
      if (!wanted.has(pod.name) && !pod.deleting) this.#deletePod(pod);
    }
  }

  #createPod(name: string, specName: string, poolName: string, content: string | undefined, caps?: Readonly<Record<string, string>>): SimPod {
    const pod: SimPod = {
      name, specName, poolName, createdAt: this.#vt.now(), capabilities: caps ?? envCapabilities(content ?? ''),
      phase: 'Pending', waitingReason: 'ContainerCreating', terminated: undefined, deleting: false,
      session: undefined, jobId: undefined, startedAt: undefined, endedAt: undefined,
    };
    this.pods.set(name, pod);
    this.history.push(pod);
    this.podsStarted++;
    this.#vt.at(this.#rng.int(...this.#timings.podStartMs), `kubelet starts ${name}`, () => {
      if (pod.deleting || !this.pods.has(name)) return;
      if (this.#rng.chance(this.faults.imagePull)) {
        pod.waitingReason = 'ErrImagePull';
        return;
      }
      pod.phase = 'Running';
      pod.waitingReason = undefined;
      pod.startedAt = this.#vt.now();
      if (this.#rng.chance(this.faults.crash)) {
        this.#vt.at(this.#rng.int(1_000, 10_000), `container of ${name} exits 1`, () => this.#exit(pod, 1));
        return;
      }
      this.#vt.at(this.#rng.int(...this.#timings.registerMs), `agent ${name} registers`, () => this.#register(pod));
    });
    return pod;
  }

  /** config.sh --replace, then run.sh --once: a session, one job. */
  #register(pod: SimPod): void {
    if (pod.deleting || pod.phase !== 'Running') return;
    const svc = this.#svc;
    const poolObj = svc.state.poolByName(pod.poolName);
    if (!poolObj) return this.#exit(pod, 1);
    const existing = svc.state.agentByName(poolObj.id, pod.name);
    const agent = existing ?? registerAgent(svc, poolObj.id, pod.name, pod.capabilities, {}, '4.260.0');
    if (existing) {
      existing.systemCapabilities = { ...pod.capabilities };
      existing.enabled = true;
    }
    const now = this.#vt.now();
    const session: Session = {
      sessionId: `session-${agent.id}-${now}`, poolId: poolObj.id, agentId: agent.id, ownerName: pod.name,
      createdAt: now, lastPollAt: now, waiters: new Set(),
    };
    svc.state.sessions.set(session.sessionId, session);
    pod.session = session;
    svc.scheduler.tick();
  }

  /** Every running agent polls once a second: takes its message, or exits after its job. */
  #agentsPoll(): void {
    const svc = this.#svc;
    for (const pod of this.pods.values()) {
      const s = pod.session;
      if (!s || pod.deleting) continue;
      s.lastPollAt = this.#vt.now();
      if (pod.jobId === undefined) {
        const msg = svc.state.sessions.has(s.sessionId) ? svc.scheduler.takeMessage(s) : undefined;
        if (msg) pod.jobId = (JSON.parse(msg.body) as { requestId: number }).requestId;
        continue;
      }
      const job = svc.state.jobs.get(pod.jobId);
      if (!job || job.finishTime !== undefined) this.#exit(pod, 0);
    }
  }

  #endSession(pod: SimPod): void {
    pod.endedAt ??= this.#vt.now();
    if (!pod.session) return;
    if (this.#svc.state.sessions.has(pod.session.sessionId)) this.#svc.scheduler.removeSession(pod.session);
    if (this.unregisterOnExit) {
      const agent = this.#svc.state.agents.get(pod.session.agentId);
      if (agent) this.#svc.scheduler.removeAgent(agent);
    }
    pod.session = undefined;
  }

  #exit(pod: SimPod, code: number): void {
    if (pod.phase === 'Succeeded' || pod.phase === 'Failed') return;
    this.#endSession(pod);
    pod.phase = code === 0 ? 'Succeeded' : 'Failed';
    pod.terminated = { container: 'agent', exitCode: code, reason: code === 0 ? 'Completed' : 'Error', message: undefined };
    if (!pod.deleting) this.onPodFinished(pod.name);
  }

  #deletePod(pod: SimPod): void {
    pod.deleting = true;
    const agent = pod.session ? this.#svc.state.agents.get(pod.session.agentId) : undefined;
    if (agent?.assignedRequestId !== undefined) this.onBusyPodDeleted(pod, agent.assignedRequestId);
    // SIGTERM: the agent process ends with the container; the service abandons a running job.
    this.#endSession(pod);
    this.#vt.at(this.#rng.int(1_000, 10_000), `pod ${pod.name} gone`, () => this.pods.delete(pod.name));
  }
}

/** What the agent reports as system capabilities: its container's literal env, less VSO_AGENT_IGNORE. */
function envCapabilities(content: string): Record<string, string> {
  const doc = parseYaml(content) as { spec?: { containers?: Array<Record<string, unknown>> } };
  const containers = doc.spec?.containers ?? [];
  const env = (containers[agentContainerIndex(containers)]?.['env'] ?? []) as Array<{ name: string; value?: string }>;
  const literal = env.filter((e) => typeof e.value === 'string');
  const ignore = new Set((literal.find((e) => e.name === 'VSO_AGENT_IGNORE')?.value ?? '').split(',').map((s) => s.trim()));
  const caps: Record<string, string> = {};
  for (const e of literal) if (!ignore.has(e.name)) caps[e.name] = e.value!;
  return caps;
}

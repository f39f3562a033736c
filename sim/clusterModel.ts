// The cluster in virtual time, run by the sandbox's own models: the Flux-like syncer's plan
// (sandbox/cluster/syncer/syncPlan.ts: whole-set dry-run, create / label patch, prune by
// inventory) applies agents/ at the remote's tip after a delay (and sooner when asked); the
// kubelet's lifecycle (sandbox/cluster/kubelet/podLifecycle.ts) moves each pod and writes the
// statuses the sandbox's kubelet writes; in each running pod a `run.sh --once` agent configured
// as the sandbox's agent simulator reads it (podAgentConfig.ts, envCapabilities.ts) registers,
// opens a session, takes one job through the emulator's scheduler and exits. The reconciler sees
// the pods through its own V1Pod reading (cluster/observedPod.ts). Watches drop: the
// reconciler's view of the pods then freezes until the relist. What stays the simulator's own:
// the timings and failures drawn from the seed, the kustomize subset (kustomizeBuild.ts), and
// the agent's calls made on the emulator's state rather than over HTTP.
import type { V1EnvVar, V1Pod } from '@kubernetes/client-node';
import { toObservedPod } from '../reconciler/cluster/observedPod.ts';
import { AGENT_IGNORE_ENV, SPEC_LABEL } from '../reconciler/manifests/labels.ts';
import type { ObservedPod, PodPhase, TerminatedContainer } from '../reconciler/plan/observed.ts';
import { agentSystemCapabilities, SIMULATED_AGENT_VERSION } from '../sandbox/cluster/agents/envCapabilities.ts';
import { agentConfigFromPod } from '../sandbox/cluster/agents/podAgentConfig.ts';
import { nextStep, oomKilledStatus, pullStep, startStep, stepStatus, succeededStatus, type KubeletNode, type KubeletTimings, type PodFate, type PodStep } from '../sandbox/cluster/kubelet/podLifecycle.ts';
import { objectId, refOf, type ManifestObject, type ObjectRef } from '../sandbox/cluster/syncer/objects.ts';
import { applySteps, desiredObjects, metadataPatch, pruneAction, pruneCandidates, replaceBody, type LiveRead, type SyncTarget } from '../sandbox/cluster/syncer/syncPlan.ts';
import type { Session } from '../sandbox/azdo/state.ts';
import type { GitRemote } from './gitRemote.ts';
import { KustomizeCache } from './kustomizeBuild.ts';
import type { Rng } from './random.ts';
import { registerAgent, type ServiceModel } from './serviceModel.ts';
import { NAMESPACE } from './specs.ts';
import type { VirtualTime } from './virtualTime.ts';

export interface ClusterFaults {
  /** Per pod: the image never pulls (ErrImagePull, then ImagePullBackOff). */
  readonly imagePull: number;
  /** Per pod: the container's entrypoint exits 1 when it starts (Failed, reason Error). */
  readonly crash: number;
  /** Per minute: the pod watch drops for a while (the reconciler sees a frozen list). */
  readonly watchDrop: number;
  /**
   * Per job: the kernel kills the agent's container while it runs the job (OOMKilled, the pod
   * Failed); the service keeps the job on the lost agent until its lock lapses (Scheduler.loseAgent).
   */
  readonly midJobKill?: number;
}

export const NO_CLUSTER_FAULTS: ClusterFaults = { imagePull: 0, crash: 0, watchDrop: 0 };

/** The syncer's name, as the sandbox's default: its Flux labels and inventory key. */
const SYNCER_NAME = 'azdo-gitops-agents';
/** The agent token Secret's value as the agent reads it: the simulator holds no Secrets. */
const SIM_SECRET_VALUE = 'sim-secret-value';
const NODE_IP = '10.0.0.10';

/** One pod: the object the API server would hold (manifest, the kubelet's status, deletion) and its agent. */
export class SimPod {
  readonly obj: V1Pod;
  readonly createdAt: number;
  session: Session | undefined = undefined;
  /** The one job this agent took. */
  jobId: number | undefined = undefined;
  startedAt: number | undefined = undefined;
  /** When the container ended or deletion began: the pod's agent-time ends here. */
  endedAt: number | undefined = undefined;

  constructor(obj: V1Pod, createdAt: number) {
    this.obj = obj;
    this.createdAt = createdAt;
  }

  get name(): string {
    return this.obj.metadata!.name!;
  }

  get specName(): string | undefined {
    return this.obj.metadata?.labels?.[SPEC_LABEL];
  }

  get phase(): PodPhase {
    return (this.obj.status?.phase as PodPhase | undefined) ?? 'Pending';
  }

  get deleting(): boolean {
    return this.obj.metadata?.deletionTimestamp !== undefined;
  }

  /** What the reconciler's pod watcher makes of it. */
  observed(): ObservedPod {
    return toObservedPod(this.obj);
  }

  get waitingReason(): string | undefined {
    return this.observed().waitingReason;
  }

  get terminated(): TerminatedContainer | undefined {
    return this.observed().terminated;
  }
}

export interface ClusterTimings {
  readonly syncIntervalMs: readonly [number, number];
  readonly podStartMs: readonly [number, number];
  readonly imagePullBackOffMs: readonly [number, number];
  readonly podDeletionMs: readonly [number, number];
  readonly registerMs: readonly [number, number];
}

export const DEFAULT_CLUSTER_TIMINGS: ClusterTimings = {
  syncIntervalMs: [30_000, 60_000],
  podStartMs: [3_000, 20_000],
  imagePullBackOffMs: [5_000, 20_000],
  podDeletionMs: [1_000, 10_000],
  registerMs: [5_000, 25_000],
};

/** Time as the API server writes it (RFC 3339, whole seconds). */
function apiTime(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

export class ClusterModel {
  readonly pods = new Map<string, SimPod>();
  /** Every pod ever created, gone ones included (the scoreboard's agent-minutes). */
  readonly history: SimPod[] = [];
  faults: ClusterFaults = NO_CLUSTER_FAULTS;
  podsStarted = 0;
  /** The agent's exit also removes its registration (the container script's cleanup trap), for controllers that never unregister. */
  unregisterOnExit = false;
  /** Why the last sync applied nothing (kustomize or dry-run failure), as the syncer's status says; undefined after a good one. */
  lastSyncError: string | undefined;
  #nextPod = 0;
  /** A pod of ours finished (Succeeded or Failed): the reconciler's watcher triggers a pass. */
  onPodFinished: (name: string) => void = () => {};
  /** A pod is being deleted while its agent holds a job (the invariants judge it). */
  onBusyPodDeleted: (pod: SimPod, requestId: number) => void = () => {};
  /** A sync applied nothing (kustomize or dry-run failure): the syncer's status shows it, pods stop changing. */
  onSyncFailed: (error: string) => void = () => {};
  readonly #vt: VirtualTime;
  readonly #rng: Rng;
  /** Which jobs' agents are killed: its own stream, so other draws keep their seeds' values. */
  readonly #killRng: Rng;
  readonly #svc: ServiceModel;
  readonly #remote: GitRemote;
  readonly #agentsDir: string;
  readonly #timings: ClusterTimings;
  readonly #target: SyncTarget = { namespace: NAMESPACE, name: SYNCER_NAME };
  /** Objects other than pods (the sentinel ConfigMap), by objectId. */
  readonly #objects = new Map<string, ManifestObject>();
  /** What the syncer applied last (its prune set). */
  #inventory: ObjectRef[] = [];
  readonly #kustomize = new KustomizeCache();
  #nextId = 0;
  readonly #node: KubeletNode = { hostIP: NODE_IP, newId: () => (++this.#nextId).toString(16).padStart(64, '0') };
  /** Each pod's kubelet timings, drawn when it was created. */
  readonly #podTimings = new WeakMap<SimPod, KubeletTimings>();
  #frozen: ObservedPod[] | undefined;
  #syncQueued = false;

  constructor(vt: VirtualTime, rng: Rng, svc: ServiceModel, remote: GitRemote, agentsDir: string, timings = DEFAULT_CLUSTER_TIMINGS) {
    this.#vt = vt;
    this.#rng = rng;
    this.#killRng = rng.split('mid-job-kills');
    this.#svc = svc;
    this.#remote = remote;
    this.#agentsDir = agentsDir.replace(/\/+$/, '');
    this.#timings = timings;
  }

  /**
   * A controller that creates pods itself (a KEDA ScaledJob, the predecessor) rather than through
   * git: the agent container's env says the pool and the capabilities, as a rendered pod's does.
   */
  launch(specName: string, poolName: string, capabilities: Readonly<Record<string, string>>): SimPod {
    const name = `${specName}-${(++this.#nextPod).toString(36).padStart(5, '0')}`;
    const env: V1EnvVar[] = [
      { name: 'AZP_URL', value: 'http://service.invalid/org' },
      { name: 'AZP_POOL', value: poolName },
      { name: 'AZP_AGENT_NAME', value: name },
      { name: 'AZP_TOKEN', valueFrom: { secretKeyRef: { name: 'azdo-agent-token', key: 'token' } } },
      { name: AGENT_IGNORE_ENV, value: 'AZP_TOKEN' },
      ...Object.entries(capabilities).map(([k, v]) => ({ name: k, value: v })),
    ];
    return this.#createPod({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NAMESPACE, labels: { [SPEC_LABEL]: specName } },
      spec: { restartPolicy: 'Never', containers: [{ name: 'agent', image: 'registry.example.com/azure-pipelines-agent:ubuntu-24.04', env }] },
    });
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
    return [...this.pods.values()].map((p) => p.observed());
  }

  #live(ref: ObjectRef): ManifestObject | null {
    if (ref.kind === 'Pod') {
      const pod = ref.namespace === NAMESPACE ? this.pods.get(ref.name) : undefined;
      return pod ? (pod.obj as unknown as ManifestObject) : null;
    }
    return this.#objects.get(objectId(ref)) ?? null;
  }

  /** One sync of agents/ at the remote's tip, as the sandbox's syncer does it (Flux's Kustomization, prune: true). */
  sync(): void {
    const { namespace } = this.#target;
    let docs: unknown[];
    try {
      docs = this.#kustomize.build(this.#remote.tipCommit().files, this.#agentsDir);
    } catch (err) {
      return this.#syncFailed(err instanceof Error ? err.message : String(err));
    }
    const { desired, failures } = desiredObjects(docs, this.#target);
    const live = new Map<string, LiveRead>(desired.map((o) => [objectId(refOf(o, namespace)), { object: this.#live(refOf(o, namespace)) }]));
    const { steps, failures: conflicts } = failures.length ? { steps: [], failures } : applySteps(desired, live, namespace);
    if (conflicts.length) return this.#syncFailed(`dry-run failed: ${conflicts.join('; ')}`);
    const applied: ObjectRef[] = [];
    for (const s of steps) {
      const ref = refOf(s.obj, namespace);
      if (s.kind === 'create') {
        if (s.obj.kind === 'Pod') this.#createPod(s.obj as unknown as V1Pod);
        else this.#objects.set(objectId(ref), s.obj);
      } else if (s.kind === 'patch-metadata') {
        const patch = metadataPatch(s.obj, namespace).metadata;
        const meta = s.live!.metadata;
        meta.labels = { ...(meta.labels ?? {}), ...patch.labels };
        meta.annotations = { ...(meta.annotations ?? {}), ...patch.annotations };
      } else if (s.kind === 'replace') this.#objects.set(objectId(ref), replaceBody(s));
      applied.push(ref);
    }
    for (const ref of pruneCandidates(this.#inventory, applied)) {
      const live = this.#live(ref);
      if (pruneAction(live) !== 'delete') continue;
      if (ref.kind === 'Pod') this.#deletePod(this.pods.get(ref.name)!);
      else this.#objects.delete(objectId(ref));
    }
    this.#inventory = applied;
    this.lastSyncError = undefined;
  }

  #syncFailed(error: string): void {
    this.lastSyncError = error;
    this.onSyncFailed(error);
  }

  /** The kubelet's timings for one pod, drawn from the seed. */
  #kubeletTimings(): KubeletTimings {
    const t = this.#timings;
    return { startDelayMs: this.#rng.int(...t.podStartMs), imagePullBackOffMs: this.#rng.int(...t.imagePullBackOffMs), configRetryMs: 1000, deletionMs: this.#rng.int(...t.podDeletionMs) };
  }

  #createPod(manifest: V1Pod): SimPod {
    const now = this.#vt.now();
    const obj: V1Pod = JSON.parse(JSON.stringify(manifest)) as V1Pod;
    obj.metadata = { ...obj.metadata, creationTimestamp: apiTime(now) };
    // As the API server stores a new pod, before the kubelet's first status.
    obj.status = { phase: 'Pending' };
    const pod = new SimPod(obj, now);
    const name = pod.name;
    this.pods.set(name, pod);
    this.history.push(pod);
    this.podsStarted++;
    const timings = this.#kubeletTimings();
    this.#podTimings.set(pod, timings);
    const current = () => !pod.deleting && this.pods.get(name) === pod && pod.phase === 'Pending';
    const write = (step: PodStep, fate: PodFate) => {
      pod.obj.status = stepStatus(pod.obj, step, apiTime(this.#vt.now()), this.#node, fate);
    };
    this.#vt.at(timings.startDelayMs, `kubelet starts ${name}`, () => {
      if (!current()) return;
      // Which pods fail is the seed's; what the kubelet then does and writes is the sandbox's.
      const pullFails = this.#rng.chance(this.faults.imagePull);
      const crashes = !pullFails && this.#rng.chance(this.faults.crash);
      const fate: PodFate = { unpullable: () => pullFails, crashExitCode: () => (crashes ? 1 : undefined) };
      const pulled = pullStep(pod.obj, fate);
      if (pulled) {
        write(pulled, fate);
        this.#vt.at(nextStep(pulled, timings)!.afterMs, `kubelet backs off pulling for ${name}`, () => {
          if (current()) write({ kind: 'ImagePullBackOff' }, fate);
        });
        return;
      }
      // The simulator holds no Secrets or ConfigMaps: the token Secret always exists.
      const step = startStep(pod.obj, fate, undefined);
      write(step, fate);
      if (step.kind === 'Failed') return this.#finished(pod);
      pod.startedAt = this.#vt.now();
      this.#vt.at(this.#rng.int(...this.#timings.registerMs), `agent ${name} registers`, () => this.#register(pod));
    });
    return pod;
  }

  /**
   * config.sh --replace, then run.sh --once: a session, one job. Configured from the pod's env as
   * the sandbox's agent simulator is; a pod without an agent container runs on without one.
   */
  #register(pod: SimPod): void {
    if (pod.deleting || pod.phase !== 'Running') return;
    const cfg = agentConfigFromPod(pod.obj);
    if (!cfg) return;
    const svc = this.#svc;
    const poolObj = svc.state.poolByName(cfg.pool);
    if (!poolObj) {
      // The agent retries until the pool exists.
      this.#vt.at(this.#rng.int(...this.#timings.registerMs), `agent ${pod.name} registers`, () => this.#register(pod));
      return;
    }
    const env = new Map(cfg.env.map((e) => [e.name, 'value' in e ? e.value : SIM_SECRET_VALUE]));
    const capabilities = agentSystemCapabilities(env, cfg.agentName, pod.name);
    const existing = svc.state.agentByName(poolObj.id, cfg.agentName);
    // Replace keeps the agent's id and enabled flag; the rest comes from the new registration.
    const agent = existing ?? registerAgent(svc, poolObj.id, cfg.agentName, capabilities, {}, SIMULATED_AGENT_VERSION);
    if (existing) {
      existing.systemCapabilities = capabilities;
      existing.userCapabilities = {};
      existing.version = SIMULATED_AGENT_VERSION;
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
        if (msg) {
          pod.jobId = (JSON.parse(msg.body) as { requestId: number }).requestId;
          if (this.#killRng.chance(this.faults.midJobKill ?? 0)) {
            this.#vt.at(this.#killRng.int(2_000, 60_000), `the kernel kills ${pod.name}'s agent mid-job`, () => this.#killMidJob(pod));
          }
        }
        continue;
      }
      const job = svc.state.jobs.get(pod.jobId);
      if (!job || job.finishTime !== undefined) {
        // The session goes, the agent stays registered (offline); the container exits 0.
        this.#endSession(pod);
        pod.obj.status = succeededStatus(pod.obj, apiTime(this.#vt.now()));
        this.#finished(pod);
      }
    }
  }

  /** Out of memory: the container dies at once, the agent says nothing to the service. */
  #killMidJob(pod: SimPod): void {
    const s = pod.session;
    if (!s || pod.deleting || pod.phase !== 'Running') return;
    const job = pod.jobId === undefined ? undefined : this.#svc.state.jobs.get(pod.jobId);
    if (!job || job.finishTime !== undefined) return;
    const agent = this.#svc.state.agents.get(s.agentId);
    if (agent) this.#svc.scheduler.loseAgent(agent, this.#vt.now());
    pod.session = undefined;
    pod.endedAt ??= this.#vt.now();
    pod.obj.status = oomKilledStatus(pod.obj, apiTime(this.#vt.now()));
    this.#finished(pod);
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

  /** The container ended (Succeeded or Failed): the pod's agent-time ends and the reconciler's watcher hears of it. */
  #finished(pod: SimPod): void {
    this.#endSession(pod);
    if (!pod.deleting) this.onPodFinished(pod.name);
  }

  #deletePod(pod: SimPod): void {
    if (pod.deleting) return;
    pod.obj.metadata!.deletionTimestamp = apiTime(this.#vt.now());
    const agent = pod.session ? this.#svc.state.agents.get(pod.session.agentId) : undefined;
    if (agent?.assignedRequestId !== undefined) this.onBusyPodDeleted(pod, agent.assignedRequestId);
    // SIGTERM: the agent process ends with the container; the service abandons a running job.
    this.#endSession(pod);
    this.#vt.at(this.#podTimings.get(pod)!.deletionMs, `pod ${pod.name} gone`, () => {
      if (this.pods.get(pod.name) === pod) this.pods.delete(pod.name);
    });
  }
}

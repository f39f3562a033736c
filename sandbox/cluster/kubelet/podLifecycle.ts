/**
 * What a kubelet does with a pod, without I/O: the steps of a Pending pod in a kubelet's order
 * (image pull, then the container's configuration, then start), what follows each step and when,
 * and the status it writes for each, with the reasons and messages a kubelet over containerd
 * gives. The sandbox's kubelet (index.ts) runs it against the API server on wall-clock timers;
 * the simulator (sim/clusterModel.ts) runs it in virtual time. Time, the node's ids and which pods
 * fail are inputs: the sandbox takes the failures from its options, the simulator from its seed.
 */
import type { V1ContainerStatus, V1Pod, V1PodCondition, V1PodStatus } from '@kubernetes/client-node';

/** What the node does to one pod's containers. */
export interface PodFate {
  /** This image can never be pulled. */
  readonly unpullable: (image: string) => boolean;
  /** The exit code the pod's containers fail with when they start (a crashing entrypoint), or undefined when they run. */
  readonly crashExitCode: (images: readonly string[]) => number | undefined;
}

/** The node that runs the pod: its address and where container and image ids come from. */
export interface KubeletNode {
  readonly hostIP: string;
  /** 64 hex digits, a new one each call. */
  readonly newId: () => string;
}

export interface KubeletTimings {
  /** From a pod's creation to the kubelet's first status for it. */
  readonly startDelayMs: number;
  /** From ErrImagePull to ImagePullBackOff. */
  readonly imagePullBackOffMs: number;
  /** Between two attempts at a pod waiting in CreateContainerConfigError. */
  readonly configRetryMs: number;
  /** From the start of a graceful deletion to the kubelet's zero-grace delete. */
  readonly deletionMs: number;
}

/** The sandbox kubelet's defaults (runDelayMs 300, configRetryMs 1000). */
export function sandboxKubeletTimings(runDelayMs = 300, configRetryMs = 1000): KubeletTimings {
  return { startDelayMs: runDelayMs, imagePullBackOffMs: runDelayMs, configRetryMs, deletionMs: Math.min(runDelayMs, 100) };
}

/** One status a kubelet writes for a Pending pod. */
export type PodStep =
  | { readonly kind: 'ErrImagePull' }
  | { readonly kind: 'ImagePullBackOff' }
  | { readonly kind: 'CreateContainerConfigError'; readonly container: string; readonly message: string }
  | { readonly kind: 'Failed'; readonly exitCode: number }
  | { readonly kind: 'Running' };

/** A container whose configuration cannot be built (see containerConfig.ts), with the kubelet's message. */
export interface ConfigProblem {
  readonly container: string;
  readonly message: string;
}

export function imagesOf(pod: V1Pod): string[] {
  return (pod.spec?.containers ?? []).map((c) => c.image ?? '');
}

/**
 * The first step of a Pending pod: the image pull. ErrImagePull when an image cannot be pulled,
 * undefined when every image pulled: the kubelet then checks the configuration (startStep).
 */
export function pullStep(pod: V1Pod, fate: PodFate): PodStep | undefined {
  return imagesOf(pod).some((i) => fate.unpullable(i)) ? { kind: 'ErrImagePull' } : undefined;
}

/** Once the images pulled: a configuration problem waits (and is retried), else the containers start, run or crash. */
export function startStep(pod: V1Pod, fate: PodFate, configProblem: ConfigProblem | undefined): PodStep {
  if (configProblem) return { kind: 'CreateContainerConfigError', container: configProblem.container, message: configProblem.message };
  const exitCode = fate.crashExitCode(imagesOf(pod));
  return exitCode === undefined ? { kind: 'Running' } : { kind: 'Failed', exitCode };
}

/**
 * What follows a step, and when: ErrImagePull turns into ImagePullBackOff (which stays), a
 * configuration problem is tried again; Failed and Running are the kubelet's last word (the
 * agent ends a Running pod: succeededStatus).
 */
export function nextStep(step: PodStep, timings: KubeletTimings): { readonly afterMs: number; readonly next: 'ImagePullBackOff' | 'retry-start' } | undefined {
  if (step.kind === 'ErrImagePull') return { afterMs: timings.imagePullBackOffMs, next: 'ImagePullBackOff' };
  if (step.kind === 'CreateContainerConfigError') return { afterMs: timings.configRetryMs, next: 'retry-start' };
  return undefined;
}

/** The status the kubelet writes for a step. */
export function stepStatus(pod: V1Pod, step: PodStep, at: Date, node: KubeletNode, fate: PodFate): V1PodStatus {
  switch (step.kind) {
    case 'ErrImagePull':
    case 'ImagePullBackOff':
      return imagePullStatus(pod, at, node.hostIP, step.kind, fate.unpullable);
    case 'CreateContainerConfigError':
      return configErrorStatus(pod, at, node.hostIP, step);
    case 'Failed':
      return failedStatus(pod, at, node, step.exitCode);
    case 'Running':
      return runningStatus(pod, at, node);
  }
}

/** FNV-1a 32-bit hash of the pod name mapped to [0, 1): deterministic across runs. */
export function nameFraction(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 0x100000000;
}

export function failsByShare(name: string, failShare: number): boolean {
  return failShare > 0 && nameFraction(name) < failShare;
}

export function isUnpullable(image: string, unpullable: readonly string[]): boolean {
  return unpullable.some((u) => u !== '' && image.includes(u));
}

/** The exit code of an image whose entrypoint crashes, if it is one. */
export function crashExitCode(image: string, crashing: Readonly<Record<string, number>>): number | undefined {
  return Object.entries(crashing).find(([u]) => u !== '' && image.includes(u))?.[1];
}

/**
 * The sandbox kubelet's options as a pod's fate: unpullable and crashing images by substring, and
 * the failShare of pods, chosen by a hash of the name, failing with exit code 1.
 */
export function fateFromOptions(
  podName: string,
  opts: { readonly unpullableImages?: readonly string[]; readonly crashingImages?: Readonly<Record<string, number>>; readonly failShare?: number },
): PodFate {
  const unpullable = opts.unpullableImages ?? [];
  const crashing = opts.crashingImages ?? {};
  return {
    unpullable: (image) => isUnpullable(image, unpullable),
    crashExitCode: (images) => images.map((i) => crashExitCode(i, crashing)).find((c) => c !== undefined) ?? (failsByShare(podName, opts.failShare ?? 0) ? 1 : undefined),
  };
}

/**
 * An image reference as containerd names it: `agent:1` → `docker.io/library/agent:1`, a
 * missing tag → `:latest`.
 */
export function fullImageRef(image: string): string {
  const slash = image.indexOf('/');
  const first = slash < 0 ? '' : image.slice(0, slash);
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const named = hasRegistry ? image : `docker.io/${slash < 0 ? 'library/' : ''}${image}`;
  const lastPart = named.slice(named.lastIndexOf('/') + 1);
  return lastPart.includes(':') || lastPart.includes('@') ? named : `${named}:latest`;
}

/** The image as the kubelet names it in messages: the spec's image with the default tag applied. */
function withDefaultTag(image: string): string {
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  return lastPart.includes(':') || lastPart.includes('@') ? image : `${image}:latest`;
}

function podIpFor(name: string): string {
  const n = Math.floor(nameFraction(name) * 65000) + 2;
  return `10.244.${(n >> 8) & 255}.${n & 255 || 1}`;
}

function condition(type: string, status: 'True' | 'False', at: Date, reason?: string): V1PodCondition {
  return { type, status, lastProbeTime: null as unknown as undefined, lastTransitionTime: at, ...(reason ? { reason } : {}) };
}

/** What every status the kubelet writes shares: addresses, start time, QoS and the five conditions. */
function podStatus(
  pod: V1Pod,
  at: Date,
  hostIP: string,
  phase: 'Running' | 'Pending' | 'Failed',
  notReady: string | undefined,
  containerStatuses: V1ContainerStatus[],
): V1PodStatus {
  const podIP = podIpFor(pod.metadata?.name ?? '');
  const ready = notReady === undefined ? 'True' : 'False';
  return {
    phase,
    hostIP,
    hostIPs: [{ ip: hostIP }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: at,
    qosClass: 'BestEffort',
    conditions: [
      condition('PodReadyToStartContainers', phase === 'Failed' ? 'False' : 'True', at),
      condition('Initialized', 'True', at),
      condition('Ready', ready, at, notReady),
      condition('ContainersReady', ready, at, notReady),
      condition('PodScheduled', 'True', at),
    ],
    containerStatuses,
  };
}

function startedContainer(image: string, node: KubeletNode): Pick<V1ContainerStatus, 'image' | 'imageID' | 'containerID' | 'restartCount'> {
  return { image, imageID: `${image}@sha256:${node.newId()}`, containerID: `containerd://${node.newId()}`, restartCount: 0 };
}

export function runningStatus(pod: V1Pod, at: Date, node: KubeletNode): V1PodStatus {
  return podStatus(
    pod,
    at,
    node.hostIP,
    'Running',
    undefined,
    (pod.spec?.containers ?? []).map<V1ContainerStatus>((c) => ({
      name: c.name,
      ...startedContainer(c.image ?? '', node),
      ready: true,
      started: true,
      state: { running: { startedAt: at } },
    })),
  );
}

export function imagePullStatus(pod: V1Pod, at: Date, hostIP: string, reason: 'ErrImagePull' | 'ImagePullBackOff', unpullable: (image: string) => boolean): V1PodStatus {
  // containerd's error as the kubelet passes it through (ErrImagePull), and the kubelet's own
  // back-off message (ImagePullBackOff).
  const waiting = (image: string) => {
    const ref = fullImageRef(image);
    return reason === 'ErrImagePull'
      ? `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`
      : `Back-off pulling image "${withDefaultTag(image)}"`;
  };
  return podStatus(
    pod,
    at,
    hostIP,
    'Pending',
    'ContainersNotReady',
    (pod.spec?.containers ?? []).map<V1ContainerStatus>((c) => {
      const image = c.image ?? '';
      return {
        name: c.name,
        image,
        imageID: '',
        ready: false,
        started: false,
        restartCount: 0,
        state: unpullable(image) ? { waiting: { reason, message: waiting(image) } } : { waiting: { reason: 'PodInitializing' } },
      };
    }),
  );
}

/**
 * The container whose configuration cannot be built waits with the kubelet's message; it was
 * never created, so it has no imageID. (The simulator starts a pod's containers all at once, so
 * the others wait in ContainerCreating; a kubelet would start them.)
 */
export function configErrorStatus(pod: V1Pod, at: Date, hostIP: string, failing: ConfigProblem): V1PodStatus {
  return podStatus(
    pod,
    at,
    hostIP,
    'Pending',
    'ContainersNotReady',
    (pod.spec?.containers ?? []).map<V1ContainerStatus>((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      ready: false,
      started: false,
      restartCount: 0,
      state: { waiting: c.name === failing.container ? { reason: 'CreateContainerConfigError', message: failing.message } : { reason: 'ContainerCreating' } },
    })),
  );
}

/** @param exitCode of the first container (a crashing entrypoint's); the others exit 1. */
export function failedStatus(pod: V1Pod, at: Date, node: KubeletNode, exitCode = 1): V1PodStatus {
  return podStatus(
    pod,
    at,
    node.hostIP,
    'Failed',
    'PodFailed',
    (pod.spec?.containers ?? []).map<V1ContainerStatus>((c, i) => {
      const started = startedContainer(c.image ?? '', node);
      const code = i === 0 ? exitCode : 1;
      return { name: c.name, ...started, ready: false, started: false, state: { terminated: { containerID: started.containerID, exitCode: code, reason: 'Error', startedAt: at, finishedAt: at } } };
    }),
  );
}

/** Succeeded status of a Running pod whose agent exited 0 (`--once` after one job). */
export function succeededStatus(pod: V1Pod, at: Date): V1PodStatus {
  return exitedStatus(pod, at, { phase: 'Succeeded', exitCode: 0, reason: 'Completed' });
}

/** Failed status of a Running pod whose agent the kernel killed (out of memory), mid-job or not. */
export function oomKilledStatus(pod: V1Pod, at: Date): V1PodStatus {
  return exitedStatus(pod, at, { phase: 'Failed', exitCode: 137, reason: 'OOMKilled' });
}

function exitedStatus(pod: V1Pod, at: Date, end: { phase: 'Succeeded' | 'Failed'; exitCode: number; reason: string }): V1PodStatus {
  const prev = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  const podReason = end.phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed';
  return {
    phase: end.phase,
    conditions: [
      { type: 'PodReadyToStartContainers', status: 'False', lastTransitionTime: at },
      { type: 'Initialized', status: 'True', lastTransitionTime: at, reason: 'PodCompleted' },
      { type: 'Ready', status: 'False', lastTransitionTime: at, reason: podReason },
      { type: 'ContainersReady', status: 'False', lastTransitionTime: at, reason: podReason },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: at },
    ],
    containerStatuses: (pod.spec?.containers ?? []).map<V1ContainerStatus>((c) => {
      const p = prev.get(c.name);
      return {
        name: c.name,
        image: p?.image ?? c.image ?? '',
        imageID: p?.imageID ?? '',
        ...(p?.containerID ? { containerID: p.containerID } : {}),
        ready: false,
        started: false,
        restartCount: p?.restartCount ?? 0,
        state: { terminated: { exitCode: end.exitCode, reason: end.reason, startedAt: p?.state?.running?.startedAt ?? pod.status?.startTime ?? at, finishedAt: at } },
      };
    }),
  };
}

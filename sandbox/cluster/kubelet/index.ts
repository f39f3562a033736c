/**
 * A kubelet simulator for the sandbox's API server: watches the namespace's pods and moves each
 * new Pending pod, after runDelayMs, to Running, to ImagePullBackOff (unpullable image) or to
 * Failed (the failShare of pods, chosen by a hash of the pod name). It never finishes a Running
 * pod: the agent simulator does. It also completes graceful deletions (a real kubelet confirms
 * them with a zero-grace delete). Uses only the Kubernetes API.
 */
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { V1ContainerStatus, V1Pod, V1PodCondition, V1PodStatus } from '@kubernetes/client-node';
import { watchPods } from './podInformer.ts';
import type { PodWatch } from './podInformer.ts';
import { k8sErrorMessage, k8sStatusCode, nowRfc3339, writePodStatus } from './podStatus.ts';

export interface KubeletOptions {
  kubeconfigPath: string;
  namespace: string;
  runDelayMs?: number;
  /** Image names or substrings that can never be pulled. */
  unpullableImages?: string[];
  /** Share (0..1) of pods that fail, chosen deterministically by pod name. */
  failShare?: number;
  nodeName?: string;
  log?: (line: string) => void;
}

export interface Kubelet {
  /** Pod names this kubelet moved, by outcome. */
  stats(): { running: number; imagePullBackOff: number; failed: number };
  close(): Promise<void>;
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

export function isUnpullable(image: string, unpullable: string[]): boolean {
  return unpullable.some((u) => u !== '' && image.includes(u));
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

function startedContainer(image: string): Pick<V1ContainerStatus, 'image' | 'imageID' | 'containerID' | 'restartCount'> {
  return {
    image,
    imageID: `${image}@sha256:${randomBytes(32).toString('hex')}`,
    containerID: `containerd://${randomBytes(32).toString('hex')}`,
    restartCount: 0,
  };
}

export function runningStatus(pod: V1Pod, at: Date, hostIP: string): V1PodStatus {
  return podStatus(
    pod,
    at,
    hostIP,
    'Running',
    undefined,
    (pod.spec?.containers ?? []).map<V1ContainerStatus>((c) => ({
      name: c.name,
      ...startedContainer(c.image ?? ''),
      ready: true,
      started: true,
      state: { running: { startedAt: at } },
    })),
  );
}

export function imagePullStatus(pod: V1Pod, at: Date, hostIP: string, reason: 'ErrImagePull' | 'ImagePullBackOff', unpullable: string[]): V1PodStatus {
  const waiting = (image: string) =>
    reason === 'ErrImagePull'
      ? `failed to pull and unpack image "${image}": failed to resolve reference "${image}": not found`
      : `Back-off pulling image "${image}"`;
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
        state: isUnpullable(image, unpullable) ? { waiting: { reason, message: waiting(image) } } : { waiting: { reason: 'PodInitializing' } },
      };
    }),
  );
}

export function failedStatus(pod: V1Pod, at: Date, hostIP: string): V1PodStatus {
  return podStatus(
    pod,
    at,
    hostIP,
    'Failed',
    'PodFailed',
    (pod.spec?.containers ?? []).map<V1ContainerStatus>((c) => ({
      name: c.name,
      ...startedContainer(c.image ?? ''),
      ready: false,
      started: false,
      state: { terminated: { exitCode: 1, reason: 'Error', startedAt: at, finishedAt: at } },
    })),
  );
}

export async function startKubelet(opts: KubeletOptions): Promise<Kubelet> {
  const kc = new KubeConfig();
  kc.loadFromFile(opts.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const ns = opts.namespace;
  const runDelayMs = opts.runDelayMs ?? 300;
  const unpullable = opts.unpullableImages ?? [];
  const failShare = opts.failShare ?? 0;
  const hostIP = '10.0.0.10';
  const log = (line: string) => opts.log?.(`[kubelet] ${line}`);
  const handled = new Set<string>();
  const deleting = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const counts = { running: 0, imagePullBackOff: 0, failed: 0 };
  let closed = false;

  const later = (fn: () => Promise<void>, ms: number) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn().catch((err: unknown) => log(`status update failed: ${k8sErrorMessage(err)}`));
    }, ms);
    timers.add(t);
  };

  async function current(name: string, uid: string): Promise<V1Pod | null> {
    try {
      const pod = await core.readNamespacedPod({ name, namespace: ns });
      return pod.metadata?.uid === uid && !pod.metadata?.deletionTimestamp ? pod : null;
    } catch (err) {
      if (k8sStatusCode(err) === 404) return null;
      throw err;
    }
  }

  async function start(name: string, uid: string): Promise<void> {
    const pod = await current(name, uid);
    if (!pod || (pod.status?.phase && pod.status.phase !== 'Pending')) return;
    const at = nowRfc3339();
    const images = (pod.spec?.containers ?? []).map((c) => c.image ?? '');
    if (images.some((i) => isUnpullable(i, unpullable))) {
      await writePodStatus(core, ns, name, imagePullStatus(pod, at, hostIP, 'ErrImagePull', unpullable));
      log(`${name}: ErrImagePull`);
      later(async () => {
        const p = await current(name, uid);
        if (!p || p.status?.phase !== 'Pending') return;
        await writePodStatus(core, ns, name, imagePullStatus(p, at, hostIP, 'ImagePullBackOff', unpullable));
        counts.imagePullBackOff++;
        log(`${name}: ImagePullBackOff`);
      }, runDelayMs);
    } else if (failsByShare(name, failShare)) {
      await writePodStatus(core, ns, name, failedStatus(pod, at, hostIP));
      counts.failed++;
      log(`${name}: Failed (exit code 1)`);
    } else {
      await writePodStatus(core, ns, name, runningStatus(pod, at, hostIP));
      counts.running++;
      log(`${name}: Running`);
    }
  }

  function onUpsert(pod: V1Pod): void {
    const name = pod.metadata?.name;
    const uid = pod.metadata?.uid;
    if (!name || !uid || closed) return;
    if (pod.metadata?.deletionTimestamp) {
      // Graceful deletion: the kubelet stops the containers, then confirms with a zero-grace delete.
      if (deleting.has(uid)) return;
      deleting.add(uid);
      later(async () => {
        try {
          await core.deleteNamespacedPod({ name, namespace: ns, gracePeriodSeconds: 0, body: { preconditions: { uid } } });
          log(`${name}: deleted (grace period over)`);
        } catch (err) {
          if (k8sStatusCode(err) !== 404 && k8sStatusCode(err) !== 409) throw err;
        }
      }, Math.min(runDelayMs, 100));
      return;
    }
    if (handled.has(uid)) return;
    const phase = pod.status?.phase;
    const progressed = (pod.status?.containerStatuses?.length ?? 0) > 0 || (phase !== undefined && phase !== 'Pending');
    if (progressed) {
      handled.add(uid);
      return;
    }
    handled.add(uid);
    // A failed status write (API server restarting, conflict) is retried a few times.
    const attempt = (n: number) =>
      later(async () => {
        try {
          await start(name, uid);
        } catch (err) {
          if (n >= 5) throw err;
          log(`${name}: status update failed (retrying): ${k8sErrorMessage(err)}`);
          attempt(n + 1);
        }
      }, runDelayMs * (n + 1));
    attempt(0);
  }

  function onDelete(pod: V1Pod): void {
    const uid = pod.metadata?.uid;
    if (uid) {
      handled.delete(uid);
      deleting.delete(uid);
    }
  }

  const watch: PodWatch = await watchPods(kc, ns, { onUpsert, onDelete }, log);
  return {
    stats: () => ({ ...counts }),
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await watch.stop();
    },
  };
}

/**
 * A kubelet simulator for the sandbox's API server: watches the namespace's pods and moves each
 * new Pending pod, after runDelayMs, the way a kubelet does: image pull first (an unpullable
 * image: ErrImagePull, then ImagePullBackOff), then the container's configuration (a Secret or
 * ConfigMap its env references is missing: CreateContainerConfigError with the API's message,
 * retried until it exists), then start (a crashing entrypoint, or the failShare of pods chosen by
 * a hash of the pod name: Failed with the container terminated, its exit code and reason Error;
 * else Running). It never finishes a Running pod: the agent simulator does. It also completes
 * graceful deletions (a real kubelet confirms them with a zero-grace delete). Uses only the
 * Kubernetes API.
 */
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { V1ContainerStatus, V1Pod, V1PodCondition, V1PodStatus } from '@kubernetes/client-node';
import { watchPods } from './podInformer.ts';
import type { PodWatch } from './podInformer.ts';
import { k8sErrorMessage, k8sStatusCode, nowRfc3339, writePodStatus } from './podStatus.ts';
import { containerConfigError, type ConfigLookup } from './containerConfig.ts';

export interface KubeletOptions {
  kubeconfigPath: string;
  namespace: string;
  runDelayMs?: number;
  /** Image names or substrings that can never be pulled. */
  unpullableImages?: string[];
  /** Share (0..1) of pods that fail, chosen deterministically by pod name. */
  failShare?: number;
  /** Image names or substrings whose entrypoint exits at once, with this exit code. */
  crashingImages?: Readonly<Record<string, number>>;
  /** How often a pod waiting in CreateContainerConfigError is retried (a kubelet re-syncs it). Default 1 s. */
  configRetryMs?: number;
  nodeName?: string;
  log?: (line: string) => void;
}

export interface Kubelet {
  /** Pod names this kubelet moved, by outcome. */
  stats(): { running: number; imagePullBackOff: number; failed: number; createContainerConfigError: number };
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

/** The exit code of an image whose entrypoint crashes, if it is one. */
export function crashExitCode(image: string, crashing: Readonly<Record<string, number>>): number | undefined {
  return Object.entries(crashing).find(([u]) => u !== '' && image.includes(u))?.[1];
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
        state: isUnpullable(image, unpullable) ? { waiting: { reason, message: waiting(image) } } : { waiting: { reason: 'PodInitializing' } },
      };
    }),
  );
}

/**
 * The container whose configuration cannot be built waits with the kubelet's message; it was
 * never created, so it has no imageID. (The simulator starts a pod's containers all at once, so
 * the others wait in ContainerCreating; a kubelet would start them.)
 */
export function configErrorStatus(pod: V1Pod, at: Date, hostIP: string, failing: { container: string; message: string }): V1PodStatus {
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

/** @param exitCode of the first container (a crashing entrypoint's); default 1. */
export function failedStatus(pod: V1Pod, at: Date, hostIP: string, exitCode = 1): V1PodStatus {
  return podStatus(
    pod,
    at,
    hostIP,
    'Failed',
    'PodFailed',
    (pod.spec?.containers ?? []).map<V1ContainerStatus>((c, i) => {
      const started = startedContainer(c.image ?? '');
      const code = i === 0 ? exitCode : 1;
      return { name: c.name, ...started, ready: false, started: false, state: { terminated: { containerID: started.containerID, exitCode: code, reason: 'Error', startedAt: at, finishedAt: at } } };
    }),
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
  const crashing = opts.crashingImages ?? {};
  const configRetryMs = opts.configRetryMs ?? 1000;
  const hostIP = '10.0.0.10';
  const log = (line: string) => opts.log?.(`[kubelet] ${line}`);
  const handled = new Set<string>();
  const deleting = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const counts = { running: 0, imagePullBackOff: 0, failed: 0, createContainerConfigError: 0 };
  /** Pods (uid) waiting in CreateContainerConfigError, with the message last written. */
  const configWaiting = new Map<string, string>();
  const keysOf = (data: Record<string, string> | undefined): ReadonlySet<string> => new Set(Object.keys(data ?? {}));
  const orUndefinedOn404 = async <T>(read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (err) {
      if (k8sStatusCode(err) === 404) return undefined;
      throw err;
    }
  };
  const lookup: ConfigLookup = {
    secretKeys: async (name) => {
      const s = await orUndefinedOn404(() => core.readNamespacedSecret({ name, namespace: ns }));
      return s && keysOf({ ...s.data, ...s.stringData });
    },
    configMapKeys: async (name) => {
      const m = await orUndefinedOn404(() => core.readNamespacedConfigMap({ name, namespace: ns }));
      return m && keysOf({ ...m.data, ...m.binaryData });
    },
  };
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

  /** Re-syncs a pod waiting for its configuration, whatever the outcome of one attempt. */
  function retryConfig(name: string, uid: string): void {
    later(async () => {
      try {
        await start(name, uid);
      } catch (err) {
        log(`${name}: sync failed (retrying): ${k8sErrorMessage(err)}`);
        retryConfig(name, uid);
      }
    }, configRetryMs);
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
        if (p?.status?.phase !== 'Pending') return;
        await writePodStatus(core, ns, name, imagePullStatus(p, at, hostIP, 'ImagePullBackOff', unpullable));
        counts.imagePullBackOff++;
        log(`${name}: ImagePullBackOff`);
      }, runDelayMs);
      return;
    }
    const configError = await containerConfigError(pod, ns, lookup);
    if (configError) {
      // The kubelet retries on its next sync of the pod: the container starts once the Secret exists.
      if (configWaiting.get(uid) !== configError.message) {
        await writePodStatus(core, ns, name, configErrorStatus(pod, at, hostIP, configError));
        if (!configWaiting.has(uid)) counts.createContainerConfigError++;
        configWaiting.set(uid, configError.message);
        log(`${name}: CreateContainerConfigError: ${configError.message}`);
      }
      retryConfig(name, uid);
      return;
    }
    configWaiting.delete(uid);
    const crashCode = images.map((i) => crashExitCode(i, crashing)).find((c) => c !== undefined);
    if (crashCode !== undefined || failsByShare(name, failShare)) {
      await writePodStatus(core, ns, name, failedStatus(pod, at, hostIP, crashCode ?? 1));
      counts.failed++;
      log(`${name}: Failed (exit code ${crashCode ?? 1})`);
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
      configWaiting.delete(uid);
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

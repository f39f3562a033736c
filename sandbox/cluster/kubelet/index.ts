/**
 * A kubelet simulator for the sandbox's API server: watches the namespace's pods and moves each
 * new Pending pod, after runDelayMs, the way a kubelet does: image pull first (an unpullable
 * image: ErrImagePull, then ImagePullBackOff), then the container's configuration (a Secret or
 * ConfigMap its env references is missing: CreateContainerConfigError with the API's message,
 * retried until it exists), then start (a crashing entrypoint, or the failShare of pods chosen by
 * a hash of the pod name: Failed with the container terminated, its exit code and reason Error;
 * else Running). It never finishes a Running pod: the agent simulator does. It also completes
 * graceful deletions (a real kubelet confirms them with a zero-grace delete). Uses only the
 * Kubernetes API. What happens to a pod, and the status written for it, is podLifecycle.ts (the
 * simulator runs the same in virtual time); this file does the watching, timing and writing.
 */
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { V1Pod, V1PodStatus } from '@kubernetes/client-node';
import { watchPods } from './podInformer.ts';
import type { PodWatch } from './podInformer.ts';
import { k8sErrorMessage, k8sStatusCode, nowRfc3339, writePodStatus } from './podStatus.ts';
import { containerConfigError, type ConfigLookup } from './containerConfig.ts';
import * as lifecycle from './podLifecycle.ts';
import { fateFromOptions, isUnpullable, nextStep, pullStep, sandboxKubeletTimings, startStep, stepStatus, type KubeletNode } from './podLifecycle.ts';

export { configErrorStatus, crashExitCode, failsByShare, fullImageRef, isUnpullable, nameFraction } from './podLifecycle.ts';

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

const randomId = (): string => randomBytes(32).toString('hex');
const nodeAt = (hostIP: string): KubeletNode => ({ hostIP, newId: randomId });

// The status bodies with the sandbox's node (random container ids), as its tests call them.
export function runningStatus(pod: V1Pod, at: Date, hostIP: string): V1PodStatus {
  return lifecycle.runningStatus(pod, at, nodeAt(hostIP));
}

export function imagePullStatus(pod: V1Pod, at: Date, hostIP: string, reason: 'ErrImagePull' | 'ImagePullBackOff', unpullable: string[]): V1PodStatus {
  return lifecycle.imagePullStatus(pod, at, hostIP, reason, (image) => isUnpullable(image, unpullable));
}

/** @param exitCode of the first container (a crashing entrypoint's); default 1. */
export function failedStatus(pod: V1Pod, at: Date, hostIP: string, exitCode = 1): V1PodStatus {
  return lifecycle.failedStatus(pod, at, nodeAt(hostIP), exitCode);
}

export async function startKubelet(opts: KubeletOptions): Promise<Kubelet> {
  const kc = new KubeConfig();
  kc.loadFromFile(opts.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const ns = opts.namespace;
  const timings = sandboxKubeletTimings(opts.runDelayMs ?? 300, opts.configRetryMs ?? 1000);
  const node = nodeAt('10.0.0.10');
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
    }, timings.configRetryMs);
  }

  async function start(name: string, uid: string): Promise<void> {
    const pod = await current(name, uid);
    if (!pod || (pod.status?.phase && pod.status.phase !== 'Pending')) return;
    const at = nowRfc3339();
    const fate = fateFromOptions(name, opts);
    const pulled = pullStep(pod, fate);
    if (pulled) {
      await writePodStatus(core, ns, name, stepStatus(pod, pulled, at, node, fate));
      log(`${name}: ${pulled.kind}`);
      later(async () => {
        const p = await current(name, uid);
        if (p?.status?.phase !== 'Pending') return;
        await writePodStatus(core, ns, name, stepStatus(p, { kind: 'ImagePullBackOff' }, at, node, fate));
        counts.imagePullBackOff++;
        log(`${name}: ImagePullBackOff`);
      }, nextStep(pulled, timings)!.afterMs);
      return;
    }
    const step = startStep(pod, fate, await containerConfigError(pod, ns, lookup));
    if (step.kind === 'CreateContainerConfigError') {
      // The kubelet retries on its next sync of the pod: the container starts once the Secret exists.
      if (configWaiting.get(uid) !== step.message) {
        await writePodStatus(core, ns, name, stepStatus(pod, step, at, node, fate));
        if (!configWaiting.has(uid)) counts.createContainerConfigError++;
        configWaiting.set(uid, step.message);
        log(`${name}: CreateContainerConfigError: ${step.message}`);
      }
      retryConfig(name, uid);
      return;
    }
    configWaiting.delete(uid);
    await writePodStatus(core, ns, name, stepStatus(pod, step, at, node, fate));
    if (step.kind === 'Failed') {
      counts.failed++;
      log(`${name}: Failed (exit code ${step.exitCode})`);
    } else {
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
      }, timings.deletionMs);
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
      }, timings.startDelayMs * (n + 1));
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

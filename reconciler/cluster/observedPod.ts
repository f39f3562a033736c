import type { ObservedPod, PodPhase, TerminatedContainer } from '../plan/observed.ts';
import { SPEC_LABEL } from '../manifests/labels.ts';

// The fields of a Pod the reconciler reads, as the API server sends them (timestamps as RFC 3339
// strings; a client-node V1Pod, with Dates, fits too). Anything else in the object is ignored.

interface ContainerState {
  readonly waiting?: { readonly reason?: string; readonly message?: string } | undefined;
  readonly terminated?: { readonly exitCode: number; readonly reason?: string; readonly message?: string } | undefined;
}
export interface WatchedContainerStatus {
  readonly name: string;
  readonly state?: ContainerState | undefined;
}
export interface WatchedPod {
  readonly metadata?: {
    readonly name?: string;
    readonly resourceVersion?: string;
    readonly creationTimestamp?: string | Date;
    readonly deletionTimestamp?: string | Date | null;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly status?: {
    readonly phase?: string;
    readonly reason?: string;
    readonly message?: string;
    readonly conditions?: readonly { readonly type: string; readonly status: string; readonly reason?: string }[];
    readonly initContainerStatuses?: readonly WatchedContainerStatus[];
    readonly containerStatuses?: readonly WatchedContainerStatus[];
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const optStr = (o: Obj, k: string): boolean => o[k] === undefined || typeof o[k] === 'string';
const objs = (v: unknown): boolean => v === undefined || (Array.isArray(v) && v.every(isObj));

/**
 * A Pod from the API server's JSON, or undefined when its shape is not a Pod's (the fields read
 * have the wrong types). Checked once here so nothing past it meets a surprise.
 */
export function asPod(v: unknown): WatchedPod | undefined {
  if (!isObj(v)) return undefined;
  const meta = v['metadata'];
  if (meta !== undefined) {
    if (!isObj(meta) || !optStr(meta, 'name') || !optStr(meta, 'resourceVersion') || !optStr(meta, 'creationTimestamp')) return undefined;
    if (meta['deletionTimestamp'] !== undefined && meta['deletionTimestamp'] !== null && typeof meta['deletionTimestamp'] !== 'string') return undefined;
    if (meta['labels'] !== undefined && !isObj(meta['labels'])) return undefined;
  }
  const status = v['status'];
  if (status !== undefined) {
    if (!isObj(status) || !optStr(status, 'phase') || !optStr(status, 'reason') || !optStr(status, 'message')) return undefined;
    if (!objs(status['conditions']) || !objs(status['initContainerStatuses']) || !objs(status['containerStatuses'])) return undefined;
    const statuses = [...((status['initContainerStatuses'] as Obj[] | undefined) ?? []), ...((status['containerStatuses'] as Obj[] | undefined) ?? [])];
    for (const c of statuses) {
      if (typeof c['name'] !== 'string' || (c['state'] !== undefined && !isObj(c['state']))) return undefined;
      const t = (c['state'] as Obj | undefined)?.['terminated'];
      if (t !== undefined && (!isObj(t) || typeof t['exitCode'] !== 'number')) return undefined;
    }
  }
  return slim(v as WatchedPod);
}

/**
 * Only the fields read: the watcher keeps a pod per agent, and the spec, volumes and managed
 * fields the API server sends are most of a pod's size (~3 KiB of heap each, held for its life).
 */
function slim(pod: WatchedPod): WatchedPod {
  const meta = pod.metadata;
  const status = pod.status;
  const container = (c: WatchedContainerStatus): WatchedContainerStatus => {
    const waiting = c.state?.waiting;
    const terminated = c.state?.terminated;
    return {
      name: c.name,
      state: c.state === undefined ? undefined : {
        waiting: waiting === undefined ? undefined : { reason: waiting.reason, message: waiting.message },
        terminated: terminated === undefined ? undefined : { exitCode: terminated.exitCode, reason: terminated.reason, message: terminated.message },
      },
    };
  };
  return {
    metadata: meta === undefined ? undefined : {
      name: meta.name,
      resourceVersion: meta.resourceVersion,
      creationTimestamp: meta.creationTimestamp,
      deletionTimestamp: meta.deletionTimestamp,
      labels: meta.labels?.[SPEC_LABEL] === undefined ? undefined : { [SPEC_LABEL]: meta.labels[SPEC_LABEL] },
    },
    status: status === undefined ? undefined : {
      phase: status.phase,
      reason: status.reason,
      message: status.message,
      conditions: status.conditions?.map((c) => ({ type: c.type, status: c.status, reason: c.reason })),
      initContainerStatuses: status.initContainerStatuses?.map(container),
      containerStatuses: status.containerStatuses?.map(container),
    },
  };
}

/** A PodList: its pods (those that are not Pods dropped) and resourceVersion. Throws when the body is no list. */
export function asPodList(v: unknown): { items: WatchedPod[]; resourceVersion: string | undefined } {
  if (!isObj(v) || !Array.isArray(v['items'])) throw new Error('the API server answered the pod list with no items');
  const rv = isObj(v['metadata']) ? v['metadata']['resourceVersion'] : undefined;
  const items: WatchedPod[] = [];
  for (const item of v['items']) {
    const pod = asPod(item);
    if (pod) items.push(pod);
  }
  return { items, resourceVersion: typeof rv === 'string' ? rv : undefined };
}

const PHASES: readonly PodPhase[] = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];

const nonEmpty = (s: string | undefined): string | undefined => (s === undefined || s === '' ? undefined : s);

/** A non-zero exit wins: it says why the pod failed; a zero exit (a sidecar that finished) says little. */
function terminatedOf(statuses: readonly WatchedContainerStatus[]): TerminatedContainer | undefined {
  const ended = statuses.filter((s) => s.state?.terminated !== undefined);
  const s = ended.find((c) => c.state!.terminated!.exitCode !== 0) ?? ended[0];
  const t = s?.state?.terminated;
  if (!s || !t) return undefined;
  return { container: s.name, exitCode: t.exitCode, reason: nonEmpty(t.reason), message: nonEmpty(t.message) };
}

/** A pod reduced to what plan() needs. */
export function toObservedPod(pod: WatchedPod): ObservedPod {
  const phase = PHASES.find((p) => p === pod.status?.phase) ?? 'Pending';
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const waiting = statuses.map((s) => s.state?.waiting).find((w) => nonEmpty(w?.reason) !== undefined);
  const unschedulable = (pod.status?.conditions ?? []).some(
    (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
  );
  const created = pod.metadata?.creationTimestamp;
  return {
    name: pod.metadata?.name ?? '',
    phase,
    createdAt: created instanceof Date ? created : new Date(created ?? 0),
    waitingReason: waiting?.reason,
    waitingMessage: nonEmpty(waiting?.message),
    terminated: terminatedOf(statuses),
    statusReason: nonEmpty(pod.status?.reason),
    statusMessage: nonEmpty(pod.status?.message),
    unschedulable,
    deleting: pod.metadata?.deletionTimestamp !== undefined && pod.metadata?.deletionTimestamp !== null,
    specName: pod.metadata?.labels?.[SPEC_LABEL],
  };
}

export function isFinished(pod: WatchedPod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

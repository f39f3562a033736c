import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { ObservedPod, PodPhase, TerminatedContainer } from '../plan/observed.ts';
import { SPEC_LABEL } from '../manifests/labels.ts';

const PHASES: readonly PodPhase[] = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];

const nonEmpty = (s: string | undefined): string | undefined => (s === undefined || s === '' ? undefined : s);

/** A non-zero exit wins: it says why the pod failed; a zero exit (a sidecar that finished) says little. */
function terminatedOf(statuses: readonly V1ContainerStatus[]): TerminatedContainer | undefined {
  const ended = statuses.filter((s) => s.state?.terminated !== undefined);
  const s = ended.find((c) => c.state!.terminated!.exitCode !== 0) ?? ended[0];
  const t = s?.state?.terminated;
  if (!s || !t) return undefined;
  return { container: s.name, exitCode: t.exitCode, reason: nonEmpty(t.reason), message: nonEmpty(t.message) };
}

/** A V1Pod reduced to what plan() needs. */
export function toObservedPod(pod: V1Pod): ObservedPod {
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

export function isFinished(pod: V1Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

import type { V1Pod } from '@kubernetes/client-node';
import type { ObservedPod, PodPhase } from '../plan/observed.ts';
import { SPEC_LABEL } from '../render/labels.ts';

const PHASES: readonly PodPhase[] = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];

/** A V1Pod reduced to what plan() needs. */
export function toObservedPod(pod: V1Pod): ObservedPod {
  const phase = PHASES.find((p) => p === pod.status?.phase) ?? 'Pending';
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const waitingReason = statuses.map((s) => s.state?.waiting?.reason).find((r) => r !== undefined && r !== '');
  const unschedulable = (pod.status?.conditions ?? []).some(
    (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
  );
  const created = pod.metadata?.creationTimestamp;
  return {
    name: pod.metadata?.name ?? '',
    phase,
    createdAt: created instanceof Date ? created : new Date(created ?? 0),
    waitingReason,
    unschedulable,
    deleting: pod.metadata?.deletionTimestamp !== undefined && pod.metadata?.deletionTimestamp !== null,
    specName: pod.metadata?.labels?.[SPEC_LABEL],
  };
}

export function isFinished(pod: V1Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

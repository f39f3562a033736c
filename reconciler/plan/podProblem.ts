// What a pod that will not become an agent says about itself, in the kubelet's own words.
import type { RemoveReason } from './changes.ts';
import type { ObservedPod } from './observed.ts';

/**
 * Waiting reasons a kubelet retry will not cure: the pod's own configuration is wrong (a missing
 * Secret/ConfigMap or key, an image name that does not parse, `imagePullPolicy: Never` without
 * the image, an image signature refused by policy, a container the runtime refuses to create).
 * A pod waiting with one of them is failing now, not at a deadline. (A registry that is down or a
 * rate limit shows as ErrImagePull/ImagePullBackOff/RegistryUnavailable: transient, judged by the
 * image-pull deadline. CreateContainerError is mostly a bad mount or command; its rare transient
 * form, a name still reserved by the runtime, costs one replacement pod and one backoff step.)
 */
export const NON_TRANSIENT_WAITING_REASONS: ReadonlySet<string> = new Set([
  'CreateContainerConfigError',
  'CreateContainerError',
  'InvalidImageName',
  'ErrImageNeverPull',
  'ImageInspectError',
  'SignatureValidationFailed',
]);

export function isNonTransientWaiting(pod: ObservedPod): boolean {
  return pod.waitingReason !== undefined && NON_TRANSIENT_WAITING_REASONS.has(pod.waitingReason);
}

const DEADLINE_WORDS: Readonly<Partial<Record<RemoveReason, string>>> = {
  'image-pull-deadline': 'image not pulled before the image-pull deadline',
  'unschedulable-deadline': 'not scheduled before the unschedulable deadline',
  'registration-deadline': 'agent not registered before the registration deadline',
  'sync-deadline': 'no pod appeared for the manifest before the sync deadline (is Flux/Argo CD syncing?)',
};

/**
 * One line saying why a pod failed: the container's exit code and reason, the waiting reason and
 * the kubelet's message (`CreateContainerConfigError: secret "azdo-agent-token" not found`), the
 * pod's own status reason (`Evicted: …`), else what the reconciler gave up waiting for.
 */
export function podProblem(pod: ObservedPod | undefined, removeReason: RemoveReason | undefined): string {
  const parts: string[] = [];
  const t = pod?.terminated;
  if (t && (pod?.phase === 'Failed' || t.exitCode !== 0)) {
    parts.push(`container ${t.container} exited with code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}${t.message ? `: ${t.message}` : ''}`);
  } else if (pod?.waitingReason !== undefined) {
    parts.push(pod.waitingMessage ? `${pod.waitingReason}: ${pod.waitingMessage}` : pod.waitingReason);
  }
  if (pod?.statusReason !== undefined || pod?.statusMessage !== undefined) {
    parts.push([pod.statusReason, pod.statusMessage].filter((x) => x !== undefined).join(': '));
  }
  if (parts.length === 0 && pod?.unschedulable) parts.push('Unschedulable');
  const deadline = removeReason !== undefined ? DEADLINE_WORDS[removeReason] : undefined;
  if (deadline !== undefined) parts.push(deadline);
  if (parts.length === 0) parts.push(pod?.phase === 'Failed' ? 'pod Failed without a container status' : (removeReason ?? 'unknown'));
  return parts.join('; ');
}

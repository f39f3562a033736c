// Defaults the real apiserver (defaulting + admission) fills in on pod create, limited to the
// fields consumers read: code that works against the sandbox then sees the same shape as on a
// real cluster (e.g. restartPolicy present even when the manifest omits it).
import type { KubeObject } from './store.ts';

export function defaultPod(pod: KubeObject): void {
  pod.spec ??= {};
  const spec = pod.spec;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  spec.priority ??= 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  spec.tolerations = withDefaultTolerations(spec.tolerations);
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) defaultContainer(c);
  // Status is owned by the kubelet: whatever the client sent is replaced.
  pod.status = { phase: 'Pending', qosClass: qosClass(spec.containers ?? []) };
}

function defaultContainer(c: KubeObject): void {
  if (!c || typeof c !== 'object') return;
  c.imagePullPolicy ??= pullPolicy(String(c.image ?? ''));
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  for (const p of c.ports ?? []) if (p && typeof p === 'object') p.protocol ??= 'TCP';
  for (const e of c.env ?? []) {
    const ref = e?.valueFrom?.fieldRef;
    if (ref) ref.apiVersion ??= 'v1';
  }
}

/** `:latest` or no tag pulls always; a pinned tag or digest pulls if not present. */
function pullPolicy(image: string): string {
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.split('/').pop() ?? '';
  const tag = last.includes(':') ? last.split(':').pop() : '';
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** The DefaultTolerationSeconds admission plugin's not-ready/unreachable tolerations. */
function withDefaultTolerations(existing: unknown): KubeObject[] {
  const list: KubeObject[] = Array.isArray(existing) ? existing : [];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    if (!list.some((t) => t?.key === key && (t.effect === 'NoExecute' || !t.effect))) {
      list.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
    }
  }
  return list;
}

function qosClass(containers: KubeObject[]): string {
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c?.resources?.requests ?? {};
    const lim = c?.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r]))) guaranteed = false;
    }
  }
  return !any ? 'BestEffort' : guaranteed ? 'Guaranteed' : 'Burstable';
}

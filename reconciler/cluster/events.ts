import type { CoreV1Event, V1ObjectReference } from '@kubernetes/client-node';
import type { KubeClient } from './kubeClient.ts';
import type { ManifestToRemove } from '../plan/changes.ts';
import { PASS_REQUEST_TIMEOUT_MS } from './requestTimeout.ts';
import type { SpecHold } from '../plan/podFailureBackoff.ts';
import { SPEC_LABEL } from '../manifests/labels.ts';

/** Annotations on a hold's Event, so tools can read the hold without parsing the message. */
export const HELD_UNTIL_ANNOTATION = 'azdo.gitops.dev/held-until';
export const HOLD_REASON = 'AgentSpecBackOff';

/** Reasons whose removal deserves a Warning event on the pod: a deadline gave up on it. */
const DEADLINE_REASONS: Readonly<Partial<Record<ManifestToRemove['reason'], { reason: string; what: string }>>> = {
  'image-pull-deadline': { reason: 'ImagePullDeadlineExceeded', what: 'its image could not be pulled' },
  'unschedulable-deadline': { reason: 'UnschedulableDeadlineExceeded', what: 'it could not be scheduled' },
  'registration-deadline': { reason: 'RegistrationDeadlineExceeded', what: 'its agent never registered in Azure DevOps' },
  'sync-deadline': { reason: 'SyncDeadlineExceeded', what: 'no pod appeared for its manifest (is Flux/Argo CD syncing the agents directory?)' },
};

/** An AgentSpec in the cluster an Event is about (the uid lets `kubectl describe agentspec` find it). */
export interface AgentSpecRef {
  readonly name: string;
  readonly uid: string;
}

export interface EventRecorder {
  /** Records why a stuck pod's manifest left git. Never throws; gives up after a few seconds. */
  stuckPodRemoved(removal: ManifestToRemove, commit: string): Promise<void>;
  /** Records that a spec is held back after a failing pod, with the pod's real reason. Never throws. */
  specHeld(hold: SpecHold): Promise<void>;
  /** An Event on an AgentSpec (scale-up, prune, back-off, spec error). Never throws. */
  onAgentSpec(spec: AgentSpecRef, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
}

export function createEventRecorder(kube: KubeClient, namespace: string, onError: (err: unknown) => void): EventRecorder {
  const record = async (
    involved: V1ObjectReference & { name: string },
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    extra: { related?: V1ObjectReference; annotations?: Record<string, string> } = {},
  ) => {
    const now = new Date();
    const body: CoreV1Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${involved.name}.`, namespace, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
      involvedObject: { ...involved, namespace },
      ...(extra.related ? { related: extra.related } : {}),
      reason,
      message,
      type,
      source: { component: 'azdo-gitops' },
      reportingComponent: 'azdo-gitops',
      reportingInstance: 'azdo-gitops',
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    try {
      await kube.request({ method: 'POST', path: `/api/v1/namespaces/${namespace}/events`, body, timeoutMs: PASS_REQUEST_TIMEOUT_MS });
    } catch (err) {
      onError(err);
    }
  };
  const warn = (podName: string, reason: string, message: string, extra: { related?: V1ObjectReference; annotations?: Record<string, string> } = {}) =>
    record({ apiVersion: 'v1', kind: 'Pod', name: podName }, 'Warning', reason, message, extra);
  return {
    async onAgentSpec(spec, type, reason, message) {
      await record({ apiVersion: 'azdo.gitops.dev/v1alpha1', kind: 'AgentSpec', name: spec.name, uid: spec.uid }, type, reason, message);
    },
    async stuckPodRemoved(r, commit) {
      const d = DEADLINE_REASONS[r.reason];
      if (!d) return;
      await warn(
        r.podName,
        d.reason,
        `Agent pod ${r.podName} (AgentSpec ${r.specName}) was given up on because ${d.what} before its deadline; its manifest was removed from git in ${commit.slice(0, 12)}.`,
      );
    },
    async specHeld(h) {
      const seconds = Math.round((h.until.getTime() - h.since.getTime()) / 1000);
      await warn(
        h.podName,
        HOLD_REASON,
        `AgentSpec ${h.specName}: pod ${h.podName} failed without running a job: ${h.reason}. No new pod of ${h.specName} until ${h.until.toISOString()} ` +
          `(${seconds} s after ${h.failures} consecutive failing pod${h.failures === 1 ? '' : 's'}; a pod that runs a job or a change to the spec ends the hold).`,
        {
          related: { apiVersion: 'azdo.gitops.dev/v1alpha1', kind: 'AgentSpec', name: h.specName },
          annotations: { [SPEC_LABEL]: h.specName, [HELD_UNTIL_ANNOTATION]: h.until.toISOString() },
        },
      );
    },
  };
}

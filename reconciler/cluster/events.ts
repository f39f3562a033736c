import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { ManifestToRemove } from '../plan/changes.ts';
import { PASS_REQUEST_TIMEOUT_MS, requestTimeout } from './requestTimeout.ts';

/** Reasons whose removal deserves a Warning event on the pod: a deadline gave up on it. */
const DEADLINE_REASONS: Readonly<Partial<Record<ManifestToRemove['reason'], { reason: string; what: string }>>> = {
  'image-pull-deadline': { reason: 'ImagePullDeadlineExceeded', what: 'its image could not be pulled' },
  'unschedulable-deadline': { reason: 'UnschedulableDeadlineExceeded', what: 'it could not be scheduled' },
  'registration-deadline': { reason: 'RegistrationDeadlineExceeded', what: 'its agent never registered in Azure DevOps' },
  'sync-deadline': { reason: 'SyncDeadlineExceeded', what: 'no pod appeared for its manifest (is Flux/Argo CD syncing the agents directory?)' },
};

export interface EventRecorder {
  /** Records why a stuck pod's manifest left git. Never throws; gives up after a few seconds. */
  stuckPodRemoved(removal: ManifestToRemove, commit: string): Promise<void>;
}

export function createEventRecorder(kc: KubeConfig, namespace: string, onError: (err: unknown) => void): EventRecorder {
  const core = kc.makeApiClient(CoreV1Api);
  return {
    async stuckPodRemoved(r, commit) {
      const d = DEADLINE_REASONS[r.reason];
      if (!d) return;
      const now = new Date();
      try {
        await core.createNamespacedEvent({
          namespace,
          body: {
            metadata: { generateName: `${r.podName}.`, namespace },
            involvedObject: { apiVersion: 'v1', kind: 'Pod', name: r.podName, namespace },
            reason: d.reason,
            message: `Agent pod ${r.podName} (AgentSpec ${r.specName}) was given up on because ${d.what} before its deadline; its manifest was removed from git in ${commit.slice(0, 12)}.`,
            type: 'Warning',
            source: { component: 'azdo-gitops' },
            reportingComponent: 'azdo-gitops',
            reportingInstance: 'azdo-gitops',
            firstTimestamp: now,
            lastTimestamp: now,
            count: 1,
          },
        }, requestTimeout(PASS_REQUEST_TIMEOUT_MS));
      } catch (err) {
        onError(err);
      }
    },
  };
}

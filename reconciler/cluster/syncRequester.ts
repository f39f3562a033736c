// Asks Flux or Argo CD to sync now instead of at their next poll, right after a push.
import type { SyncTarget } from '../config/syncTarget.ts';
import type { KubeClient } from './kubeClient.ts';
import { MERGE_PATCH, PASS_REQUEST_TIMEOUT_MS } from './requestTimeout.ts';

export interface SyncRequester {
  /** Never throws (gives up after a few seconds): a failed request only means the GitOps tool syncs at its own interval. */
  requestSync(now: Date): Promise<void>;
}

/**
 * Flux: the `reconcile.fluxcd.io/requestedAt` annotation on the GitRepository (what
 * `flux reconcile source git` sets). Argo CD: `argocd.argoproj.io/refresh: normal` on the Application.
 */
export function createSyncRequester(kube: KubeClient, target: SyncTarget, onError: (err: unknown) => void): SyncRequester {
  const resource = target.kind === 'flux' ? 'source.toolkit.fluxcd.io/v1/namespaces/{ns}/gitrepositories' : 'argoproj.io/v1alpha1/namespaces/{ns}/applications';
  const path = `/apis/${resource.replace('{ns}', target.namespace)}/${target.name}`;
  return {
    async requestSync(now) {
      const annotations =
        target.kind === 'flux' ? { 'reconcile.fluxcd.io/requestedAt': now.toISOString() } : { 'argocd.argoproj.io/refresh': 'normal' };
      try {
        await kube.request({ method: 'PATCH', path, body: { metadata: { annotations } }, contentType: MERGE_PATCH, timeoutMs: PASS_REQUEST_TIMEOUT_MS });
      } catch (err) {
        onError(err);
      }
    },
  };
}

// Asks Flux or Argo CD to sync now instead of at their next poll, right after a push.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { SyncTarget } from '../config/syncTarget.ts';
import { PASS_REQUEST_TIMEOUT_MS, requestTimeout } from './requestTimeout.ts';

export interface SyncRequester {
  /** Never throws (gives up after a few seconds): a failed request only means the GitOps tool syncs at its own interval. */
  requestSync(now: Date): Promise<void>;
}

/**
 * Flux: the `reconcile.fluxcd.io/requestedAt` annotation on the GitRepository (what
 * `flux reconcile source git` sets). Argo CD: `argocd.argoproj.io/refresh: normal` on the Application.
 */
export function createSyncRequester(kc: KubeConfig, target: SyncTarget, onError: (err: unknown) => void): SyncRequester {
  const api = kc.makeApiClient(CustomObjectsApi);
  const ref =
    target.kind === 'flux'
      ? { group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'gitrepositories' }
      : { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' };
  return {
    async requestSync(now) {
      const annotations =
        target.kind === 'flux' ? { 'reconcile.fluxcd.io/requestedAt': now.toISOString() } : { 'argocd.argoproj.io/refresh': 'normal' };
      try {
        await api.patchNamespacedCustomObject(
          { ...ref, namespace: target.namespace, name: target.name, body: { metadata: { annotations } } },
          requestTimeout(PASS_REQUEST_TIMEOUT_MS, undefined, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
        );
      } catch (err) {
        onError(err);
      }
    },
  };
}

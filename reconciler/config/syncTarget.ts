// SYNC_TARGET: the Flux GitRepository or Argo CD Application to nudge after a push
// (cluster/syncRequester.ts does the nudging).

export interface SyncTarget {
  readonly kind: 'flux' | 'argocd';
  readonly namespace: string;
  readonly name: string;
}

/** `flux:<namespace>/<name>` or `argocd:<namespace>/<name>`. */
export function parseSyncTarget(raw: string): SyncTarget | undefined {
  const m = /^(flux|argocd):([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(raw.trim());
  return m ? { kind: m[1] as SyncTarget['kind'], namespace: m[2]!, name: m[4]! } : undefined;
}

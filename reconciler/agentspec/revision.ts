// The revision of a spec: a short stable hash of everything that shapes its pods.
import type { Capability, PodTemplate, SecretKeyRef } from './agentSpec.ts';
import { formatCapability, sortCapabilities } from './capabilities.ts';
import { shortHash } from '../support/canonicalJson.ts';

export interface RevisionInput {
  readonly pool: string;
  readonly capabilities: readonly Capability[];
  readonly template: PodTemplate;
  readonly tokenSecretRef: SecretKeyRef;
  readonly namespace: string;
  readonly prefix: string;
}

/** sha256 hex (10 chars) of the canonical JSON of pool, capabilities, template, token ref, namespace, prefix. */
export function specRevision(r: RevisionInput): string {
  return shortHash({
    pool: r.pool,
    capabilities: sortCapabilities(r.capabilities).map(formatCapability),
    template: r.template,
    tokenSecretRef: { name: r.tokenSecretRef.name, key: r.tokenSecretRef.key },
    namespace: r.namespace,
    prefix: r.prefix,
  });
}

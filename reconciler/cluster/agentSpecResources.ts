// The AgentSpecs applied to the cluster (by the platform layer, from the same git as the
// reconciler reads): listed once a pass, and their `status` subresource patched. The spec is
// never written here: it comes from git. Status content is computed in plan/agentSpecStatus.ts.
import { ApiException, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { AgentSpecStatus } from '../plan/agentSpecStatus.ts';
import { PASS_REQUEST_TIMEOUT_MS, requestTimeout } from './requestTimeout.ts';

export const AGENT_SPEC_GROUP = 'azdo.gitops.dev';
export const AGENT_SPEC_VERSION = 'v1alpha1';
const REF = { group: AGENT_SPEC_GROUP, version: AGENT_SPEC_VERSION, plural: 'agentspecs' } as const;

/** One AgentSpec as the cluster holds it: what the status write needs. */
export interface ClusterAgentSpec {
  readonly name: string;
  readonly uid: string;
  /** The status the cluster holds now; undefined before the first write. */
  readonly status: Partial<AgentSpecStatus> | undefined;
}

/** The list's outcome: the CRD may be absent (the platform layer did not apply it), which is no failure. */
export type AgentSpecListing = { readonly kind: 'listed'; readonly items: readonly ClusterAgentSpec[] } | { readonly kind: 'no-crd' };

export interface AgentSpecResources {
  /** Throws on any failure but an absent CRD (404). Bounded in time. */
  list(): Promise<AgentSpecListing>;
  /** A merge patch of `status` only. Throws on failure (404 when the CR went away). Bounded in time. */
  patchStatus(name: string, status: AgentSpecStatus): Promise<void>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function createAgentSpecResources(kc: KubeConfig, namespace: string): AgentSpecResources {
  const api = kc.makeApiClient(CustomObjectsApi);
  return {
    async list() {
      let body: unknown;
      try {
        body = await api.listNamespacedCustomObject({ ...REF, namespace }, requestTimeout(PASS_REQUEST_TIMEOUT_MS));
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return { kind: 'no-crd' };
        throw err;
      }
      const items = isObject(body) && Array.isArray(body['items']) ? body['items'] : [];
      const specs: ClusterAgentSpec[] = [];
      for (const item of items) {
        if (!isObject(item) || !isObject(item['metadata'])) continue;
        const meta = item['metadata'];
        if (typeof meta['name'] !== 'string' || typeof meta['uid'] !== 'string') continue;
        const status = isObject(item['status']) ? (item['status'] as Partial<AgentSpecStatus>) : undefined;
        specs.push({ name: meta['name'], uid: meta['uid'], status });
      }
      return { kind: 'listed', items: specs };
    },
    async patchStatus(name, status) {
      await api.patchNamespacedCustomObjectStatus(
        { ...REF, namespace, name, body: { status } },
        requestTimeout(PASS_REQUEST_TIMEOUT_MS, undefined, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
      );
    },
  };
}

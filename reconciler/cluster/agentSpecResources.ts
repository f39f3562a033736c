// The AgentSpecs applied to the cluster (by the platform layer, from the same git as the
// reconciler reads): listed once a pass, and their `status` subresource patched. The spec is
// never written here: it comes from git. Status content is computed in plan/agentSpecStatus.ts.
import type { AgentSpecStatus } from '../plan/agentSpecStatus.ts';
import { KubeApiError } from './kubeApiError.ts';
import type { KubeClient } from './kubeClient.ts';
import { MERGE_PATCH, PASS_REQUEST_TIMEOUT_MS } from './requestTimeout.ts';

export const AGENT_SPEC_GROUP = 'azdo.gitops.dev';
export const AGENT_SPEC_VERSION = 'v1alpha1';

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

export function createAgentSpecResources(kube: KubeClient, namespace: string): AgentSpecResources {
  const path = `/apis/${AGENT_SPEC_GROUP}/${AGENT_SPEC_VERSION}/namespaces/${namespace}/agentspecs`;
  return {
    async list() {
      let body: unknown;
      try {
        body = await kube.request({ method: 'GET', path, timeoutMs: PASS_REQUEST_TIMEOUT_MS });
      } catch (err) {
        if (err instanceof KubeApiError && err.code === 404) return { kind: 'no-crd' };
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
      await kube.request({ method: 'PATCH', path: `${path}/${name}/status`, body: { status }, contentType: MERGE_PATCH, timeoutMs: PASS_REQUEST_TIMEOUT_MS });
    },
  };
}

// One agent pod manifest from a spec: deterministic YAML (same input → same bytes).
import type { AgentSpec } from '../spec/agentSpec.ts';
import { toLabelValue } from '../spec/dns1123.ts';
import {
  AGENT_CONTAINER, ARGO_IGNORE_HEALTH_ANNOTATION, CREATED_AT_ANNOTATION, JOB_REQUESTS_ANNOTATION,
  MANAGED_BY_LABEL, MANAGED_BY_VALUE, POOL_LABEL, REVISION_LABEL, SPEC_LABEL,
} from './labels.ts';
import { stableYaml } from './stableYaml.ts';

export interface RenderContext {
  readonly orgUrl: string;
  readonly createdAt: Date;
  readonly jobRequestIds: readonly number[];
}

type Env = Record<string, unknown> & { name: string };

/** The env the agent container gets: AZP_* (PAT only as secretKeyRef) + one var per capability. */
export function agentEnv(spec: AgentSpec, podName: string, orgUrl: string): Env[] {
  return [
    { name: 'AZP_URL', value: orgUrl },
    { name: 'AZP_POOL', value: spec.pool },
    { name: 'AZP_AGENT_NAME', value: podName },
    { name: 'AZP_TOKEN', valueFrom: { secretKeyRef: { name: spec.tokenSecretRef.name, key: spec.tokenSecretRef.key } } },
    ...spec.capabilities.map((c) => ({ name: c.name, value: c.value ?? 'true' })),
  ];
}

/** The index of the container that runs the agent: the one named `agent`, else the first. */
export function agentContainerIndex(containers: ReadonlyArray<Record<string, unknown>>): number {
  const i = containers.findIndex((c) => c['name'] === AGENT_CONTAINER);
  return i < 0 ? 0 : i;
}

export function podObject(spec: AgentSpec, podName: string, ctx: RenderContext): Record<string, unknown> {
  const tpl = structuredClone(spec.template);
  const labels: Record<string, string> = {
    ...(tpl.metadata?.labels ?? {}),
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [SPEC_LABEL]: spec.name,
    [REVISION_LABEL]: spec.revision,
    [POOL_LABEL]: toLabelValue(spec.pool),
  };
  const annotations: Record<string, string> = {
    ...(tpl.metadata?.annotations ?? {}),
    [CREATED_AT_ANNOTATION]: ctx.createdAt.toISOString(),
    [JOB_REQUESTS_ANNOTATION]: [...ctx.jobRequestIds].sort((a, b) => a - b).join(','),
    [ARGO_IGNORE_HEALTH_ANNOTATION]: 'true',
  };
  const podSpec = tpl.spec as Record<string, unknown> & { containers: Record<string, unknown>[] };
  const containers = podSpec.containers.map((c) => ({ ...c }));
  const idx = agentContainerIndex(containers);
  const agent = containers[idx]!;
  const ours = agentEnv(spec, podName, ctx.orgUrl);
  const ourNames = new Set(ours.map((e) => e.name.toUpperCase()));
  const kept = (Array.isArray(agent['env']) ? (agent['env'] as Env[]) : []).filter((e) => !ourNames.has(String(e.name).toUpperCase()));
  agent['env'] = [...kept, ...ours];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: podName, namespace: spec.namespace, labels, annotations },
    // Agents talk to Azure DevOps, not the Kubernetes API: no service account token unless the
    // template asks for one (automountServiceAccountToken: true).
    spec: { automountServiceAccountToken: false, ...podSpec, containers, restartPolicy: 'Never' },
  };
}

export function renderPod(spec: AgentSpec, podName: string, ctx: RenderContext): string {
  return stableYaml(podObject(spec, podName, ctx));
}

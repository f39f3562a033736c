// One agent pod manifest from a spec: deterministic YAML (same input → same bytes).
import type { AgentSpec } from '../agentspec/agentSpec.ts';
import { toLabelValue } from '../agentspec/dns1123.ts';
import {
  AGENT_CONTAINER, AGENT_IGNORE_ENV, ARGO_IGNORE_HEALTH_ANNOTATION, CREATED_AT_ANNOTATION, IGNORED_TOKEN_ENV, JOB_REQUESTS_ANNOTATION,
  MANAGED_BY_LABEL, MANAGED_BY_VALUE, POOL_LABEL, REVISION_LABEL, SPEC_LABEL, SPEC_MARKER_ENV,
} from './labels.ts';
import { stableYaml } from './stableYaml.ts';

export interface RenderContext {
  readonly orgUrl: string;
  readonly createdAt: Date;
  readonly jobRequestIds: readonly number[];
}

type Env = Record<string, unknown> & { name: string };

/**
 * VSO_AGENT_IGNORE for the agent container: the template's own entries first (kept), then the
 * token variables; never the marker, which must stay visible for the agent to count as ours.
 */
export function agentIgnoreList(templateValue: string | undefined): string {
  const marker = SPEC_MARKER_ENV.toLowerCase();
  const entries = (templateValue ?? '').split(',').map((e) => e.trim()).filter((e) => e !== '' && e.toLowerCase() !== marker);
  const out: string[] = [];
  for (const e of [...entries, ...IGNORED_TOKEN_ENV]) if (!out.includes(e)) out.push(e);
  return out.join(',');
}

/**
 * The env the agent container gets: AZP_* (PAT only as secretKeyRef), the ownership marker
 * AZDO_GITOPS_SPEC, VSO_AGENT_IGNORE (so no image publishes the PAT as a capability) and one
 * var per capability. @param templateIgnore the template's literal VSO_AGENT_IGNORE, merged in.
 */
export function agentEnv(spec: AgentSpec, podName: string, orgUrl: string, templateIgnore?: string): Env[] {
  return [
    { name: 'AZP_URL', value: orgUrl },
    { name: 'AZP_POOL', value: spec.pool },
    { name: 'AZP_AGENT_NAME', value: podName },
    { name: 'AZP_TOKEN', valueFrom: { secretKeyRef: { name: spec.tokenSecretRef.name, key: spec.tokenSecretRef.key } } },
    { name: SPEC_MARKER_ENV, value: spec.name },
    { name: AGENT_IGNORE_ENV, value: agentIgnoreList(templateIgnore) },
    ...spec.capabilities.map((c) => ({ name: c.name, value: c.value ?? 'true' })),
  ];
}

/** The index of the container that runs the agent: the one named `agent`, else the first. */
export function agentContainerIndex(containers: ReadonlyArray<Record<string, unknown>>): number {
  const i = containers.findIndex((c) => c['name'] === AGENT_CONTAINER);
  return Math.max(i, 0);
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
  const templateEnv = Array.isArray(agent['env']) ? (agent['env'] as Env[]) : [];
  const templateIgnore = templateEnv.find((e) => e.name === AGENT_IGNORE_ENV)?.['value'];
  const ours = agentEnv(spec, podName, ctx.orgUrl, typeof templateIgnore === 'string' ? templateIgnore : undefined);
  const ourNames = new Set(ours.map((e) => e.name.toUpperCase()));
  const kept = templateEnv.filter((e) => !ourNames.has(String(e.name).toUpperCase()));
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

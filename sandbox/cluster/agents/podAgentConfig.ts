import type { V1Pod } from '@kubernetes/client-node';

/** What the agent container of a pod says about the agent it runs (the Docker image conventions). */
export interface PodAgentConfig {
  containerName: string;
  /** Organization URL (`AZP_URL`). */
  orgUrl: string;
  pool: string;
  agentName: string;
  /** Where the PAT is: a Secret key (the rendered pods' only form) or a literal value. */
  token: { secretName: string; key: string } | { literal: string };
  /** Literal env vars other than the token, reported as system capabilities (as the real agent does). */
  capabilities: Record<string, string>;
}

const TOKEN_VARS = new Set(['AZP_TOKEN', 'AZP_TOKEN_FILE', 'VSTS_TOKEN']);

/**
 * The agent configuration of a pod, or null when it has no agent container (no container with
 * `AZP_URL`) or the container is incomplete (an `AZP_TOKEN` must exist). Pure.
 */
export function agentConfigFromPod(pod: V1Pod): PodAgentConfig | null {
  for (const c of pod.spec?.containers ?? []) {
    const env = c.env ?? [];
    const url = env.find((e) => e.name === 'AZP_URL');
    if (!url || typeof url.value !== 'string' || url.value === '') continue;
    const tokenVar = env.find((e) => e.name === 'AZP_TOKEN');
    let token: PodAgentConfig['token'] | null = null;
    const ref = tokenVar?.valueFrom?.secretKeyRef;
    if (ref?.name && ref.key) token = { secretName: ref.name, key: ref.key };
    else if (typeof tokenVar?.value === 'string' && tokenVar.value !== '') token = { literal: tokenVar.value };
    if (!token) return null;
    const capabilities: Record<string, string> = {};
    for (const e of env) {
      if (TOKEN_VARS.has(e.name) || e.valueFrom || typeof e.value !== 'string') continue;
      capabilities[e.name] = e.value;
    }
    const podName = pod.metadata?.name ?? '';
    return {
      containerName: c.name,
      orgUrl: url.value.replace(/\/+$/, ''),
      pool: env.find((e) => e.name === 'AZP_POOL')?.value || 'Default',
      agentName: env.find((e) => e.name === 'AZP_AGENT_NAME')?.value || podName,
      token,
      capabilities,
    };
  }
  return null;
}

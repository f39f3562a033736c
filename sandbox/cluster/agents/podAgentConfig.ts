import type { V1Pod } from '@kubernetes/client-node';

/** One env var of the agent container: a literal value or a Secret key (resolved when the agent starts). */
export type PodEnvVar =
  | { readonly name: string; readonly value: string }
  | { readonly name: string; readonly secretKeyRef: { readonly name: string; readonly key: string } };

/** What the agent container of a pod says about the agent it runs (the Docker image conventions). */
export interface PodAgentConfig {
  containerName: string;
  /** Organization URL (`AZP_URL`). */
  orgUrl: string;
  pool: string;
  agentName: string;
  /** Where the PAT is: a Secret key (the rendered pods' only form) or a literal value. */
  token: { secretName: string; key: string } | { literal: string };
  /**
   * The container's env as the agent process sees it, in order (a later entry wins), published
   * as system capabilities by envCapabilities.ts. Only literal values and Secret keys are
   * modelled; other sources (fieldRef, configMapKeyRef, envFrom) are left out.
   */
  env: PodEnvVar[];
}

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
    const vars: PodEnvVar[] = [];
    for (const e of env) {
      const secret = e.valueFrom?.secretKeyRef;
      if (secret?.name && secret.key) vars.push({ name: e.name, secretKeyRef: { name: secret.name, key: secret.key } });
      else if (!e.valueFrom) vars.push({ name: e.name, value: e.value ?? '' });
    }
    const podName = pod.metadata?.name ?? '';
    return {
      containerName: c.name,
      orgUrl: url.value.replace(/\/+$/, ''),
      pool: env.find((e) => e.name === 'AZP_POOL')?.value || 'Default',
      agentName: env.find((e) => e.name === 'AZP_AGENT_NAME')?.value || podName,
      token,
      env: vars,
    };
  }
  return null;
}

// What a kubelet checks before it creates a container: every Secret and ConfigMap the
// container's env and envFrom reference must exist (and hold the key), unless marked optional.
// Otherwise the container waits in CreateContainerConfigError with the kubelet's message, and
// the kubelet tries again on its next sync of the pod.
import type { V1Container, V1Pod } from '@kubernetes/client-node';

/** The keys of a Secret or ConfigMap, or undefined when it does not exist. */
export interface ConfigLookup {
  secretKeys(name: string): Promise<ReadonlySet<string> | undefined>;
  configMapKeys(name: string): Promise<ReadonlySet<string> | undefined>;
}

export interface ContainerConfigError {
  readonly container: string;
  /** The kubelet's message, e.g. `secret "azdo-agent-token" not found`. */
  readonly message: string;
}

async function firstProblem(c: V1Container, namespace: string, lookup: ConfigLookup): Promise<string | undefined> {
  // envFrom first, then env, as the kubelet builds the environment.
  for (const from of c.envFrom ?? []) {
    if (from.secretRef?.name && !from.secretRef.optional && (await lookup.secretKeys(from.secretRef.name)) === undefined) return `secret "${from.secretRef.name}" not found`;
    if (from.configMapRef?.name && !from.configMapRef.optional && (await lookup.configMapKeys(from.configMapRef.name)) === undefined) return `configmap "${from.configMapRef.name}" not found`;
  }
  for (const e of c.env ?? []) {
    const s = e.valueFrom?.secretKeyRef;
    if (s?.name && !s.optional) {
      const keys = await lookup.secretKeys(s.name);
      if (keys === undefined) return `secret "${s.name}" not found`;
      if (!keys.has(s.key)) return `couldn't find key ${s.key} in Secret ${namespace}/${s.name}`;
    }
    const m = e.valueFrom?.configMapKeyRef;
    if (m?.name && !m.optional) {
      const keys = await lookup.configMapKeys(m.name);
      if (keys === undefined) return `configmap "${m.name}" not found`;
      if (!keys.has(m.key)) return `couldn't find key ${m.key} in ConfigMap ${namespace}/${m.name}`;
    }
  }
  return undefined;
}

/** The first container (in start order) whose configuration cannot be built, with the kubelet's message. */
export async function containerConfigError(pod: V1Pod, namespace: string, lookup: ConfigLookup): Promise<ContainerConfigError | undefined> {
  for (const c of pod.spec?.containers ?? []) {
    const message = await firstProblem(c, namespace, lookup);
    if (message !== undefined) return { container: c.name, message };
  }
  return undefined;
}

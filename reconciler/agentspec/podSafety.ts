// Pod settings that are valid but give an agent (and every pipeline job it runs) power over the
// node or the cluster. They are warnings, not errors: some teams need them, knowingly. The
// `validate --strict` flag turns them into a failing exit code.
import type { PodTemplate } from './agentSpec.ts';
import { isObject } from '../support/guards.ts';

export interface PodWarning {
  readonly field: string;
  readonly message: string;
  readonly hint: string;
}

const HOST_FLAGS: ReadonlyArray<readonly [string, string]> = [
  ['hostNetwork', 'shares the node\'s network: jobs can reach node-local services and bind node ports'],
  ['hostPID', 'shares the node\'s process table: jobs can see and signal every process on the node'],
  ['hostIPC', 'shares the node\'s IPC namespace with every other pod on the node'],
];

/** Warnings for one resolved template; `field` is where the template sits in the spec. */
export function podSafetyWarnings(template: PodTemplate, field: string): PodWarning[] {
  const out: PodWarning[] = [];
  const spec = template.spec as Record<string, unknown>;
  const at = (f: string) => `${field}.spec.${f}`;
  for (const [flag, why] of HOST_FLAGS) {
    if (spec[flag] === true) out.push({ field: at(flag), message: `is true: the agent ${why}`, hint: `remove ${flag} unless the jobs truly need it` });
  }
  const volumes = Array.isArray(spec['volumes']) ? spec['volumes'] : [];
  volumes.forEach((v, i) => {
    if (isObject(v) && v['hostPath'] !== undefined) {
      out.push({ field: at(`volumes[${i}].hostPath`), message: 'mounts a directory of the node: jobs can read or change the node\'s files', hint: 'use an emptyDir or a PersistentVolumeClaim' });
    }
  });
  let anyContext = isObject(spec['securityContext']);
  for (const list of ['initContainers', 'containers'] as const) {
    const containers = Array.isArray(spec[list]) ? (spec[list] as unknown[]) : [];
    containers.forEach((c, i) => {
      if (!isObject(c) || !isObject(c['securityContext'])) return;
      anyContext = true;
      const sc = c['securityContext'];
      if (sc['privileged'] === true) {
        out.push({ field: at(`${list}[${i}].securityContext.privileged`), message: 'is true: the container has full access to the node', hint: 'remove privileged; for container builds use a rootless builder (buildkit rootless, kaniko)' });
      }
      if (sc['allowPrivilegeEscalation'] === true) {
        out.push({ field: at(`${list}[${i}].securityContext.allowPrivilegeEscalation`), message: 'is true: processes may gain more privileges than their parent', hint: 'set allowPrivilegeEscalation: false' });
      }
      const caps = isObject(sc['capabilities']) ? sc['capabilities']['add'] : undefined;
      if (Array.isArray(caps) && caps.length > 0) {
        out.push({ field: at(`${list}[${i}].securityContext.capabilities.add`), message: `adds Linux capabilities (${caps.map(String).join(', ')})`, hint: 'drop them unless the jobs need them; prefer capabilities: {drop: [ALL]}' });
      }
    });
  }
  if (!anyContext) {
    out.push({ field: `${field}.spec.securityContext`, message: 'is missing (on the pod and on every container): the agent runs with the image\'s defaults, often as root', hint: 'set securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}} and allowPrivilegeEscalation: false on the containers' });
  }
  return out;
}

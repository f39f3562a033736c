// Pod create/update validation as the apiserver words it. The update rule matters most: a
// controller that tries to "update" a pod's spec must get the same 422 it would get for real.
import { forbidden, notSupported, required, validateLabel } from './names.ts';
import type { StatusCause } from './status.ts';
import type { KubeObject } from './store.ts';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];

export function validatePodSpec(pod: KubeObject): StatusCause[] {
  const spec = pod.spec;
  const out: StatusCause[] = [];
  if (!spec || typeof spec !== 'object') return [required('spec')];
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) out.push(required('spec.containers'));
  (Array.isArray(spec.containers) ? spec.containers : []).forEach((c: KubeObject, i: number) => {
    const at = `spec.containers[${i}]`;
    if (!c || typeof c.name !== 'string' || c.name === '') out.push(required(`${at}.name`));
    else out.push(...validateLabel(`${at}.name`, c.name));
    if (!c || typeof c.image !== 'string' || c.image.trim() === '') out.push(required(`${at}.image`));
  });
  if (!RESTART_POLICIES.includes(spec.restartPolicy)) out.push(notSupported('spec.restartPolicy', spec.restartPolicy, RESTART_POLICIES));
  return out;
}

const UPDATABLE = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/**
 * The real rule: copy the updatable fields from the new spec onto the old one; if the result
 * still differs from the new spec, something else changed.
 */
export function validatePodSpecUpdate(oldSpec: KubeObject, newSpec: KubeObject): StatusCause[] {
  const munged = structuredClone(newSpec ?? {});
  const old = structuredClone(oldSpec ?? {});
  for (const field of ['containers', 'initContainers'] as const) {
    const oldList: KubeObject[] = old[field] ?? [];
    const newList: KubeObject[] = munged[field] ?? [];
    if (oldList.length === newList.length) newList.forEach((c, i) => { if (c && oldList[i]) c.image = oldList[i]!.image; });
  }
  const out: StatusCause[] = [];
  if (newSpec?.activeDeadlineSeconds !== undefined) {
    const n = newSpec.activeDeadlineSeconds;
    const o = oldSpec?.activeDeadlineSeconds;
    if (o !== undefined && (typeof n !== 'number' || n > o)) out.push(forbidden('spec.activeDeadlineSeconds', 'must be less than or equal to previous value'));
  }
  munged.activeDeadlineSeconds = old.activeDeadlineSeconds;
  if (munged.activeDeadlineSeconds === undefined) delete munged.activeDeadlineSeconds;
  const oldTol: KubeObject[] = old.tolerations ?? [];
  const newTol: KubeObject[] = munged.tolerations ?? [];
  if (oldTol.every((t) => newTol.some((n) => canonical(n) === canonical(t)))) {
    munged.tolerations = old.tolerations;
    if (munged.tolerations === undefined) delete munged.tolerations;
  }
  const diff = changedPaths(old, munged, 'spec');
  if (diff.length) {
    out.push(forbidden('spec', `pod updates may not change fields other than ${UPDATABLE.join(',')}\n  changed: ${diff.join(', ')}`));
  }
  return out;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as KubeObject)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** Dotted paths where two JSON values differ — the "diff" part of the real message, simplified. */
function changedPaths(a: unknown, b: unknown, at: string): string[] {
  if (canonical(a) === canonical(b)) return [];
  const bothObjects = a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b);
  if (!bothObjects) return [at];
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  const out: string[] = [];
  for (const k of keys) {
    const sub = Array.isArray(a) ? `${at}[${k}]` : `${at}.${k}`;
    out.push(...changedPaths((a as KubeObject)[k], (b as KubeObject)[k], sub));
  }
  return out;
}

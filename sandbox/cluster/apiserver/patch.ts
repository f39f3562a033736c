// The three patch formats kubectl and client-node send. Strategic merge is approximated as a
// JSON merge patch that merges the well-known keyed lists (containers by name, conditions by
// type, …) instead of replacing them — enough for the fields consumers patch.
import { badRequest, StatusError, unsupportedMediaType } from './status.ts';

export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';

/** List fields the real server merges by key under strategic merge patch. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name', initContainers: 'name', ephemeralContainers: 'name', env: 'name', volumes: 'name',
  imagePullSecrets: 'name', volumeMounts: 'mountPath', ports: 'containerPort', conditions: 'type',
  ownerReferences: 'uid', containerStatuses: 'name', initContainerStatuses: 'name',
};

export function applyPatch(contentType: string, target: unknown, patch: unknown): unknown {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === MERGE_PATCH) return mergePatch(target, patch);
  if (type === STRATEGIC_MERGE_PATCH) return strategicMerge(target, patch, undefined);
  if (type === JSON_PATCH) return jsonPatch(target, patch);
  throw unsupportedMediaType(type || '(none)');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function strategicMerge(target: unknown, patch: unknown, field: string | undefined): unknown {
  if (Array.isArray(patch)) {
    const mergeKey = field ? MERGE_KEYS[field] : undefined;
    if (!mergeKey || !Array.isArray(target) || !patch.every((p) => isObject(p) && mergeKey in p)) return structuredClone(patch);
    const out = target.map((t) => structuredClone(t));
    for (const p of patch as Record<string, unknown>[]) {
      const i = out.findIndex((t) => isObject(t) && t[mergeKey] === p[mergeKey]);
      if (p.$patch === 'delete') { if (i >= 0) out.splice(i, 1); continue; }
      if (i >= 0) out[i] = strategicMerge(out[i], p, undefined);
      else out.push(strategicMerge(undefined, p, undefined));
    }
    return out;
  }
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') return stripDirectives(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue; // directives this approximation does not implement
    if (v === null) delete out[k];
    else out[k] = strategicMerge(out[k], v, k);
  }
  return out;
}

function stripDirectives(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith('$')));
}

/** RFC 6902. A failed `test` or a missing path is 422 like the real server, bad ops 400. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('json patch must be an array of operations');
  let doc = structuredClone(target);
  for (const op of ops) {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string') throw badRequest(`invalid JSON patch operation: ${JSON.stringify(op)}`);
    switch (op.op) {
      case 'add': doc = put(doc, op.path, structuredClone(op.value), 'add'); break;
      case 'replace': doc = put(doc, op.path, structuredClone(op.value), 'replace'); break;
      case 'remove': doc = remove(doc, op.path); break;
      case 'move': { const v = get(doc, String(op.from)); doc = remove(doc, String(op.from)); doc = put(doc, op.path, v, 'add'); break; }
      case 'copy': doc = put(doc, op.path, structuredClone(get(doc, String(op.from))), 'add'); break;
      case 'test':
        if (JSON.stringify(get(doc, op.path)) !== JSON.stringify(op.value)) throw patchFailed(`testing value ${op.path} failed`);
        break;
      default: throw badRequest(`Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}

function patchFailed(msg: string): StatusError {
  return new StatusError(422, 'Invalid', msg);
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`invalid JSON pointer: ${path}`);
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function get(doc: unknown, path: string): unknown {
  let cur: any = doc;
  for (const seg of pointer(path)) {
    if (cur === null || typeof cur !== 'object' || !(seg in cur)) throw patchFailed(`doc is missing path: "${path}"`);
    cur = cur[seg];
  }
  return cur;
}

function parentOf(doc: unknown, path: string): { parent: any; key: string } {
  const segs = pointer(path);
  if (segs.length === 0) return { parent: undefined, key: '' };
  const key = segs.pop()!;
  const parent = segs.length ? get(doc, '/' + segs.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')) : doc;
  if (parent === null || typeof parent !== 'object') throw patchFailed(`doc is missing path: "${path}"`);
  return { parent, key };
}

function put(doc: unknown, path: string, value: unknown, mode: 'add' | 'replace'): unknown {
  if (path === '') return value;
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(i) || i < 0 || i > parent.length || (mode === 'replace' && i >= parent.length)) throw patchFailed(`index out of range: "${path}"`);
    if (mode === 'add') parent.splice(i, 0, value); else parent[i] = value;
  } else {
    if (mode === 'replace' && !(key in parent)) throw patchFailed(`doc is missing key: "${path}"`);
    parent[key] = value;
  }
  return doc;
}

function remove(doc: unknown, path: string): unknown {
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!Number.isInteger(i) || i < 0 || i >= parent.length) throw patchFailed(`index out of range: "${path}"`);
    parent.splice(i, 1);
  } else {
    if (!(key in parent)) throw patchFailed(`doc is missing key: "${path}"`);
    delete parent[key];
  }
  return doc;
}

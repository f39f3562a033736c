/**
 * Pure helpers of the Flux-like syncer: object identity, client-side validation (the dry-run),
 * "is the live object already what git says" comparison, and the Pod immutability check.
 */

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

/** Where an object lives, as the inventory records it. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** `Kind/namespace/name`: the id shown in status and kept in the inventory. */
export function objectId(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

export function refOf(obj: ManifestObject, defaultNamespace: string): ObjectRef {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    namespace: obj.metadata.namespace ?? defaultNamespace,
    name: obj.metadata.name,
  };
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Client-side validation of one rendered document; returns the problems (empty = valid). */
export function validateObject(doc: unknown): string[] {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return ['document is not a Kubernetes object (a YAML mapping with apiVersion, kind, metadata)'];
  }
  const o = doc as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof o.apiVersion !== 'string' || o.apiVersion === '') problems.push('apiVersion is missing');
  if (typeof o.kind !== 'string' || o.kind === '') problems.push('kind is missing');
  const meta = o.metadata as Record<string, unknown> | undefined;
  const name = meta && typeof meta === 'object' ? meta.name : undefined;
  if (typeof name !== 'string' || name === '') {
    problems.push('metadata.name: Required value: name is required');
    return problems;
  }
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    problems.push(`metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`);
  }
  if (o.kind === 'Pod') {
    if (name.length > 63 || !DNS1123_LABEL.test(name)) {
      problems.push(`metadata.name: Invalid value: "${name}": a pod name must be a DNS-1123 label (at most 63 characters)`);
    }
    const spec = o.spec as Record<string, unknown> | undefined;
    const containers = spec?.containers;
    if (!Array.isArray(containers) || containers.length === 0) {
      problems.push('spec.containers: Required value');
    } else {
      containers.forEach((c, i) => {
        const cc = (c ?? {}) as Record<string, unknown>;
        if (typeof cc.name !== 'string' || cc.name === '') problems.push(`spec.containers[${i}].name: Required value`);
        if (typeof cc.image !== 'string' || cc.image === '') problems.push(`spec.containers[${i}].image: Required value`);
      });
    }
    const rp = spec?.restartPolicy;
    if (rp !== undefined && rp !== 'Always' && rp !== 'OnFailure' && rp !== 'Never') {
      problems.push(`spec.restartPolicy: Unsupported value: "${String(rp)}": supported values: "Always", "OnFailure", "Never"`);
    }
  }
  return problems;
}

const QUANTITY_SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The value of a Kubernetes quantity (`500m`, `1Gi`, `0.5`, `1e3`), or undefined if it is not one. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(q.trim());
  if (!m) return undefined;
  return Number(m[1]) * QUANTITY_SUFFIX[m[2] ?? '']!;
}

function quantitiesEqual(a: unknown, b: unknown): boolean {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  if (x === undefined || y === undefined) return a === b;
  return Math.abs(x - y) <= Math.abs(x) * 1e-9;
}

/** Maps whose values are quantities the API server canonicalizes (`0.5` → `500m`). */
const QUANTITY_MAPS = new Set(['limits', 'requests', 'overhead', 'capacity', 'hard']);

/** Array fields where the API server itself appends entries (service-account token volume). */
const SERVER_EXTENDED_ARRAYS = new Set(['volumes', 'volumeMounts']);

/**
 * True when every field git sets is present with the same value in the live object.
 * Fields the server adds (defaults, status, nodeName…) are ignored; arrays of named entries
 * are matched by name and must have the same names (except arrays the server extends).
 */
export function isSubset(desired: unknown, live: unknown, key = ''): boolean {
  if (desired === null || desired === undefined) return true;
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return desired.length === 0 && (live === undefined || live === null);
    const named = desired.every((d) => d && typeof d === 'object' && typeof (d as { name?: unknown }).name === 'string');
    if (named && live.every((l) => l && typeof l === 'object')) {
      const byName = new Map(live.map((l) => [(l as { name?: unknown }).name, l]));
      if (!SERVER_EXTENDED_ARRAYS.has(key) && byName.size !== desired.length) return false;
      for (const d of desired) {
        const l = byName.get((d as { name: string }).name);
        if (l === undefined || !isSubset(d, l, key)) return false;
      }
      return true;
    }
    if (desired.length !== live.length) return false;
    return desired.every((d, i) => isSubset(d, live[i], key));
  }
  if (typeof desired === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
    if (QUANTITY_MAPS.has(key)) {
      const l = live as Record<string, unknown>;
      return Object.entries(desired as Record<string, unknown>).every(([k, v]) => quantitiesEqual(v, l[k]));
    }
    for (const [k, v] of Object.entries(desired as Record<string, unknown>)) {
      if (!isSubset(v, (live as Record<string, unknown>)[k], k)) return false;
    }
    return true;
  }
  if (typeof desired === 'number' || typeof live === 'number') return String(desired) === String(live);
  return desired === live;
}

/** The error a Kubernetes API server gives (and Flux surfaces) for a changed Pod spec. */
export function podSpecForbiddenMessage(name: string): string {
  return (
    `Pod "${name}" is invalid: spec: Forbidden: pod updates may not change fields other than ` +
    '`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,' +
    '`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` ' +
    '(allow it to be set to 1 if it was previously negative)'
  );
}

/** Metadata fields git manages on every object (the rest belongs to the server). */
export function metadataMatches(desired: ManifestObject, live: ManifestObject): boolean {
  return (
    isSubset(desired.metadata.labels ?? {}, live.metadata.labels ?? {}) &&
    isSubset(desired.metadata.annotations ?? {}, live.metadata.annotations ?? {})
  );
}

/** True when the non-metadata content of git's object already matches the live one. */
export function contentMatches(desired: ManifestObject, live: ManifestObject): boolean {
  for (const [k, v] of Object.entries(desired)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata' || k === 'status') continue;
    if (k === 'stringData') {
      // The server folds stringData into data (base64).
      const data = (live.data ?? {}) as Record<string, string>;
      for (const [dk, dv] of Object.entries((v ?? {}) as Record<string, string>)) {
        if (data[dk] !== Buffer.from(String(dv), 'utf8').toString('base64')) return false;
      }
      continue;
    }
    if (!isSubset(v, live[k], k)) return false;
  }
  return true;
}

/** Sort so that objects others depend on go first (Flux stages: config before workloads). */
export function applyOrder(kind: string): number {
  switch (kind) {
    case 'Namespace': return 0;
    case 'CustomResourceDefinition': return 1;
    case 'Secret': return 2;
    case 'ConfigMap': return 3;
    case 'Pod': return 5;
    default: return 4;
  }
}

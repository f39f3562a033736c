// Verb semantics over the store (the apiserver's "generic registry"): metadata bookkeeping,
// optimistic concurrency, status-subresource rules and per-kind defaulting/validation.
import { randomUUID } from 'node:crypto';
import { applyPatch } from './patch.ts';
import { defaultPod } from './podDefaults.ts';
import { validatePodSpec, validatePodSpecUpdate } from './podValidation.ts';
import { required, validateLabel, validateSubdomain } from './names.ts';
import { apiVersionOf, findResource, resourceKey, RESOURCES, type ResourceDef } from './resources.ts';
import { alreadyExists, badRequest, conflict, invalid, notFound, StatusError, type StatusCause } from './status.ts';
import type { KubeObject, Store } from './store.ts';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const GENERATE_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

export class Registry {
  private readonly store: Store;
  constructor(store: Store) {
    this.store = store;
  }

  get(def: ResourceDef, ns: string, name: string): KubeObject {
    const obj = this.store.get(resourceKey(def), ns, name);
    if (!obj) throw notFound(def, name);
    return obj;
  }

  list(def: ResourceDef, ns: string | undefined): KubeObject[] {
    return this.store.list(resourceKey(def), def.namespaced ? ns : undefined);
  }

  create(def: ResourceDef, ns: string, body: unknown): KubeObject {
    const obj = this.checkBody(def, body);
    obj.metadata ??= {};
    const meta = obj.metadata;
    if (def.namespaced) {
      if (meta.namespace && meta.namespace !== ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      meta.namespace = ns;
      this.requireNamespace(ns);
    } else {
      delete meta.namespace;
    }
    if (!meta.name && typeof meta.generateName === 'string' && meta.generateName) {
      meta.name = meta.generateName + randomSuffix();
    }
    if (!meta.name) throw invalid(def, '', [required('metadata.name', 'name or generateName is required')]);
    const causes = this.validateName(def, String(meta.name));
    if (def.kind === 'Pod') {
      defaultPod(obj);
      causes.push(...validatePodSpec(obj));
    }
    if (causes.length) throw invalid(def, String(meta.name), causes);
    if (this.store.get(resourceKey(def), def.namespaced ? ns : '', meta.name)) throw alreadyExists(def, meta.name);
    prepareKind(def, obj, undefined);
    const rv = this.store.nextResourceVersion();
    meta.uid = randomUUID();
    meta.creationTimestamp = now();
    meta.resourceVersion = String(rv);
    meta.generation = 1;
    delete meta.deletionTimestamp;
    this.store.write('ADDED', resourceKey(def), rv, obj);
    return obj;
  }

  /** PUT. `subresource` 'status' changes only `.status`; the main resource never changes it. */
  update(def: ResourceDef, ns: string, name: string, body: unknown, subresource?: string): KubeObject {
    const incoming = this.checkBody(def, body);
    const old = this.get(def, ns, name);
    const meta = incoming.metadata ?? {};
    if (meta.name !== undefined && meta.name !== name) throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    if (def.namespaced && meta.namespace && meta.namespace !== ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== '' && String(meta.resourceVersion) !== old.metadata.resourceVersion) throw conflict(def, name);

    let next: KubeObject;
    if (subresource === 'status') {
      next = structuredClone(old);
      next.status = incoming.status;
      if (next.status === undefined) delete next.status;
    } else {
      next = incoming;
      if (def.statusSubresource) {
        if (old.status === undefined) delete next.status;
        else next.status = old.status;
      }
    }
    next.metadata ??= {};
    const nm = next.metadata;
    for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'generateName'] as const) {
      if (old.metadata[k] === undefined) delete nm[k];
      else nm[k] = old.metadata[k];
    }
    nm.name = name;
    if (def.namespaced) nm.namespace = ns;
    next.apiVersion = apiVersionOf(def);
    next.kind = def.kind;

    if (def.kind === 'Pod' && subresource !== 'status') {
      const causes = validatePodSpecUpdate(old.spec, next.spec);
      if (causes.length) throw invalid(def, name, causes);
    }
    prepareKind(def, next, old);
    nm.generation = old.metadata.generation ?? 1;
    if (specOf(next) !== specOf(old)) nm.generation++;
    nm.resourceVersion = old.metadata.resourceVersion;
    if (canonical(next) === canonical(old)) return old; // no-op writes do not bump resourceVersion
    const rv = this.store.nextResourceVersion();
    nm.resourceVersion = String(rv);
    this.store.write('MODIFIED', resourceKey(def), rv, next, old);
    return next;
  }

  patch(def: ResourceDef, ns: string, name: string, contentType: string, patch: unknown, subresource?: string): KubeObject {
    const old = this.get(def, ns, name);
    const patched = applyPatch(contentType, old, patch);
    if (!patched || typeof patched !== 'object' || Array.isArray(patched)) throw badRequest('the patch did not produce an object');
    return this.update(def, ns, name, patched, subresource);
  }

  delete(def: ResourceDef, ns: string, name: string, options: KubeObject | undefined): KubeObject {
    const old = this.get(def, ns, name);
    const pre = options?.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) throw new StatusError(409, 'Conflict', `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`, { name, kind: def.plural });
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) throw conflict(def, name);
    if (def === NAMESPACES) {
      // Namespace deletion takes its contents with it (immediately, unlike the real finalizer).
      for (const r of RESOURCES.filter((r) => r.namespaced)) {
        for (const o of this.list(r, name)) this.delete(r, name, o.metadata.name, undefined);
      }
    }
    const rv = this.store.nextResourceVersion();
    old.metadata.resourceVersion = String(rv);
    this.store.remove(resourceKey(def), rv, old);
    return old;
  }

  private requireNamespace(ns: string): void {
    if (!this.store.get(resourceKey(NAMESPACES), '', ns)) throw notFound(NAMESPACES, ns);
  }

  private validateName(def: ResourceDef, name: string): StatusCause[] {
    return def === NAMESPACES ? validateLabel('metadata.name', name) : validateSubdomain('metadata.name', name);
  }

  /** The body must be a JSON object of this resource's kind (when it names one). */
  private checkBody(def: ResourceDef, body: unknown): KubeObject {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body of the request was not a JSON object');
    const obj = structuredClone(body) as KubeObject;
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(def)) {
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersionOf(def)})`);
    }
    if (obj.kind !== undefined && obj.kind !== def.kind) {
      throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${def.kind})`);
    }
    if (obj.metadata !== undefined && (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata))) {
      throw badRequest('metadata must be an object');
    }
    obj.apiVersion = apiVersionOf(def);
    obj.kind = def.kind;
    return obj;
  }
}

/** Kind-specific write rules besides pods. */
function prepareKind(def: ResourceDef, obj: KubeObject, old: KubeObject | undefined): void {
  if (def.kind === 'Secret') {
    obj.type ??= old?.type ?? 'Opaque';
    // The apiserver folds write-only stringData into data.
    if (obj.stringData && typeof obj.stringData === 'object') {
      obj.data ??= {};
      for (const [k, v] of Object.entries(obj.stringData)) obj.data[k] = Buffer.from(String(v)).toString('base64');
    }
    delete obj.stringData;
  }
  if (def.kind === 'Namespace') {
    obj.spec ??= { finalizers: ['kubernetes'] };
    obj.status ??= { phase: 'Active' };
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name };
  }
}

function specOf(o: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = o;
  return canonical(rest);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).filter((k) => (v as KubeObject)[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as KubeObject)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += GENERATE_CHARS[Math.floor(Math.random() * GENERATE_CHARS.length)];
  return s;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * What one sync of the Flux-like syncer does, without I/O: from the rendered documents of a
 * commit, the live objects and the inventory of what it applied before, the whole-set dry-run
 * (its failures), the apply steps in order and the prune. The sandbox's syncer (index.ts) runs it
 * against the API server; the simulator (sim/clusterModel.ts) against its in-memory cluster.
 */
import { applyOrder, contentMatches, isSubset, metadataMatches, objectId, podSpecForbiddenMessage, refOf, validateObject } from './objects.ts';
import type { ManifestObject, ObjectRef } from './objects.ts';

/** Which syncer: like a Flux Kustomization, its name and namespace label what it applies and key its inventory. */
export interface SyncTarget {
  /** For objects without one, and the `kustomize.toolkit.fluxcd.io/namespace` label. */
  readonly namespace: string;
  /** The `kustomize.toolkit.fluxcd.io/name` label. */
  readonly name: string;
}

export const PRUNE_ANNOTATION = 'kustomize.toolkit.fluxcd.io/prune';

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/**
 * Dry-run, part 1: every document validated (client side), given the target's namespace when it
 * has none and Flux's labels, no object twice; sorted in apply order. Any failure fails the set.
 */
export function desiredObjects(docs: readonly unknown[], target: SyncTarget): { readonly desired: ManifestObject[]; readonly failures: string[] } {
  const failures: string[] = [];
  const desired: ManifestObject[] = [];
  const seen = new Set<string>();
  for (const doc of docs) {
    const problems = validateObject(doc);
    const d = doc as ManifestObject;
    const label = `${(d as { kind?: string })?.kind ?? '?'}/${(d as { metadata?: { name?: string } })?.metadata?.name ?? '?'}`;
    if (problems.length) {
      failures.push(`${label} dry-run failed (Invalid): ${problems.join('; ')}`);
      continue;
    }
    const obj = clone(d);
    obj.metadata.namespace ??= target.namespace;
    obj.metadata.labels = {
      ...(obj.metadata.labels ?? {}),
      'kustomize.toolkit.fluxcd.io/name': target.name,
      'kustomize.toolkit.fluxcd.io/namespace': target.namespace,
    };
    const id = objectId(refOf(obj, target.namespace));
    if (seen.has(id)) failures.push(`${id} dry-run failed: duplicate object in the kustomize output`);
    seen.add(id);
    desired.push(obj);
  }
  desired.sort((a, b) => applyOrder(a.kind) - applyOrder(b.kind) || objectId(refOf(a, target.namespace)).localeCompare(objectId(refOf(b, target.namespace))));
  return { desired, failures };
}

/** A live object as read: the object (null when it does not exist), or why it could not be read. */
export type LiveRead = { readonly object: ManifestObject | null } | { readonly readError: string };

export interface ApplyStep {
  /** create; patch only labels and annotations (a Pod, whose spec is immutable); replace; nothing to do. */
  readonly kind: 'create' | 'patch-metadata' | 'replace' | 'none';
  readonly obj: ManifestObject;
  readonly live: ManifestObject | null;
}

/**
 * Dry-run, part 2: each desired object against its live one. A Pod whose spec git changed cannot
 * be updated (Kubernetes' own message) and an object that cannot be read fails: either fails the set.
 * @param live the read of each desired object, by objectId
 */
export function applySteps(desired: readonly ManifestObject[], live: ReadonlyMap<string, LiveRead>, namespace: string): { readonly steps: ApplyStep[]; readonly failures: string[] } {
  const steps: ApplyStep[] = [];
  const failures: string[] = [];
  for (const obj of desired) {
    const id = objectId(refOf(obj, namespace));
    const read = live.get(id) ?? { object: null };
    if ('readError' in read) {
      const m = read.readError;
      failures.push(`${id} dry-run failed: ${/Unrecognized API version and kind/.test(m) ? `no matches for kind "${obj.kind}" in version "${obj.apiVersion}"` : m}`);
      continue;
    }
    const l = read.object;
    if (!l) steps.push({ kind: 'create', obj, live: null });
    else if (obj.kind === 'Pod') {
      if (!isSubset(obj.spec, l.spec, 'spec')) failures.push(`${id} dry-run failed (Invalid): ${podSpecForbiddenMessage(obj.metadata.name)}`);
      else steps.push({ kind: metadataMatches(obj, l) ? 'none' : 'patch-metadata', obj, live: l });
    } else {
      steps.push({ kind: metadataMatches(obj, l) && contentMatches(obj, l) ? 'none' : 'replace', obj, live: l });
    }
  }
  return { steps, failures };
}

/** The merge patch of a patch-metadata step: git's labels and annotations. */
export function metadataPatch(obj: ManifestObject, namespace: string): ManifestObject {
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata.name, namespace, labels: obj.metadata.labels ?? {}, annotations: obj.metadata.annotations ?? {} } };
}

/** The body of a replace step: git's object on the live resourceVersion, keeping labels and annotations others set. */
export function replaceBody(step: ApplyStep): ManifestObject {
  const body = clone(step.obj);
  body.metadata.resourceVersion = step.live?.metadata.resourceVersion;
  body.metadata.labels = { ...(step.live?.metadata.labels ?? {}), ...(step.obj.metadata.labels ?? {}) };
  body.metadata.annotations = { ...(step.live?.metadata.annotations ?? {}), ...(step.obj.metadata.annotations ?? {}) };
  return body;
}

/** What left git: the objects this syncer applied before (its inventory) that it did not apply now. */
export function pruneCandidates(previous: readonly ObjectRef[], applied: readonly ObjectRef[]): ObjectRef[] {
  const keep = new Set(applied.map(objectId));
  return previous.filter((r) => !keep.has(objectId(r)));
}

/**
 * One prune candidate by its live state: gone already (dropped from the inventory), prune
 * disabled by annotation (left alone, dropped from the inventory) or deleted.
 */
export function pruneAction(live: ManifestObject | null): 'gone' | 'prune-disabled' | 'delete' {
  if (!live) return 'gone';
  return live.metadata?.annotations?.[PRUNE_ANNOTATION] === 'disabled' ? 'prune-disabled' : 'delete';
}

/** The inventory after an apply that failed part-way: what it held, and what this sync applied, so a later prune still finds it. */
export function inventoryAfterFailedApply(previous: readonly ObjectRef[], applied: readonly ObjectRef[]): ObjectRef[] {
  const known = new Map(previous.map((r) => [objectId(r), r]));
  for (const r of applied) known.set(objectId(r), r);
  return [...known.values()];
}

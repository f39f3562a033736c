/**
 * A Flux-like syncer (source-controller + kustomize-controller in one loop): fetch the branch
 * with the real git CLI, `kubectl kustomize` the path, dry-run the whole set, apply, prune what
 * left git (inventory in a ConfigMap), report status. Talks to Kubernetes only through its API.
 * What to apply and prune is syncPlan.ts (the simulator runs the same); this file does the I/O.
 */
import { rm } from 'node:fs/promises';
import { CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { DryRunFailedError } from './errors.ts';
import { remoteHead, shallowClone } from './gitSource.ts';
import type { GitSource } from './gitSource.ts';
import { loadInventory, saveInventory } from './inventory.ts';
import { kustomizeBuild } from './kustomize.ts';
import { objectId, refOf } from './objects.ts';
import { applySteps, desiredObjects, inventoryAfterFailedApply, metadataPatch, pruneAction, pruneCandidates, replaceBody, type LiveRead } from './syncPlan.ts';
import type { ManifestObject, ObjectRef } from './objects.ts';

export { INVENTORY_CONFIGMAP } from './inventory.ts';
export type { ObjectRef } from './objects.ts';

export interface SyncerOptions {
  gitUrl: string;
  username: string;
  token: string;
  branch?: string;
  /** Directory inside the repo to kustomize, e.g. `agents`. */
  path: string;
  kubeconfigPath: string;
  /** Namespace for objects without one and for the inventory ConfigMap (default: kubeconfig context's, else `default`). */
  namespace?: string;
  /** 0 disables the timer (only syncNow()). */
  intervalMs?: number;
  /** Like a Flux Kustomization's name: the `kustomize.toolkit.fluxcd.io/name` label and this syncer's inventory key (default `azdo-gitops-agents`). */
  name?: string;
  log?: (line: string) => void;
  kubectlPath?: string;
}

export interface SyncResult {
  ok: boolean;
  commit: string | null;
  created: string[];
  updated: string[];
  pruned: string[];
  unchanged: number;
  error: string | null;
}

export interface SyncStatus {
  lastAppliedCommit: string | null;
  lastAttemptedCommit: string | null;
  lastError: string | null;
  lastSyncAt: string | null;
  inventory: string[];
}

export interface Syncer {
  syncNow(): Promise<SyncResult>;
  status(): SyncStatus;
  close(): Promise<void>;
}

function httpCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown };
  return typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
}

/** A short message for an API error (ApiException messages carry whole bodies and headers). */
function apiMessage(err: unknown): string {
  const code = httpCode(err);
  const body = (err as { body?: unknown })?.body;
  let msg: string | undefined;
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    msg = (body as { message: string }).message;
  } else if (typeof body === 'string' && body) {
    try {
      msg = (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      msg = body;
    }
  }
  if (code !== undefined) return `${code} ${msg ?? 'request failed'}`;
  return err instanceof Error ? err.message : String(err);
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export function startSyncer(opts: SyncerOptions): Syncer {
  const kc = new KubeConfig();
  kc.loadFromFile(opts.kubeconfigPath);
  const ctxNs = kc.getContextObject(kc.getCurrentContext())?.namespace;
  const namespace = opts.namespace ?? ctxNs ?? 'default';
  const core = kc.makeApiClient(CoreV1Api);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const src: GitSource = { gitUrl: opts.gitUrl, username: opts.username, token: opts.token, branch: opts.branch ?? 'main' };
  const name = opts.name ?? 'azdo-gitops-agents';
  const log = (line: string) => opts.log?.(`[syncer] ${line.split(opts.token).join('***')}`);

  const st: SyncStatus = { lastAppliedCommit: null, lastAttemptedCommit: null, lastError: null, lastSyncAt: null, inventory: [] };
  let rendered: { commit: string; docs: unknown[] | null; error: Error | null } | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  async function render(): Promise<{ commit: string; docs: unknown[] }> {
    const head = await remoteHead(src);
    if (!rendered || rendered.commit !== head) {
      const { dir, commit } = await shallowClone(src);
      try {
        rendered = { commit, docs: await kustomizeBuild(dir, opts.path, commit, opts.kubectlPath), error: null };
      } catch (err) {
        rendered = { commit, docs: null, error: err as Error };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
    st.lastAttemptedCommit = rendered.commit;
    if (rendered.error) throw rendered.error;
    return { commit: rendered.commit, docs: rendered.docs! };
  }

  async function readLive(desired: ManifestObject): Promise<ManifestObject | null> {
    try {
      const live = await objects.read({
        apiVersion: desired.apiVersion,
        kind: desired.kind,
        metadata: { name: desired.metadata.name, namespace: desired.metadata.namespace! },
      });
      return clone(live) as unknown as ManifestObject;
    } catch (err) {
      if (httpCode(err) === 404) return null;
      throw err;
    }
  }

  async function syncOnce(): Promise<SyncResult> {
    const result: SyncResult = { ok: false, commit: null, created: [], updated: [], pruned: [], unchanged: 0, error: null };
    const { commit, docs } = await render();
    result.commit = commit;

    // Dry-run: every document valid, then each against its live object; any failure fails the set.
    const { desired, failures } = desiredObjects(docs, { namespace, name });
    if (failures.length) throw new DryRunFailedError(failures);
    const live = new Map<string, LiveRead>();
    for (const obj of desired) {
      let read: LiveRead;
      try {
        read = { object: await readLive(obj) };
      } catch (err) {
        read = { readError: apiMessage(err) };
      }
      live.set(objectId(refOf(obj, namespace)), read);
    }
    const { steps, failures: conflicts } = applySteps(desired, live, namespace);
    if (conflicts.length) throw new DryRunFailedError(conflicts);

    // Apply.
    const previous = await loadInventory(core, namespace, name);
    const applied: ObjectRef[] = [];
    try {
      for (const s of steps) {
        const ref = refOf(s.obj, namespace);
        const id = objectId(ref);
        if (s.kind === 'create') {
          await objects.create(s.obj as KubernetesObject);
          result.created.push(id);
          log(`${id} created`);
        } else if (s.kind === 'patch-metadata') {
          await objects.patch(metadataPatch(s.obj, ref.namespace) as KubernetesObject, undefined, undefined, 'azdo-gitops-syncer', undefined, PatchStrategy.MergePatch);
          result.updated.push(id);
          log(`${id} configured`);
        } else if (s.kind === 'replace') {
          await objects.replace(replaceBody(s) as KubernetesObject);
          result.updated.push(id);
          log(`${id} configured`);
        } else result.unchanged++;
        applied.push(ref);
      }
    } catch (err) {
      await saveInventory(core, namespace, name, inventoryAfterFailedApply(previous, applied), commit).catch(() => undefined);
      throw new Error(`apply failed: ${apiMessage(err)}`);
    }

    // Prune what left git (only what this syncer applied before).
    const stillOwned: ObjectRef[] = [...applied];
    for (const ref of pruneCandidates(previous, applied)) {
      const id = objectId(ref);
      const meta = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } };
      try {
        const action = pruneAction((await objects.read(meta)) as unknown as ManifestObject);
        if (action === 'prune-disabled') {
          log(`${id} prune disabled, skipped`);
          continue;
        }
        await objects.delete(meta);
        result.pruned.push(id);
        log(`${id} deleted`);
      } catch (err) {
        if (httpCode(err) === 404) continue;
        stillOwned.push(ref);
        log(`${id} prune failed: ${apiMessage(err)}`);
        result.error = `prune failed for ${id}: ${apiMessage(err)}`;
      }
    }
    await saveInventory(core, namespace, name, stillOwned, commit);
    st.inventory = stillOwned.map(objectId).sort();
    st.lastAppliedCommit = commit;
    result.ok = result.error === null;
    return result;
  }

  async function guardedSync(): Promise<SyncResult> {
    try {
      const r = await syncOnce();
      st.lastError = r.error;
      return r;
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).split(opts.token).join('***');
      st.lastError = message;
      log(`sync failed: ${message}`);
      return { ok: false, commit: st.lastAttemptedCommit, created: [], updated: [], pruned: [], unchanged: 0, error: message };
    } finally {
      st.lastSyncAt = new Date().toISOString();
    }
  }

  function syncNow(): Promise<SyncResult> {
    if (closed) return Promise.reject(new Error('syncer is closed'));
    const p = chain.then(guardedSync, guardedSync);
    chain = p.catch(() => undefined);
    return p;
  }

  const intervalMs = opts.intervalMs ?? 1000;
  const schedule = () => {
    if (closed || intervalMs <= 0) return;
    timer = setTimeout(() => {
      syncNow().finally(schedule).catch(() => undefined);
    }, intervalMs);
  };
  // Load the persisted inventory for status(), then start the loop.
  loadInventory(core, namespace, name)
    .then((inv) => {
      if (!st.lastAppliedCommit) st.inventory = inv.map(objectId).sort();
    })
    .catch(() => undefined)
    .finally(() => {
      if (!closed && intervalMs > 0) syncNow().finally(schedule).catch(() => undefined);
    });

  return {
    syncNow,
    status: () => ({ ...st, inventory: [...st.inventory] }),
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await chain.catch(() => undefined);
    },
  };
}

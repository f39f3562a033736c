import type { CoreV1Api } from '@kubernetes/client-node';
import type { ObjectRef } from './objects.ts';
import { objectId } from './objects.ts';

/**
 * The ConfigMap (in the syncer's namespace) that records what each syncer applied: its prune set.
 * One key per syncer name (like one Flux Kustomization's status.inventory), value
 * `{"revision": "<commit>", "objects": [ObjectRef…]}`.
 */
export const INVENTORY_CONFIGMAP = 'azdo-gitops-syncer-inventory';

function statusCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown };
  return typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
}

export async function loadInventory(core: CoreV1Api, namespace: string, key: string): Promise<ObjectRef[]> {
  try {
    const cm = await core.readNamespacedConfigMap({ name: INVENTORY_CONFIGMAP, namespace });
    const raw = cm.data?.[key];
    if (!raw) return [];
    const parsed = JSON.parse(raw) as { objects?: ObjectRef[] };
    return Array.isArray(parsed.objects) ? parsed.objects : [];
  } catch (err) {
    if (statusCode(err) === 404) return [];
    throw err;
  }
}

export async function saveInventory(core: CoreV1Api, namespace: string, key: string, refs: ObjectRef[], commit: string): Promise<void> {
  const sorted = [...refs].sort((a, b) => objectId(a).localeCompare(objectId(b)));
  const value = JSON.stringify({ revision: commit, objects: sorted }, null, 1);
  const data: Record<string, string> = { [key]: value };
  try {
    const cm = await core.readNamespacedConfigMap({ name: INVENTORY_CONFIGMAP, namespace });
    if (cm.data?.[key] === value) return;
    cm.data = { ...(cm.data ?? {}), [key]: value };
    await core.replaceNamespacedConfigMap({ name: INVENTORY_CONFIGMAP, namespace, body: cm });
  } catch (err) {
    if (statusCode(err) !== 404) throw err;
    await core.createNamespacedConfigMap({
      namespace,
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: INVENTORY_CONFIGMAP, namespace, labels: { 'app.kubernetes.io/managed-by': 'azdo-gitops-syncer' } },
        data,
      },
    });
  }
}

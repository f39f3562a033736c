import type { CoreV1Api } from '@kubernetes/client-node';
import type { ObjectRef } from './objects.ts';
import { objectId } from './objects.ts';

/** The ConfigMap (in the syncer's namespace) that records what the syncer applied: its prune set. */
export const INVENTORY_CONFIGMAP = 'azdo-gitops-syncer-inventory';

function statusCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown };
  return typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
}

export async function loadInventory(core: CoreV1Api, namespace: string): Promise<ObjectRef[]> {
  try {
    const cm = await core.readNamespacedConfigMap({ name: INVENTORY_CONFIGMAP, namespace });
    const raw = cm.data?.inventory;
    if (!raw) return [];
    const parsed = JSON.parse(raw) as ObjectRef[];
    return Array.isArray(parsed) ? parsed : [];
  } catch (err) {
    if (statusCode(err) === 404) return [];
    throw err;
  }
}

export async function saveInventory(core: CoreV1Api, namespace: string, refs: ObjectRef[], commit: string): Promise<void> {
  const sorted = [...refs].sort((a, b) => objectId(a).localeCompare(objectId(b)));
  const data = { inventory: JSON.stringify(sorted, null, 1), revision: commit };
  try {
    const cm = await core.readNamespacedConfigMap({ name: INVENTORY_CONFIGMAP, namespace });
    if (cm.data?.inventory === data.inventory && cm.data?.revision === data.revision) return;
    cm.data = data;
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

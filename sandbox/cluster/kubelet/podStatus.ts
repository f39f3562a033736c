import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { CoreV1Api, V1Pod, V1PodStatus } from '@kubernetes/client-node';

/** The HTTP status of a @kubernetes/client-node error, if it has one. */
export function k8sStatusCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown };
  return typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
}

/** A one-line description of a client-node error (ApiException messages carry whole bodies and headers). */
export function k8sErrorMessage(err: unknown): string {
  const code = k8sStatusCode(err);
  const body = (err as { body?: unknown })?.body;
  let msg: string | undefined;
  if (body && typeof body === 'object') msg = (body as { message?: string }).message;
  else if (typeof body === 'string' && body) {
    try {
      msg = (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      msg = body;
    }
  }
  if (code !== undefined) return `HTTP ${code}${msg ? `: ${msg}` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Writes a pod's status through the status subresource: a JSON merge patch (works on any API
 * server), falling back to read + replace when the server refuses that patch type.
 */
export async function writePodStatus(core: CoreV1Api, namespace: string, name: string, status: V1PodStatus): Promise<V1Pod> {
  try {
    return await core.patchNamespacedPodStatus(
      { name, namespace, body: { status } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  } catch (err) {
    const code = k8sStatusCode(err);
    if (code !== 415 && code !== 405 && code !== 400) throw err;
    const pod = await core.readNamespacedPodStatus({ name, namespace });
    pod.status = { ...(pod.status ?? {}), ...status };
    return await core.replaceNamespacedPodStatus({ name, namespace, body: pod });
  }
}

/** Now as the API server writes times (RFC 3339, seconds). */
export function nowRfc3339(): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

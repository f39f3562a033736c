// What a failed Kubernetes API call comes to, in one line. client-node's ApiException message is
// a multi-line dump ("HTTP-Code: 401\nMessage: …\nBody: …\nHeaders: {…}"); a fetch failure says
// only "fetch failed" with the reason in its cause. Logs and errors get the status and the
// server's own message, or why the server could not be reached.
import { ApiException, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { redactedCause, redactUrl } from '../support/redact.ts';
import { requestTimeout } from './requestTimeout.ts';
import { ClusterAccessError } from '../errors/clusterAccessError.ts';

export { ClusterAccessError };

export interface KubeFailure {
  /** The HTTP status, undefined when no answer came (unreachable, timed out). */
  readonly status: number | undefined;
  /** One line: the server's message, or why there was no answer. */
  readonly reason: string;
}

function statusMessage(body: unknown): string | undefined {
  let b = body;
  if (typeof body === 'string') {
    try {
      b = JSON.parse(body) as unknown;
    } catch {
      return body.trim().split('\n')[0]?.slice(0, 200) || undefined;
    }
  }
  const m = (b as { message?: unknown } | null | undefined)?.message;
  return typeof m === 'string' && m ? m : undefined;
}

export function kubeFailure(err: unknown): KubeFailure {
  const e = err as { message?: unknown; name?: unknown; cause?: { code?: unknown; message?: unknown } } | undefined;
  if (err instanceof ApiException) {
    const dumped = /^Message: (.*)$/m.exec(err.message)?.[1];
    return { status: err.code, reason: `${err.code} ${statusMessage(err.body) ?? dumped ?? 'no message'}` };
  }
  if (e?.name === 'TimeoutError') return { status: undefined, reason: 'no answer in time' };
  if (e?.name === 'AbortError') return { status: undefined, reason: 'request aborted' };
  const cause = e?.cause;
  const why = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  const msg = typeof e?.message === 'string' ? e.message.split('\n')[0]! : String(err);
  return { status: undefined, reason: why ? `${msg}: ${why}` : msg };
}

/** The API server the kubeconfig points at (for messages). */
export function clusterServer(kc: KubeConfig): string {
  return kc.getCurrentCluster()?.server ?? 'the API server';
}

const CHECK_TIMEOUT_MS = 5_000;

/**
 * One bounded list of pods at start-up. 401/403 throw a ClusterAccessError naming where the
 * credentials come from (KUBECONFIG or the ServiceAccount); no answer is returned as a
 * KubeFailure: the caller goes on without the cluster and says so.
 */
export async function checkClusterAccess(kc: KubeConfig, namespace: string, kubeconfig: string | undefined): Promise<KubeFailure | undefined> {
  const server = clusterServer(kc);
  try {
    await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, limit: 1 }, requestTimeout(CHECK_TIMEOUT_MS));
    return undefined;
  } catch (err) {
    const f = kubeFailure(err);
    const who = kubeconfig ? `the user of KUBECONFIG=${kubeconfig}` : "the pod's ServiceAccount";
    if (f.status === 401) {
      const fix = kubeconfig
        ? `check the token or client certificate of the current context in ${kubeconfig} (expired, or made for another cluster)`
        : 'check that the pod mounts its ServiceAccount token (automountServiceAccountToken) and that the ServiceAccount exists';
      throw new ClusterAccessError(`the API server at ${server} refused the credentials of ${who} (401 Unauthorized): ${fix}`, 401, { cause: redactedCause(err, redactUrl) });
    }
    if (f.status === 403) {
      throw new ClusterAccessError(
        `the API server at ${server} forbids ${who} to list pods in namespace ${namespace} (${f.reason}): bind it to the azdo-gitops Role in that namespace (cluster-repo-example/reconciler/rbac.yaml: pods, leases, events)`,
        403,
        { cause: redactedCause(err, redactUrl) },
      );
    }
    if (f.status === undefined) return f;
    return undefined; // another answer (e.g. 404 namespace): the pod watcher reports it as it goes
  }
}

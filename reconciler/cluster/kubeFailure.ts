// What a failed Kubernetes API call comes to, in one line: the status and the server's own
// message, or why the server could not be reached (refused, timed out, aborted).
import { redactedCause, redactUrl } from '../support/redact.ts';
import { ClusterAccessError } from '../errors/clusterAccessError.ts';
import { KubeApiError, statusMessage } from './kubeApiError.ts';
import type { KubeClient } from './kubeClient.ts';

export { ClusterAccessError };

export interface KubeFailure {
  /** The HTTP status, undefined when no answer came (unreachable, timed out). */
  readonly status: number | undefined;
  /** One line: the server's message, or why there was no answer. */
  readonly reason: string;
}

export function kubeFailure(err: unknown): KubeFailure {
  const e = err as { message?: unknown; name?: unknown; cause?: { code?: unknown; message?: unknown } } | undefined;
  if (err instanceof KubeApiError) return { status: err.code, reason: `${err.code} ${statusMessage(err.body) ?? 'no message'}` };
  if (e?.name === 'TimeoutError') return { status: undefined, reason: 'no answer in time' };
  if (e?.name === 'AbortError') return { status: undefined, reason: 'request aborted' };
  // node:http's own errors carry the code (ECONNREFUSED) in their message already.
  const cause = e?.cause;
  const why = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  const msg = typeof e?.message === 'string' ? e.message.split('\n')[0]! : String(err);
  return { status: undefined, reason: why ? `${msg}: ${why}` : msg };
}

const CHECK_TIMEOUT_MS = 5_000;

/**
 * One bounded list of pods at start-up. 401/403 throw a ClusterAccessError naming where the
 * credentials come from (KUBECONFIG or the ServiceAccount); no answer is returned as a
 * KubeFailure: the caller goes on without the cluster and says so.
 */
export async function checkClusterAccess(kube: KubeClient, namespace: string, kubeconfig: string | undefined): Promise<KubeFailure | undefined> {
  const server = kube.server;
  try {
    await kube.request({ method: 'GET', path: `/api/v1/namespaces/${namespace}/pods`, query: { limit: 1 }, timeoutMs: CHECK_TIMEOUT_MS });
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

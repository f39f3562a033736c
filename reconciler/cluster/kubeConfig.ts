import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../errors/configError.ts';
import { redactedCause, redactUrl } from '../support/redact.ts';

const EXAMPLE = 'For example KUBECONFIG=/etc/azdo-gitops/kubeconfig';

/** A kubeconfig file when given, else the pod's service account (in-cluster). */
export function loadKubeConfig(kubeconfigPath: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath) {
    try {
      kc.loadFromFile(kubeconfigPath);
    } catch (err) {
      const why = String((err as Error)?.message ?? err).split('\n')[0];
      throw new ConfigError('KUBECONFIG', `${kubeconfigPath} is not a kubeconfig file (${why})`, `Point it at the file kubectl config view --minify --raw writes. ${EXAMPLE}`, {
        cause: redactedCause(err, redactUrl),
      });
    }
    if (!kc.getCurrentCluster()) {
      throw new ConfigError('KUBECONFIG', `${kubeconfigPath} has no cluster for its current context "${kc.getCurrentContext() || '(none)'}"`, `Set current-context to a context whose cluster is listed. ${EXAMPLE}`);
    }
    return kc;
  }
  kc.loadFromCluster();
  // client-node fills the server from KUBERNETES_SERVICE_HOST/PORT, which only a pod has.
  if (!kc.getCurrentCluster()?.server || /undefined/.test(kc.getCurrentCluster()!.server)) {
    throw new ConfigError('KUBECONFIG', 'is not set, and this is not a pod in a cluster (KUBERNETES_SERVICE_HOST is unset)', `Outside a cluster, set it to a kubeconfig file. ${EXAMPLE}`);
  }
  return kc;
}

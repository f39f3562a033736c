// The Kubernetes client the reconciler talks through: from a kubeconfig file when given, else
// the pod's ServiceAccount (in-cluster). Both read without client-node; a kubeconfig whose user
// runs a credential plugin loads client-node for its credentials alone (pluginConnect.ts).
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../errors/configError.ts';
import { redactedCause, redactUrl } from '../support/redact.ts';
import type { KubeClient } from './kubeClient.ts';
import { createKubeClient, directConnect } from './kubeHttp.ts';
import { inClusterTarget, KubeconfigError, parseKubeconfig, SERVICE_ACCOUNT_DIR, type KubeconfigAuth, type KubeTarget } from './kubeconfigAuth.ts';
import { pluginConnect } from './pluginConnect.ts';

const EXAMPLE = 'For example KUBECONFIG=/etc/azdo-gitops/kubeconfig';

export interface KubeClientSource {
  readonly env?: NodeJS.ProcessEnv;
  /** Where the ServiceAccount's token and CA are mounted (tests point it elsewhere). */
  readonly serviceAccountDir?: string;
}

export async function loadKubeClient(kubeconfigPath: string | undefined, source: KubeClientSource = {}): Promise<KubeClient> {
  if (kubeconfigPath) {
    let text: string;
    try {
      text = readFileSync(kubeconfigPath, 'utf8');
    } catch (err) {
      throw new ConfigError('KUBECONFIG', `${kubeconfigPath} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, `Point it at the file kubectl config view --minify --raw writes. ${EXAMPLE}`);
    }
    let auth: KubeconfigAuth;
    try {
      auth = parseKubeconfig(text, dirname(kubeconfigPath));
    } catch (err) {
      if (!(err instanceof KubeconfigError)) throw err;
      const fix = /current context|current-context/.test(err.message) ? 'Set current-context to a context whose cluster is listed.' : 'Point it at the file kubectl config view --minify --raw writes.';
      throw new ConfigError('KUBECONFIG', `${kubeconfigPath} is not a usable kubeconfig file (${err.message})`, `${fix} ${EXAMPLE}`);
    }
    if (auth.kind === 'direct') return createKubeClient(auth.target.server, directConnect(auth.target));
    try {
      return createKubeClient(auth.server, await pluginConnect(kubeconfigPath));
    } catch (err) {
      const why = String((err as Error)?.message ?? err).split('\n')[0];
      throw new ConfigError('KUBECONFIG', `${kubeconfigPath} is not a kubeconfig file (${why})`, `Point it at the file kubectl config view --minify --raw writes. ${EXAMPLE}`, {
        cause: redactedCause(err, redactUrl),
      });
    }
  }
  let target: KubeTarget | undefined;
  try {
    target = inClusterTarget(source.env ?? process.env, source.serviceAccountDir ?? SERVICE_ACCOUNT_DIR);
  } catch (err) {
    throw new ConfigError(
      'KUBECONFIG',
      `is not set, and the pod's ServiceAccount cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message} under ${source.serviceAccountDir ?? SERVICE_ACCOUNT_DIR})`,
      `Mount the ServiceAccount token (automountServiceAccountToken: true), or set KUBECONFIG to a kubeconfig file. ${EXAMPLE}`,
    );
  }
  if (!target) {
    throw new ConfigError('KUBECONFIG', 'is not set, and this is not a pod in a cluster (KUBERNETES_SERVICE_HOST is unset)', `Outside a cluster, set it to a kubeconfig file. ${EXAMPLE}`);
  }
  return createKubeClient(target.server, directConnect(target));
}

// A kubeconfig user that runs a credential plugin (exec: aws, gcloud, kubelogin; auth-provider:
// oidc, azure, gcp), or a cluster behind a proxy: client-node does what kubectl does for these,
// so it is loaded for them alone (its ~80 MiB is the price of that setup) and applies the
// credentials and agent to each request of our own client.
import type { Connect, Connection } from './kubeHttp.ts';

export async function pluginConnect(kubeconfigPath: string): Promise<Connect> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return async (): Promise<Connection> => {
    // Asked per request: a plugin's token expires and client-node refreshes it as needed.
    const opts: { headers?: Record<string, string>; agent?: Connection['agent']; auth?: string } = {};
    await kc.applyToHTTPSOptions(opts);
    return { agent: opts.agent, headers: opts.headers ?? {}, ...(opts.auth ? { auth: opts.auth } : {}) };
  };
}

// startKubeApiServer: the simulated cluster's control plane — a Kubernetes-API-compatible HTTP
// server that kubectl and @kubernetes/client-node talk to unmodified.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { writeKubeconfig } from '../kubeconfig.ts';
import { Registry } from './registry.ts';
import { findResource } from './resources.ts';
import { createApiServer } from './server.ts';
import { selfSignedCert } from './selfSignedCert.ts';
import { Store } from './store.ts';
import { WatchHub } from './watch.ts';

export interface KubeApiServerOptions {
  /** Bearer token clients must send; random when omitted. */
  token?: string;
  /** Namespaces that exist at start (default `default`, `azdo-agents`). */
  namespaces?: string[];
  /** Events kept for watch resumption; older resourceVersions get 410 Expired (default 1000). */
  watchHistory?: number;
  /** Directory for the kubeconfig file (a temp directory when omitted). */
  dir?: string;
  /** Namespace of the kubeconfig's context (default `azdo-agents` when it exists, else none). */
  contextNamespace?: string;
  /** Interval of BOOKMARK events on watches that allow them (default 5000 ms). */
  bookmarkIntervalMs?: number;
}

export interface KubeApiServer {
  /** `http://127.0.0.1:<port>`; the same port also speaks TLS (`https://`, see `caPem`). */
  url: string;
  /** CA for `https://127.0.0.1:<port>` (the kubeconfig embeds it). */
  caPem: string;
  token: string;
  kubeconfigPath: string;
  /** Test hook: ends every open watch and drops the history, so resuming watches get 410. */
  expireWatches(): void;
  close(): Promise<void>;
}

export async function startKubeApiServer(opts: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const token = opts.token ?? randomBytes(24).toString('hex');
  const store = new Store(opts.watchHistory ?? 1000);
  const registry = new Registry(store);
  const watches = new WatchHub(store, opts.bookmarkIntervalMs ?? 5000);
  const namespaces = opts.namespaces ?? ['default', 'azdo-agents'];
  const nsDef = findResource('', 'v1', 'namespaces')!;
  for (const name of namespaces) registry.create(nsDef, '', { metadata: { name } });

  const cert = selfSignedCert();
  const { server, ready, closeAllConnections } = createApiServer({ token, store, registry, watches }, cert);
  await ready();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const contextNamespace = opts.contextNamespace ?? (namespaces.includes('azdo-agents') ? 'azdo-agents' : undefined);
  // https in the kubeconfig: kubectl sends no token over plain http (kubernetes/kubectl#744).
  const kubeconfigPath = writeKubeconfig({ server: `https://127.0.0.1:${port}`, caPem: cert.certPem, token, ...(opts.dir ? { dir: opts.dir } : {}), ...(contextNamespace ? { namespace: contextNamespace } : {}) });

  let closed: Promise<void> | undefined;
  return {
    url,
    caPem: cert.certPem,
    token,
    kubeconfigPath,
    expireWatches() {
      store.compactAll();
      watches.closeAll();
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        watches.closeAll();
        server.close(() => resolve());
        closeAllConnections();
      });
      return closed;
    },
  };
}

// startKubeApiServer: the simulated cluster's control plane — a Kubernetes-API-compatible HTTP
// server that kubectl and @kubernetes/client-node talk to unmodified.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { writeKubeconfig } from '../kubeconfig.ts';
import { Blackhole } from './blackhole.ts';
import { Registry } from './registry.ts';
import { findResource } from './resources.ts';
import { createApiServer } from './server.ts';
import { selfSignedCert } from './selfSignedCert.ts';
import { Store, type KubeObject } from './store.ts';
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
  /**
   * A kubeconfig for another client identity (its own bearer token, same rights), written next
   * to `kubeconfigPath`: give it to one client (the reconciler) and a fault can single it out.
   */
  kubeconfigFor(client: string): string;
  /**
   * Fault: `client`'s connections (every client's when omitted), open and new, hang: requests are
   * read and never answered, open watches go silent without ending, as behind a partition that
   * drops packets. Until `endBlackhole()`; what was held meanwhile is never answered.
   */
  blackhole(client?: string): void;
  endBlackhole(): void;
  /**
   * Bench hook: creates a pod as a POST would (defaults, validation, resourceVersion, watch event)
   * and writes its status as the status subresource's PUT would, in process: a world of 10,000
   * pods would otherwise spend minutes in TLS and the client's serialization.
   */
  seedPod(namespace: string, pod: KubeObject, status: KubeObject['status']): void;
  /**
   * Bench hook: writes a pod's status, derived from the pod as stored, as the status
   * subresource's PUT would (resourceVersion, watch event), in process: a world whose own
   * process is busy serving would otherwise complete its pods at the pace of its own HTTPS calls.
   */
  setPodStatus(namespace: string, name: string, status: (pod: KubeObject) => KubeObject['status']): void;
  close(): Promise<void>;
}

export async function startKubeApiServer(opts: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const token = opts.token ?? randomBytes(24).toString('hex');
  const store = new Store(opts.watchHistory ?? 1000);
  const registry = new Registry(store);
  const watches = new WatchHub(store, opts.bookmarkIntervalMs ?? 5000);
  const tokens = new Map([[token, 'admin']]);
  const blackhole = new Blackhole();
  const namespaces = opts.namespaces ?? ['default', 'azdo-agents'];
  const nsDef = findResource('', 'v1', 'namespaces')!;
  const podDef = findResource('', 'v1', 'pods')!;
  for (const name of namespaces) registry.create(nsDef, '', { metadata: { name } });

  const cert = selfSignedCert();
  const { server, ready, closeAllConnections } = createApiServer({ tokens, store, registry, watches, blackhole }, cert);
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
  const kubeconfigs = new Map<string, string>();

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
    kubeconfigFor(client) {
      const existing = kubeconfigs.get(client);
      if (existing) return existing;
      if (!/^[a-z0-9-]+$/.test(client)) throw new Error(`client name "${client}": use lowercase letters, digits and "-" (it names the kubeconfig file)`);
      const clientToken = randomBytes(24).toString('hex');
      tokens.set(clientToken, client);
      const path = writeKubeconfig({ server: `https://127.0.0.1:${port}`, caPem: cert.certPem, token: clientToken, dir: dirname(kubeconfigPath), file: `${client}.kubeconfig`, ...(contextNamespace ? { namespace: contextNamespace } : {}) });
      kubeconfigs.set(client, path);
      return path;
    },
    blackhole(client) {
      blackhole.start(client);
      watches.silence(client);
    },
    endBlackhole() {
      blackhole.end();
    },
    seedPod(namespace, pod, status) {
      const created = registry.create(podDef, namespace, structuredClone(pod));
      registry.update(podDef, namespace, String(created.metadata.name), { ...created, status }, 'status');
    },
    setPodStatus(namespace, name, status) {
      const pod = registry.get(podDef, namespace, name);
      registry.update(podDef, namespace, name, { ...pod, status: status(pod) }, 'status');
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

// Where the API server is and how to prove who we are, read from a kubeconfig file or the pod's
// ServiceAccount, without the Kubernetes client library (which costs ~80 MiB of memory to load).
// What this covers: a server URL, its CA (file or data) or insecure-skip-tls-verify, a client
// certificate and key (file or data), a bearer token (inline or tokenFile, re-read as it
// rotates). A user that runs a plugin (exec, auth-provider), basic auth, impersonation or a
// cluster behind proxy-url is left to client-node: `plugin` says so, and kubeConfig.ts loads it.
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { parse } from 'yaml';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** A token file is re-read at most this often: kubelet rotates projected tokens well before they expire. */
const TOKEN_REREAD_MS = 60_000;

export interface KubeTls {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  /** False only for insecure-skip-tls-verify. */
  readonly rejectUnauthorized: boolean;
  readonly servername?: string;
}

/** Everything a request needs, served by kubeHttp.ts. */
export interface KubeTarget {
  readonly server: string;
  readonly tls: KubeTls;
  /** The bearer token to send now, if any (a token file is re-read as it rotates). */
  token(): string | undefined;
}

export type KubeconfigAuth =
  | { readonly kind: 'direct'; readonly target: KubeTarget }
  /** Needs client-node's KubeConfig: `why` names the setting. */
  | { readonly kind: 'plugin'; readonly server: string; readonly why: string };

/** A kubeconfig that cannot be used as it is: the message says what is wrong in it. */
export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: Obj, k: string): string | undefined => (typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : undefined);

function named(list: unknown, name: string, field: string): Obj | undefined {
  if (!Array.isArray(list)) return undefined;
  const entry = list.find((e) => isObj(e) && e['name'] === name);
  return isObj(entry) && isObj(entry[field]) ? entry[field] : undefined;
}

/** A token read from a file, re-read at most every TOKEN_REREAD_MS. */
export function tokenFromFile(path: string, nowMs: () => number = () => performance.now()): () => string | undefined {
  let token: string | undefined;
  let readAt = -Infinity;
  return () => {
    if (token === undefined || nowMs() - readAt >= TOKEN_REREAD_MS) {
      try {
        token = readFileSync(path, 'utf8').trim() || undefined;
        readAt = nowMs();
      } catch (err) {
        // A rotation in progress: keep the last token; with none yet, the failure is the answer.
        if (token === undefined) throw err;
      }
    }
    return token;
  };
}

/**
 * The current context of a kubeconfig, as `text`; relative file paths in it are relative to
 * `dir` (the file's directory), as kubectl reads them.
 */
export function parseKubeconfig(text: string, dir: string): KubeconfigAuth {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new KubeconfigError(`not YAML: ${String((err as Error).message).split('\n')[0]}`);
  }
  if (!isObj(doc)) throw new KubeconfigError('not a YAML mapping');
  const contextName = str(doc, 'current-context');
  if (!contextName) throw new KubeconfigError('no current-context');
  const context = named(doc['contexts'], contextName, 'context');
  if (!context) throw new KubeconfigError(`no context named "${contextName}" (its current-context)`);
  const clusterName = str(context, 'cluster');
  const cluster = clusterName ? named(doc['clusters'], clusterName, 'cluster') : undefined;
  const server = cluster ? str(cluster, 'server')?.replace(/\/+$/, '') : undefined;
  if (!cluster || !server) throw new KubeconfigError(`no cluster with a server for its current context "${contextName}"`);
  const userName = str(context, 'user');
  const user = (userName ? named(doc['users'], userName, 'user') : undefined) ?? {};

  for (const key of ['exec', 'auth-provider', 'username', 'as', 'as-groups']) {
    if (user[key] !== undefined) return { kind: 'plugin', server, why: `user.${key}` };
  }
  if (cluster['proxy-url'] !== undefined) return { kind: 'plugin', server, why: 'cluster.proxy-url' };

  const path = (p: string) => (isAbsolute(p) ? p : join(dir, p));
  const material = (o: Obj, fileKey: string, dataKey: string): Buffer | undefined => {
    const file = str(o, fileKey);
    if (file) {
      try {
        return readFileSync(path(file));
      } catch (err) {
        throw new KubeconfigError(`${fileKey} ${path(file)} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    }
    const data = str(o, dataKey);
    return data ? Buffer.from(data, 'base64') : undefined;
  };
  const ca = material(cluster, 'certificate-authority', 'certificate-authority-data');
  const cert = material(user, 'client-certificate', 'client-certificate-data');
  const key = material(user, 'client-key', 'client-key-data');
  if ((cert === undefined) !== (key === undefined)) throw new KubeconfigError('a client certificate needs its key, and a key its certificate');
  const servername = str(cluster, 'tls-server-name');
  const tls: KubeTls = {
    ...(ca ? { ca } : {}),
    ...(cert && key ? { cert, key } : {}),
    rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true,
    ...(servername ? { servername } : {}),
  };
  const inline = str(user, 'token');
  const tokenFile = str(user, 'tokenFile');
  const token = inline !== undefined ? () => inline : tokenFile !== undefined ? tokenFromFile(path(tokenFile)) : () => undefined;
  return { kind: 'direct', target: { server, tls, token } };
}

/**
 * The pod's ServiceAccount: the server from KUBERNETES_SERVICE_HOST/PORT, the CA and the token
 * (re-read as the kubelet rotates it) from `dir`. Undefined outside a pod (no such variables).
 */
export function inClusterTarget(env: NodeJS.ProcessEnv, dir: string = SERVICE_ACCOUNT_DIR): KubeTarget | undefined {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (!host || !port) return undefined;
  const ca = readFileSync(join(dir, 'ca.crt'));
  const tokenPath = join(dir, 'token');
  const token = tokenFromFile(tokenPath);
  token(); // a pod without a mounted token fails here, at start-up, not at the first request
  return { server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`, tls: { ca, rejectUnauthorized: true }, token };
}

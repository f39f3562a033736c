// Writes a kubeconfig for the simulated cluster: 127.0.0.1 with a bearer token (and the CA when
// the server is https), readable by kubectl and @kubernetes/client-node alike. The file holds
// the token, so it is created owner-only.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  token: string;
  /** PEM of the CA that signed the server certificate (https servers). */
  caPem?: string;
  /** Directory for the file; a fresh temp directory when omitted. */
  dir?: string;
  /** File name inside `dir` (default `kubeconfig`). */
  file?: string;
  /** Namespace of the context (kubectl's default for -n). */
  namespace?: string;
  name?: string;
}

export function kubeconfigYaml(opts: KubeconfigOptions): string {
  const name = opts.name ?? 'azdo-sandbox';
  const context: Record<string, string> = { cluster: name, user: name };
  if (opts.namespace) context.namespace = opts.namespace;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: opts.caPem
      ? { server: opts.server, 'certificate-authority-data': Buffer.from(opts.caPem).toString('base64') }
      : { server: opts.server } }],
    users: [{ name, user: { token: opts.token } }],
    contexts: [{ name, context }],
    'current-context': name,
    preferences: {},
  });
}

/** Returns the path of the written kubeconfig. */
export function writeKubeconfig(opts: KubeconfigOptions): string {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'azdo-kube-'));
  const path = join(dir, opts.file ?? 'kubeconfig');
  writeFileSync(path, kubeconfigYaml(opts), { mode: 0o600 });
  return path;
}

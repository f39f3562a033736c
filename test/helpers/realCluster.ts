// A real Kubernetes control plane for tests: kine (memory://) → kube-apiserver (RBAC) →
// kube-scheduler → kwok (fake nodes, Pending → Running, deletion), optionally real Flux
// (source-controller + kustomize-controller) out of cluster. Binaries come from
// tools/real-cluster/build.sh (built and cached on first use). Everything binds 127.0.0.1 on
// free ports and is torn down by stop(), on process exit, and by a watchdog if this process dies.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { freePort } from './freePort.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const buildScript = join(repoRoot, 'tools/real-cluster/build.sh');
const KUBECTL = existsSync('/usr/bin/kubectl') ? '/usr/bin/kubectl' : 'kubectl';

export const CONTROL_PLANE_COMPONENTS = ['kine', 'kwok', 'kube-apiserver', 'kube-scheduler'] as const;
export const FLUX_COMPONENTS = ['source-controller', 'kustomize-controller'] as const;

export interface RealClusterOptions {
  /** Namespace for agent pods and the reconciler's ServiceAccount. Default `azdo-agents`. */
  namespace?: string;
  /** Name of the reconciler's ServiceAccount. Default `azdo-gitops` (or the one rbac.yaml binds). */
  serviceAccount?: string;
  /** Fake kwok nodes to create. Default 1. */
  nodes?: number;
  /** Also build the Flux controllers up front when binaries are missing. Default false. */
  withFlux?: boolean;
  /**
   * The optional sync-request RBAC of cluster-repo-example applied beside the reconciler's Role:
   * `flux` (flux/sync-request-rbac.yaml) or `argocd` (argocd/sync-request-rbac.yaml).
   * Default: `flux` with withFlux, else none.
   */
  syncRequestRbac?: 'flux' | 'argocd';
  /** Progress lines (build progress, startup steps). Default: stderr. */
  log?: (line: string) => void;
  /** Keep the temp directory (logs, kubeconfigs) after stop() for debugging. Default false. */
  keepTempDir?: boolean;
}

export interface FluxOptions {
  gitUrl: string;
  /** Path inside the repo the Kustomization applies, e.g. `./agents`. */
  path: string;
  username: string;
  password: string;
  branch?: string;
  /** Flux interval, e.g. `10s`. Default `10s`. */
  interval?: string;
  /** Name of the GitRepository and Kustomization. Default `agents`. */
  name?: string;
}

export interface RealFlux {
  namespace: string;
  name: string;
  /** Asks both controllers to reconcile now (annotation `reconcile.fluxcd.io/requestedAt`). */
  reconcile(): Promise<void>;
  /** Resolves with the applied revision once the Kustomization is Ready (and at `revision`, if given). */
  waitForApplied(opts?: { revision?: string; timeoutMs?: number }): Promise<string>;
  stop(): Promise<void>;
}

export interface RealCluster {
  /** https://127.0.0.1:<port> */
  url: string;
  /** Admin (system:masters) kubeconfig. */
  kubeconfigPath: string;
  /** Kubeconfig with a TokenRequest token of the reconciler's ServiceAccount (bound by its Role). */
  reconcilerKubeconfigPath: string;
  namespace: string;
  serviceAccount: string;
  /** Node names kwok manages. */
  nodes: string[];
  binDir: string;
  tempDir: string;
  /** Runs kubectl with the admin kubeconfig (or `as: 'reconciler'`); rejects with stderr on failure. */
  kubectl(args: string[], opts?: { input?: string; as?: 'admin' | 'reconciler'; allowFail?: boolean }): Promise<KubectlResult>;
  /** `kubectl apply -f -` with the admin kubeconfig. */
  apply(yaml: string): Promise<void>;
  /** Applies CRD files server-side and resolves once each is Established; returns their names. */
  applyCrds(files: readonly string[]): Promise<string[]>;
  startFlux(opts: FluxOptions): Promise<RealFlux>;
  /** The last lines of a component's log (`kwok`, `source-controller`, …), for a failed test's report. */
  logTail(name: string, lines?: number): string;
  stop(): Promise<void>;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

type Log = (line: string) => void;

// ---------------------------------------------------------------------------------------------
// binaries

function runBuildScript(args: string[]): string {
  const r = spawnSync('bash', [buildScript, ...args], { encoding: 'utf8' });
  if (r.status !== 0 && !args.includes('--check')) throw new Error(`${buildScript} ${args.join(' ')} failed: ${r.stderr}`);
  return r.status === 0 ? r.stdout.trim() : '';
}

function binariesBuilt(components: readonly string[]): boolean {
  return spawnSync('bash', [buildScript, '--check', ...components]).status === 0;
}

/** Builds (via tools/real-cluster/build.sh) whatever is missing, streaming its progress to `log`. */
export async function ensureRealClusterBinaries(components: readonly string[], log: Log = defaultLog): Promise<{ binDir: string; outDir: string }> {
  const binDir = runBuildScript(['--bin-dir']);
  const outDir = runBuildScript(['--out-dir']);
  if (binariesBuilt(components)) return { binDir, outDir };
  log(`building ${components.join(', ')} with tools/real-cluster/build.sh (cold builds take 10-25 min each; cached afterwards)`);
  const child = spawn('bash', [buildScript, ...components], { stdio: ['ignore', 'pipe', 'pipe'] });
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) log(line);
  };
  child.stdout.on('data', forward);
  child.stderr.on('data', forward);
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0 || !binariesBuilt(components)) {
    throw new Error(`tools/real-cluster/build.sh ${components.join(' ')} failed (exit ${code}); see the build log lines above and ${outDir}/src/<component>.log`);
  }
  return { binDir, outDir };
}

// ---------------------------------------------------------------------------------------------
// processes

interface Managed {
  name: string;
  child: ChildProcess;
  logPath: string;
  exited: boolean;
  exitCode: number | null;
  expectedExit: boolean;
}

const liveGroups = new Set<ProcessSet>();
let exitHooksInstalled = false;

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', () => {
    for (const set of liveGroups) set.killNow();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const set of liveGroups) set.killNow();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Process groups of one cluster, with a watchdog that kills them if this Node process dies. */
class ProcessSet {
  readonly procs: Managed[] = [];
  readonly dir: string;
  readonly keepDir: boolean;
  private readonly pgidFile: string;
  private watchdog: ChildProcess | undefined;
  private stopped = false;

  constructor(dir: string, keepDir: boolean) {
    this.dir = dir;
    this.keepDir = keepDir;
    this.pgidFile = join(dir, 'pgids');
    writeFileSync(this.pgidFile, '');
    installExitHooks();
    liveGroups.add(this);
    // Watchdog: when this process disappears (even SIGKILL), kill every group and remove the dir.
    const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ` +
      `for g in $(cat "$1" 2>/dev/null); do kill -KILL -- -"$g" 2>/dev/null; done; ` +
      (keepDir ? '' : `rm -rf "$2"`);
    this.watchdog = spawn('bash', ['-c', script, 'watchdog', this.pgidFile, dir], { detached: true, stdio: 'ignore' });
    this.watchdog.unref();
  }

  spawn(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Managed {
    if (this.stopped) throw new Error(`cannot start ${name}: the cluster is stopped`);
    const logPath = join(this.dir, `${name}.log`);
    const fd = openSync(logPath, 'a');
    const child = spawn(command, args, {
      detached: true, // own process group, killed as a group
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...env },
      cwd: this.dir,
    });
    closeSync(fd);
    const m: Managed = { name, child, logPath, exited: false, exitCode: null, expectedExit: false };
    child.on('exit', (code, signal) => {
      m.exited = true;
      m.exitCode = code ?? (signal ? 128 : null);
    });
    child.on('error', () => {
      m.exited = true;
    });
    child.unref();
    if (child.pid) writeFileSync(this.pgidFile, `${child.pid}\n`, { flag: 'a' });
    this.procs.push(m);
    return m;
  }

  /** Throws with the log tail of any process that has exited unexpectedly. */
  checkAlive(): void {
    for (const m of this.procs) {
      if (m.exited && !m.expectedExit) throw new Error(`${m.name} exited (code ${m.exitCode}); last log lines:\n${tail(m.logPath)}`);
    }
  }

  async stopProcess(m: Managed): Promise<void> {
    m.expectedExit = true;
    const pgid = m.child.pid;
    if (!pgid) return;
    const groupAlive = () => {
      try {
        process.kill(-pgid, 0);
        return true;
      } catch {
        return false;
      }
    };
    if (!groupAlive()) return;
    try {
      process.kill(-pgid, 'SIGTERM');
    } catch {
      return;
    }
    // Poll the whole process group (a ref'd timer: the children are unref'd, so waiting for their
    // 'exit' event alone could let the event loop drain). SIGKILL after 5 s.
    const started = Date.now();
    while (groupAlive() && Date.now() - started < 15_000) {
      if (Date.now() - started > 5_000) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      await sleep(100);
    }
  }

  async stopAll(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // reverse start order: controllers first, storage last
    for (const m of [...this.procs].reverse()) await this.stopProcess(m);
    this.finish();
  }

  killNow(): void {
    this.stopped = true;
    for (const m of this.procs) {
      m.expectedExit = true;
      if (!m.exited && m.child.pid) {
        try {
          process.kill(-m.child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    this.finish();
  }

  private finish(): void {
    liveGroups.delete(this);
    if (this.watchdog?.pid) {
      try {
        process.kill(-this.watchdog.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    if (!this.keepDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

function tail(path: string, lines = 25): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, timeoutMs: number, procs: ProcessSet, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    procs.checkAlive();
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message ?? lastError}` : ''}`);
    }
    await sleep(250);
  }
}

type KubectlAdmin = (args: string[], input?: string) => Promise<string>;

async function applyCrds(kubectlAdmin: KubectlAdmin, procs: ProcessSet, files: readonly string[]): Promise<string[]> {
  // Server-side: large CRDs (Flux's, Argo CD's) exceed the last-applied annotation.
  const out = await kubectlAdmin(['apply', '--server-side', '--force-conflicts', '-o', 'name', ...files.flatMap((f) => ['-f', f])]);
  const names = out.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  for (const name of names) {
    // Not `kubectl wait --for=condition=Established`: it fails, rather than waits, while a new
    // CRD has no status conditions yet.
    await waitFor(`${name} Established`, 60_000, procs, async () => {
      const status = await kubectlAdmin(['get', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}']);
      return status.trim() === 'True' ? true : undefined;
    });
  }
  return names;
}

function defaultLog(line: string): void {
  process.stderr.write(`[real-cluster] ${line}\n`);
}

// ---------------------------------------------------------------------------------------------
// certificates, kubeconfigs

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

function generatePki(dir: string): { caPem: string; certFile: string; keyFile: string; saKeyFile: string } {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650', '-subj', '/CN=azdo-gitops-test-ca'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'apiserver.key', '-out', 'apiserver.csr', '-subj', '/CN=kube-apiserver'], dir);
  writeFileSync(join(dir, 'apiserver.ext'),
    'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n' +
    'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  openssl(['x509', '-req', '-in', 'apiserver.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'apiserver.crt', '-days', '3650', '-extfile', 'apiserver.ext'], dir);
  openssl(['genrsa', '-out', 'sa.key', '2048'], dir);
  return { caPem: readFileSync(join(dir, 'ca.crt'), 'utf8'), certFile: join(dir, 'apiserver.crt'), keyFile: join(dir, 'apiserver.key'), saKeyFile: join(dir, 'sa.key') };
}

function writeKubeconfig(path: string, url: string, caPem: string, user: string, token: string, namespace: string): void {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'real-cluster', cluster: { server: url, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: user, context: { cluster: 'real-cluster', user, namespace } }],
    'current-context': user,
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
}

function httpsGet(url: string, caPem: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { ca: caPem, headers: { authorization: `Bearer ${token}` }, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

function runKubectl(kubeconfig: string, args: string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

// ---------------------------------------------------------------------------------------------
// kwok stages (from sigs.k8s.io/kwok kustomize/stage/{node,pod}/fast; no pod-complete: the agent
// simulator sets pods Succeeded itself)

const KWOK_STAGES = readFileSync(join(repoRoot, 'tools/real-cluster/kwok-stages.yaml'), 'utf8');

// ---------------------------------------------------------------------------------------------
// RBAC for the reconciler

const EXAMPLE_AGENT_NAMESPACE = 'azdo-agents';

function reconcilerRbac(namespace: string, serviceAccount: string, syncRequest: 'flux' | 'argocd' | undefined): { yaml: string; serviceAccount: string } {
  const file = join(repoRoot, 'cluster-repo-example/reconciler/rbac.yaml');
  if (existsSync(file)) {
    const files = [file, ...(syncRequest ? [join(repoRoot, `cluster-repo-example/${syncRequest}/sync-request-rbac.yaml`)] : [])];
    const docs = files.flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS()).filter((d) => d && typeof d === 'object'));
    const kept: Record<string, any>[] = [];
    let sa = serviceAccount;
    for (const doc of docs) {
      if (!['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].includes(doc.kind)) continue;
      // Objects of the example's agent namespace move to this cluster's; others (the optional
      // flux-system or argocd Role for SYNC_REQUEST) keep theirs, created below if missing.
      const own = doc.metadata?.namespace === undefined || doc.metadata.namespace === EXAMPLE_AGENT_NAMESPACE;
      if (['ServiceAccount', 'Role', 'RoleBinding'].includes(doc.kind) && own) doc.metadata = { ...doc.metadata, namespace };
      if (doc.kind === 'ServiceAccount') sa = doc.metadata.name;
      for (const s of doc.subjects ?? []) {
        if (s.kind !== 'ServiceAccount') continue;
        s.namespace = namespace;
        sa = s.name;
      }
      kept.push(doc);
    }
    if (kept.some((d) => d.kind === 'Role' || d.kind === 'ClusterRole')) {
      // the ServiceAccount itself lives in another file of the example; create it here
      const saDoc = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace } };
      const others = [...new Set(kept.map((d) => d.metadata?.namespace).filter((ns): ns is string => typeof ns === 'string' && ns !== namespace))];
      const nsDocs = others.map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
      return { yaml: [...nsDocs, saDoc, ...kept.filter((d) => d.kind !== 'ServiceAccount')].map((d) => stringify(d)).join('---\n'), serviceAccount: sa };
    }
  }
  const yaml = `
apiVersion: v1
kind: ServiceAccount
metadata: {name: ${serviceAccount}, namespace: ${namespace}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ${serviceAccount}, namespace: ${namespace}}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, create, update]
- apiGroups: ["", events.k8s.io]
  resources: [events]
  verbs: [create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ${serviceAccount}, namespace: ${namespace}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ${serviceAccount}}
subjects:
- {kind: ServiceAccount, name: ${serviceAccount}, namespace: ${namespace}}
`;
  return { yaml, serviceAccount };
}

// ---------------------------------------------------------------------------------------------
// the cluster

export async function startRealCluster(opts: RealClusterOptions = {}): Promise<RealCluster> {
  const log = opts.log ?? defaultLog;
  const namespace = opts.namespace ?? 'azdo-agents';
  const components = opts.withFlux ? [...CONTROL_PLANE_COMPONENTS, ...FLUX_COMPONENTS] : [...CONTROL_PLANE_COMPONENTS];
  const { binDir } = await ensureRealClusterBinaries(components, log);
  const bin = (name: string) => join(binDir, name);

  const tempDir = mkdtempSync(join(tmpdir(), 'azdo-real-cluster-'));
  const procs = new ProcessSet(tempDir, opts.keepTempDir ?? false);
  const started = Date.now();
  try {
    // --- kine (etcd API over memory://)
    const kinePort = await freePort();
    procs.spawn('kine', bin('kine'), [
      '--endpoint', 'memory://',
      '--listen-address', `127.0.0.1:${kinePort}`,
      '--metrics-bind-address', '0', // no metrics server
    ]);
    await waitFor('kine to listen', 30_000, procs, async () => ((await tcpOpen(kinePort)) ? true : undefined));

    // --- kube-apiserver
    const pki = generatePki(tempDir);
    const adminToken = randomBytes(24).toString('hex');
    writeFileSync(join(tempDir, 'tokens.csv'), `${adminToken},admin,admin-uid,"system:masters"\n`, { mode: 0o600 });
    const apiPort = await freePort();
    const url = `https://127.0.0.1:${apiPort}`;
    procs.spawn('kube-apiserver', bin('kube-apiserver'), [
      `--etcd-servers=http://127.0.0.1:${kinePort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${join(tempDir, 'apiserver-certs')}`,
      `--tls-cert-file=${pki.certFile}`,
      `--tls-private-key-file=${pki.keyFile}`,
      `--token-auth-file=${join(tempDir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.saKeyFile}`,
      `--service-account-signing-key-file=${pki.saKeyFile}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      // no node lifecycle controller (kube-controller-manager) would ever lift the not-ready taint
      '--disable-admission-plugins=TaintNodesByCondition',
      '--endpoint-reconciler-type=none',
      '--enable-priority-and-fairness=false',
      '--profiling=false',
      '--v=1',
    ]);
    await waitFor('kube-apiserver /readyz', 180_000, procs, async () => {
      const r = await httpsGet(`${url}/readyz`, pki.caPem, adminToken);
      return r.status === 200 ? true : undefined;
    });
    log(`kube-apiserver ready at ${url} after ${Math.round((Date.now() - started) / 1000)} s`);

    const kubeconfigPath = join(tempDir, 'admin.kubeconfig');
    writeKubeconfig(kubeconfigPath, url, pki.caPem, 'admin', adminToken, namespace);
    const kubectlAdmin = async (args: string[], input?: string) => {
      const r = await runKubectl(kubeconfigPath, args, input);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr.trim()}`);
      return r.stdout;
    };

    // --- namespaces, default ServiceAccounts (no kube-controller-manager creates them), RBAC
    await waitFor('default namespace and RBAC bootstrap', 60_000, procs, async () => {
      await kubectlAdmin(['get', 'namespace/default', 'clusterrole/cluster-admin', '-o', 'name']);
      return true;
    });
    const rbac = reconcilerRbac(namespace, opts.serviceAccount ?? 'azdo-gitops', opts.syncRequestRbac ?? (opts.withFlux ? 'flux' : undefined));
    await kubectlAdmin(['apply', '-f', '-'], [
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${namespace}}`,
      `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: ${namespace}}`,
      `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: default}`,
    ].join('\n---\n'));
    await kubectlAdmin(['apply', '-f', '-'], rbac.yaml);
    const saToken = (await kubectlAdmin(['create', 'token', rbac.serviceAccount, '-n', namespace, '--duration=24h'])).trim();
    const reconcilerKubeconfigPath = join(tempDir, 'reconciler.kubeconfig');
    writeKubeconfig(reconcilerKubeconfigPath, url, pki.caPem, rbac.serviceAccount, saToken, namespace);

    // --- fake nodes, kwok, kube-scheduler
    const nodes = Array.from({ length: opts.nodes ?? 1 }, (_, i) => `kwok-node-${i}`);
    await kubectlAdmin(['apply', '-f', '-'], nodes.map(fakeNode).join('\n---\n'));
    writeFileSync(join(tempDir, 'kwok.yaml'), KWOK_STAGES);
    const kwokPort = await freePort();
    procs.spawn('kwok', bin('kwok'), [
      `--kubeconfig=${kubeconfigPath}`,
      `--config=${join(tempDir, 'kwok.yaml')}`,
      '--manage-all-nodes=true',
      `--server-address=127.0.0.1:${kwokPort}`,
      '--node-ip=10.0.1.1',
      '--cidr=10.0.2.0/24',
    ]);
    const schedulerPort = await freePort();
    procs.spawn('kube-scheduler', bin('kube-scheduler'), [
      `--kubeconfig=${kubeconfigPath}`,
      `--authentication-kubeconfig=${kubeconfigPath}`,
      `--authorization-kubeconfig=${kubeconfigPath}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${schedulerPort}`,
      `--cert-dir=${join(tempDir, 'scheduler-certs')}`,
      '--v=1',
    ]);
    await waitFor('kwok to mark the fake nodes Ready', 60_000, procs, async () => {
      const out = await kubectlAdmin(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
      return nodes.every((n) => out.includes(`${n}=True`)) ? true : undefined;
    });
    log(`control plane up (kine, kube-apiserver, kube-scheduler, kwok) in ${Math.round((Date.now() - started) / 1000)} s`);

    const cluster: RealCluster = {
      url,
      kubeconfigPath,
      reconcilerKubeconfigPath,
      namespace,
      serviceAccount: rbac.serviceAccount,
      nodes,
      binDir,
      tempDir,
      async kubectl(args, o = {}) {
        const r = await runKubectl(o.as === 'reconciler' ? reconcilerKubeconfigPath : kubeconfigPath, args, o.input);
        if (r.code !== 0 && !o.allowFail) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr.trim()}`);
        return r;
      },
      async apply(yaml) {
        await kubectlAdmin(['apply', '-f', '-'], yaml);
      },
      applyCrds: (files) => applyCrds(kubectlAdmin, procs, files),
      async startFlux(fluxOpts) {
        return startFlux({ procs, kubeconfigPath, kubectlAdmin, log, tempDir, opts: fluxOpts });
      },
      logTail: (name, lines) => tail(join(tempDir, `${name}.log`), lines),
      async stop() {
        await procs.stopAll();
      },
    };
    return cluster;
  } catch (e) {
    await procs.stopAll().catch(() => undefined);
    throw e;
  }
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      r(true);
    });
    s.once('error', () => r(false));
  });
}

function fakeNode(name: string): string {
  return `
apiVersion: v1
kind: Node
metadata:
  name: ${name}
  annotations:
    node.alpha.kubernetes.io/ttl: "0"
    kwok.x-k8s.io/node: fake
  labels:
    kubernetes.io/hostname: ${name}
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
status:
  allocatable: {cpu: "32", memory: 256Gi, pods: "110", ephemeral-storage: 1Ti}
  capacity: {cpu: "32", memory: 256Gi, pods: "110", ephemeral-storage: 1Ti}
  nodeInfo:
    architecture: amd64
    operatingSystem: linux
    kubeletVersion: fake
`;
}

// ---------------------------------------------------------------------------------------------
// Flux

interface FluxContext {
  procs: ProcessSet;
  kubeconfigPath: string;
  kubectlAdmin: KubectlAdmin;
  log: Log;
  tempDir: string;
  opts: FluxOptions;
}

const FLUX_NS = 'flux-system';

/** Flags both Flux controllers take out of cluster: their own loopback ports, no leader election. */
async function controllerFlags(): Promise<string[]> {
  return [
    `--metrics-addr=127.0.0.1:${await freePort()}`,
    `--health-addr=127.0.0.1:${await freePort()}`,
    '--watch-all-namespaces=true',
    '--enable-leader-election=false',
    '--events-addr=',
    '--log-level=info',
  ];
}

async function startFlux(ctx: FluxContext): Promise<RealFlux> {
  const { procs, kubectlAdmin, opts } = ctx;
  const { binDir, outDir } = await ensureRealClusterBinaries(FLUX_COMPONENTS, ctx.log);
  const name = opts.name ?? 'agents';
  const interval = opts.interval ?? '10s';
  const started = Date.now();

  // CRDs from the module zips (config/crd/bases)
  const crdFiles = FLUX_COMPONENTS.flatMap((c) => readdirSync(join(outDir, 'crds', c)).filter((f) => f.endsWith('.yaml')).map((f) => join(outDir, 'crds', c, f)));
  await applyCrds(kubectlAdmin, procs, crdFiles);
  await kubectlAdmin(['apply', '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${FLUX_NS}}`);

  const storageDir = join(ctx.tempDir, 'flux-storage');
  mkdirSync(storageDir, { recursive: true });
  const storagePort = await freePort();
  // controller-runtime reads KUBECONFIG; RUNTIME_NAMESPACE is where Flux thinks it runs
  const env = { KUBECONFIG: ctx.kubeconfigPath, RUNTIME_NAMESPACE: FLUX_NS };
  const source = procs.spawn('source-controller', join(binDir, 'source-controller'), [
    `--storage-path=${storageDir}`,
    `--storage-addr=127.0.0.1:${storagePort}`,
    `--storage-adv-addr=127.0.0.1:${storagePort}`,
    ...(await controllerFlags()),
  ], env);
  const kustomize = procs.spawn('kustomize-controller', join(binDir, 'kustomize-controller'), [
    ...(await controllerFlags()),
  ], env);

  const secretName = `${name}-git-auth`;
  await kubectlAdmin(['apply', '-f', '-'], stringify({
    apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName, namespace: FLUX_NS },
    type: 'Opaque', stringData: { username: opts.username, password: opts.password },
  }) + '---\n' + stringify({
    apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name, namespace: FLUX_NS },
    spec: { url: opts.gitUrl, interval, timeout: '30s', ref: { branch: opts.branch ?? 'main' }, secretRef: { name: secretName } },
  }) + '---\n' + stringify({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name, namespace: FLUX_NS },
    spec: { interval, retryInterval: interval, path: opts.path, prune: true, wait: false, timeout: '60s', sourceRef: { kind: 'GitRepository', name } },
  }));
  ctx.log(`flux started (source-controller, kustomize-controller) in ${Math.round((Date.now() - started) / 1000)} s`);

  const get = async (kind: string) => {
    const out = await kubectlAdmin(['get', kind, name, '-n', FLUX_NS, '-o', 'json']);
    return JSON.parse(out) as { status?: { conditions?: { type: string; status: string; message?: string }[]; lastAppliedRevision?: string; artifact?: { revision?: string } } };
  };

  return {
    namespace: FLUX_NS,
    name,
    async reconcile() {
      const at = `requestedAt=${new Date().toISOString()}`;
      for (const kind of ['gitrepository.source.toolkit.fluxcd.io', 'kustomization.kustomize.toolkit.fluxcd.io']) {
        await kubectlAdmin(['annotate', '--overwrite', '-n', FLUX_NS, kind, name, `reconcile.fluxcd.io/${at}`]);
      }
    },
    async waitForApplied(w = {}) {
      let last = '';
      return waitFor(`Flux Kustomization ${FLUX_NS}/${name} applied${w.revision ? ` at ${w.revision}` : ''}`, w.timeoutMs ?? 120_000, procs, async () => {
        const k = await get('kustomization.kustomize.toolkit.fluxcd.io');
        const ready = k.status?.conditions?.find((c) => c.type === 'Ready');
        const rev = k.status?.lastAppliedRevision ?? '';
        last = `${ready?.status ?? '?'} ${ready?.message ?? ''}`;
        if (ready?.status === 'True' && (!w.revision || rev.includes(w.revision))) return rev;
        if (last) throw new Error(`last Ready condition: ${last}`);
        return undefined;
      });
    },
    async stop() {
      await procs.stopProcess(kustomize);
      await procs.stopProcess(source);
    },
  };
}

// The sandbox: an emulated Azure DevOps organization, a real git server (git http-backend) and
// a simulated cluster (API server, Flux-like syncer, kubelet and agent simulators), wired the
// way a real installation is. `startSandbox()` is what `npm start`, the demo and the tests use.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';
import { startAzdoEmulator, type AzdoEmulator, type AzdoEmulatorOptions } from './azdo/index.ts';
import { startAgentSimulator, type AgentSimulator } from './cluster/agents/index.ts';
import { startKubeApiServer, type KubeApiServer } from './cluster/apiserver/index.ts';
import { startKubelet, type Kubelet } from './cluster/kubelet/index.ts';
import { startSyncer, type Syncer } from './cluster/syncer/index.ts';
import { startGitServer, type GitServer } from './git/index.ts';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SANDBOX_POOL = 'k8s-agents';
export const SANDBOX_NAMESPACE = 'azdo-agents';
export const AGENT_TOKEN_SECRET = 'azdo-agent-token';

export interface SandboxOptions {
  /** Seed of the cluster repo. Default: cluster-repo-example/. */
  readonly seedDir?: string;
  /**
   * Applies the AgentSpec CRD and the seed's AgentSpecs to the cluster, as the platform layer
   * does, so `kubectl get agentspecs` lists them and the reconciler writes their status.
   */
  readonly agentSpecsInCluster?: boolean;
  /** Run against an existing cluster (e.g. a real control plane) instead of the simulated one. */
  readonly kubeconfigPath?: string;
  /** Start the Flux-like syncer (default true; false when real Flux syncs the repo). */
  readonly syncer?: boolean;
  /** Start the kubelet simulator (default: only with the simulated cluster; kwok does it elsewhere). */
  readonly kubelet?: boolean;
  readonly syncIntervalMs?: number;
  readonly kubeletRunDelayMs?: number;
  readonly unpullableImages?: string[];
  readonly failShare?: number;
  /** Images (or substrings) whose entrypoint exits at once, with this exit code. */
  readonly crashingImages?: Readonly<Record<string, number>>;
  readonly azdo?: AzdoEmulatorOptions;
  readonly log?: (line: string) => void;
}

export interface Sandbox {
  /** What a client needs (printed by `sandbox serve`). */
  readonly info: SandboxInfo;
  readonly azdo: AzdoEmulator;
  readonly git: GitServer;
  readonly apiServer: KubeApiServer | undefined;
  readonly syncer: Syncer | undefined;
  readonly kubelet: Kubelet | undefined;
  readonly agents: AgentSimulator;
  /** Environment that points the reconciler at this sandbox. */
  reconcilerEnv(stateDir: string): Record<string, string>;
  close(): Promise<void>;
}

export interface SandboxInfo {
  readonly azdoUrl: string;
  readonly token: string;
  readonly pool: string;
  readonly gitUrl: string;
  readonly gitUsername: string;
  readonly gitToken: string;
  readonly kubeconfig: string;
  readonly adminUrl: string;
  readonly namespace: string;
  /** The PAT the agent pods use (in the Secret the pods reference), a separate identity. */
  readonly agentToken: string;
}

/**
 * The platform layer's part for AgentSpecs: the CRD (cluster-repo-example/crds/agentspec.yaml)
 * and every AgentSpec of the seed's agentspecs/ created in `namespace`.
 */
export async function applyAgentSpecs(kubeconfigPath: string, namespace: string, seedDir: string): Promise<string[]> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const crd = parse(await readFile(join(PROJECT_ROOT, 'cluster-repo-example/crds/agentspec.yaml'), 'utf8')) as object;
  const custom = kc.makeApiClient(CustomObjectsApi);
  // As raw JSON: the typed CRD client drops `x-kubernetes-int-or-string`, which the server needs.
  await custom.createClusterCustomObject({ group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', body: crd });
  const dir = join(seedDir, 'agentspecs');
  const names: string[] = [];
  for (const file of (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f) && !/^kustomization\./.test(f)).sort()) {
    for (const doc of parseAllDocuments(await readFile(join(dir, file), 'utf8'))) {
      const body = doc.toJS() as { kind?: string; apiVersion?: string; metadata?: { name?: string } } | null;
      if (body?.kind !== 'AgentSpec' || body.apiVersion !== 'azdo.gitops.dev/v1alpha1') continue;
      const create = () => custom.createNamespacedCustomObject({ group: 'azdo.gitops.dev', version: 'v1alpha1', namespace, plural: 'agentspecs', body: { ...body, metadata: { ...body.metadata, namespace } } });
      // A real API server serves the new resource only once the CRD is Established (404 before).
      for (let attempt = 1; ; attempt++) {
        try {
          await create();
          break;
        } catch (err) {
          if ((err as { code?: number }).code !== 404 || attempt >= 50) throw err;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      names.push(body.metadata?.name ?? '');
    }
  }
  return names;
}

/** Creates (or replaces) the Secret the rendered pods reference for AZP_TOKEN. */
export async function writeAgentTokenSecret(kubeconfigPath: string, namespace: string, token: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const body = { metadata: { name: AGENT_TOKEN_SECRET, namespace }, type: 'Opaque', stringData: { token } };
  try {
    await core.createNamespacedSecret({ namespace, body });
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
    await core.replaceNamespacedSecret({ name: AGENT_TOKEN_SECRET, namespace, body });
  }
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const log = opts.log ?? (() => {});
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => {});
    closers.length = 0;
  };
  try {
    const dir = await mkdtemp(join(tmpdir(), 'azdo-gitops-sandbox-'));
    closers.push(() => rm(dir, { recursive: true, force: true }));

    const agentToken = randomBytes(26).toString('hex');
    const azdo = await startAzdoEmulator({ pools: [SANDBOX_POOL], ...opts.azdo, extraTokens: [agentToken, ...(opts.azdo?.extraTokens ?? [])] });
    closers.push(() => azdo.close());

    const gitUsername = 'azdo-gitops';
    const gitToken = randomBytes(20).toString('hex');
    const git = await startGitServer({ username: gitUsername, token: gitToken, root: join(dir, 'git') });
    closers.push(() => git.close());
    const gitUrl = await git.createRepo('cluster', opts.seedDir ?? join(PROJECT_ROOT, 'cluster-repo-example'));

    let apiServer: KubeApiServer | undefined;
    let kubeconfig = opts.kubeconfigPath;
    if (!kubeconfig) {
      apiServer = await startKubeApiServer({ namespaces: ['default', SANDBOX_NAMESPACE], dir });
      closers.push(() => apiServer!.close());
      kubeconfig = apiServer.kubeconfigPath;
    }
    await writeAgentTokenSecret(kubeconfig, SANDBOX_NAMESPACE, agentToken);
    if (opts.agentSpecsInCluster) await applyAgentSpecs(kubeconfig, SANDBOX_NAMESPACE, opts.seedDir ?? join(PROJECT_ROOT, 'cluster-repo-example'));

    let syncer: Syncer | undefined;
    if (opts.syncer ?? true) {
      syncer = startSyncer({
        gitUrl,
        username: gitUsername,
        token: gitToken,
        path: 'agents',
        kubeconfigPath: kubeconfig,
        namespace: SANDBOX_NAMESPACE,
        intervalMs: opts.syncIntervalMs ?? 1000,
        log: (l) => log(`syncer: ${l}`),
      });
      closers.push(() => syncer!.close());
    }
    let kubelet: Kubelet | undefined;
    if (opts.kubelet ?? apiServer !== undefined) {
      kubelet = await startKubelet({
        kubeconfigPath: kubeconfig,
        namespace: SANDBOX_NAMESPACE,
        runDelayMs: opts.kubeletRunDelayMs ?? 300,
        unpullableImages: opts.unpullableImages ?? [],
        failShare: opts.failShare ?? 0,
        crashingImages: opts.crashingImages ?? {},
        log: (l) => log(`kubelet: ${l}`),
      });
      closers.push(() => kubelet!.close());
    }
    const agents = await startAgentSimulator({ kubeconfigPath: kubeconfig, namespace: SANDBOX_NAMESPACE, log: (l) => log(`agents: ${l}`) });
    closers.push(() => agents.close());

    const info: SandboxInfo = {
      azdoUrl: azdo.orgUrl,
      token: azdo.token,
      pool: SANDBOX_POOL,
      gitUrl,
      gitUsername,
      gitToken,
      kubeconfig,
      adminUrl: azdo.adminUrl,
      namespace: SANDBOX_NAMESPACE,
      agentToken,
    };
    return {
      info,
      azdo,
      git,
      apiServer,
      syncer,
      kubelet,
      agents,
      reconcilerEnv: (stateDir) => ({
        AZDO_ORG_URL: info.azdoUrl,
        AZDO_TOKEN: info.token,
        GIT_URL: info.gitUrl,
        GIT_USERNAME: info.gitUsername,
        GIT_TOKEN: info.gitToken,
        KUBECONFIG: info.kubeconfig,
        TARGET_NAMESPACE: info.namespace,
        STATE_DIR: stateDir,
        POLL_INTERVAL_SECONDS: '2',
        HTTP_PORT: '0',
      }),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

// End-to-end world: the sandbox (emulated Azure DevOps, real git server, simulated or real
// cluster) plus the reconciler, unmodified, as a child process running `azdo-gitops run`.
import { spawn, type ChildProcess } from 'node:child_process';
export { eventually } from './eventually.ts';
import { capViolationsInHistory } from './capHistory.ts';
import { runCli } from './runCli.ts';
import { useFixture } from './useFixture.ts';
import type { RealFlux } from './realCluster.ts';
import { afterEach } from 'node:test';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { PLACEHOLDER_CAPABILITY } from '../../reconciler/agentspec/placeholderCapabilities.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, REVISION_LABEL } from '../../reconciler/manifests/labels.ts';
import { AdminClient, type AdminAgent } from '../../sandbox/azdo/adminClient.ts';
import { runGit } from '../../sandbox/git/index.ts';
import { PROJECT_ROOT, startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/index.ts';

export interface ReconcilerProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface Commit {
  readonly oid: string;
  readonly author: string;
  readonly subject: string;
  readonly body: string;
}

export interface World {
  readonly sandbox: Sandbox;
  readonly admin: AdminClient;
  readonly core: CoreV1Api;
  readonly namespace: string;
  /** Starts `azdo-gitops run` against the sandbox; `entry` is the CLI script (default: the source). */
  startReconciler(extraEnv?: Record<string, string>, entry?: string): ReconcilerProcess;
  /** Runs one CLI command to completion; `entry` is the script, or node's flags followed by it. */
  cli(args: readonly string[], extraEnv?: Record<string, string>, entry?: string | readonly string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Pod manifest paths on main. */
  manifests(): Promise<string[]>;
  /** Commits on main, newest first. */
  commits(): Promise<Commit[]>;
  /** Every blob and message of every commit, as one text (for secret scans). */
  history(): Promise<string>;
  pods(): Promise<V1Pod[]>;
  /** The spec revision label of a managed pod, undefined when the pod is gone. */
  revisionOf(pod: string): Promise<string | undefined>;
  /** Registered agents that are not placeholders. */
  agents(): Promise<AdminAgent[]>;
  placeholders(): Promise<AdminAgent[]>;
  /** Commits and pushes files as a person, over HTTP with the real git CLI. */
  pushAsPerson(files: Record<string, string | null>, message: string): Promise<string>;
  /** The world as it is now, for a failed test's report: git, pods, agents, the sandbox's and the cluster's last log lines. */
  diagnose(): Promise<string>;
  close(): Promise<void>;
}

let clones = 0;

/**
 * A one-agent AgentSpec (standby 0, maxAgents 1) whose inline template runs `image`, for
 * scenarios about pods that cannot start: capability and prefix are its name.
 */
export function inlineAgentSpec(o: { name: string; image: string; secret?: string; extra?: string }): string {
  return `apiVersion: azdo.gitops.dev/v1alpha1
kind: AgentSpec
metadata:
  name: ${o.name}
  namespace: azdo-agents
spec:
  pool: k8s-agents
  prefix: ${o.name}
  capabilities: [Agent.OS=Linux, ${o.name}]
  standby: 0
  maxAgents: 1
  template:
    spec:
      containers:
        - name: agent
          image: ${o.image}
          args: ["--once"]
  tokenSecretRef: {name: ${o.secret ?? 'azdo-agent-token'}, key: token}
${o.extra ?? ''}`;
}

/** An AgentSpec file of cluster-repo-example, as shipped (e.g. `linux.yaml`). */
export const exampleSpec = (file: string): Promise<string> => readFile(join(PROJECT_ROOT, 'cluster-repo-example/agentspecs', file), 'utf8');

/** The CLI as a checkout runs it (`npm start`, `npm run cli`): the TypeScript source, type-stripped by Node.js 24. */
export const SOURCE_ENTRY = join(PROJECT_ROOT, 'reconciler/main.ts');

/** The sandbox's own entry point (`npm start`, `npm run sandbox`, `npm run demo`): run | serve | demo. */
export const SANDBOX_ENTRY = join(PROJECT_ROOT, 'sandbox/cli/main.ts');

/**
 * Which cluster the suite runs on: `sandbox` (the simulated API server, syncer and kubelet) or
 * `real` (a real kube-apiserver with RBAC, kube-scheduler, kwok and real Flux; see
 * tools/real-cluster). Set by AZDO_GITOPS_BACKEND; the same scenarios run on both.
 */
export const BACKEND: 'sandbox' | 'real' = process.env.AZDO_GITOPS_BACKEND === 'real' ? 'real' : 'sandbox';

interface ClusterBackend {
  /** Environment the reconciler gets on top of the sandbox's (on the real backend: its ServiceAccount kubeconfig). */
  readonly reconcilerEnv: Readonly<Record<string, string>>;
  /** The cluster side of World.diagnose (on `real`: Flux's objects and its controllers' and kwok's logs). */
  diagnose(): Promise<string>;
  /** Stops everything, the sandbox included. */
  stop(): Promise<void>;
}

/** Lines of each log a failed test's report quotes. */
const REPORT_LOG_LINES = 30;
const lastLines = (text: string): string => text.trimEnd().split('\n').slice(-REPORT_LOG_LINES).join('\n');

/** Starts the sandbox on the chosen backend: on `real`, Flux syncs the repo and kwok runs the pods. */
async function startBackend(opts: SandboxOptions, kind: 'sandbox' | 'real'): Promise<{ sandbox: Sandbox; backend: ClusterBackend }> {
  if (kind === 'sandbox') {
    const sandbox = await startSandbox(opts);
    return { sandbox, backend: { reconcilerEnv: {}, diagnose: async () => '', stop: () => sandbox.close() } };
  }
  const { startRealCluster } = await import('./realCluster.ts');
  const cluster = await startRealCluster({ withFlux: true });
  try {
    const sandbox = await startSandbox({ ...opts, kubeconfigPath: cluster.kubeconfigPath, syncer: false, kubelet: false });
    // Named as in cluster-repo-example, whose Role lets the reconciler nudge it (SYNC_REQUEST).
    const flux = await cluster.startFlux({
      gitUrl: sandbox.info.gitUrl,
      path: './agents',
      username: sandbox.info.gitUsername,
      password: sandbox.info.gitToken,
      interval: '30s',
      name: 'cluster',
    });
    await fluxApplied(flux);
    return {
      sandbox,
      backend: {
        reconcilerEnv: { KUBECONFIG: cluster.reconcilerKubeconfigPath, SYNC_REQUEST: `flux:${flux.namespace}/${flux.name}` },
        diagnose: async () => {
          const objects = await cluster.kubectl(['get', 'gitrepositories.source.toolkit.fluxcd.io,kustomizations.kustomize.toolkit.fluxcd.io', '-n', flux.namespace, '-o', 'json'], { allowFail: true });
          const events = await cluster.kubectl(['get', 'events', '-n', cluster.namespace, '--sort-by=.lastTimestamp', '-o', 'custom-columns=AT:.lastTimestamp,OBJECT:.involvedObject.name,REASON:.reason,MESSAGE:.message'], { allowFail: true });
          return [
            `Flux objects:\n${objects.code === 0 ? fluxStatus(objects.stdout) : objects.stderr}`,
            `events in ${cluster.namespace}:\n${lastLines(events.code === 0 ? events.stdout : events.stderr)}`,
            ...['source-controller', 'kustomize-controller', 'kwok'].map((c) => `${c} log:\n${cluster.logTail(c, REPORT_LOG_LINES)}`),
          ].join('\n\n');
        },
        stop: async () => {
          await flux.stop();
          await sandbox.close();
          await cluster.stop();
        },
      },
    };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

/**
 * Resolves once Flux has applied the seed commit. Its first Kustomization reconcile can run before
 * the GitRepository's first artifact and then waits out its retryInterval (30 s); a scenario's
 * first push would wait behind it, twice when the source's first fetch fails too. So the world
 * nudges both until the Kustomization is applied, and every scenario starts with Flux settled.
 */
async function fluxApplied(flux: RealFlux, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await flux.reconcile();
    try {
      await flux.waitForApplied({ timeoutMs: 5_000 });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
}

/** Each Flux object's conditions and revisions, one line each, from `kubectl get -o json`. */
function fluxStatus(json: string): string {
  interface FluxObject {
    kind: string;
    metadata: { name: string };
    status?: { conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[]; artifact?: { revision?: string }; lastAppliedRevision?: string; lastHandledReconcileAt?: string };
  }
  const { items } = JSON.parse(json) as { items: FluxObject[] };
  return items
    .map((o) => {
      const conditions = (o.status?.conditions ?? []).map((c) => `${c.type}=${c.status} (${c.reason ?? ''} since ${c.lastTransitionTime ?? '?'}): ${c.message ?? ''}`);
      const revisions = `artifact ${o.status?.artifact?.revision ?? '-'}, applied ${o.status?.lastAppliedRevision ?? '-'}, last handled request ${o.status?.lastHandledReconcileAt ?? '-'}`;
      return `${o.kind}/${o.metadata.name}: ${revisions}\n  ${conditions.join('\n  ')}`;
    })
    .join('\n');
}

/** @param kind `sandbox` for scenarios that need a sandbox-only fault (test/e2e/sandboxOnly/). */
export async function startWorld(opts: SandboxOptions = {}, kind: 'sandbox' | 'real' = BACKEND): Promise<World> {
  const sandboxLog: string[] = [];
  const { sandbox, backend } = await startBackend({
    ...opts,
    log: (line) => {
      sandboxLog.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
      if (sandboxLog.length > REPORT_LOG_LINES) sandboxLog.shift();
      opts.log?.(line);
    },
  }, kind);
  const tmp = await mkdtemp(join(tmpdir(), 'azdo-gitops-e2e-'));
  const procs: ReconcilerProcess[] = [];
  const kc = new KubeConfig();
  kc.loadFromFile(sandbox.info.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const gitDir = join(sandbox.git.root, 'cluster.git');
  const bare = (args: readonly string[]) => runGit(['--git-dir', gitDir, ...args], tmp);
  const authEnv = {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`${sandbox.info.gitUsername}:${sandbox.info.gitToken}`).toString('base64')}`,
  };
  const reconcilerEnv = (extra: Record<string, string>, stateDir: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...sandbox.reconcilerEnv(stateDir),
    ...backend.reconcilerEnv,
    POLL_INTERVAL_SECONDS: '1',
    LOG_LEVEL: 'debug',
    ...extra,
  });
  // The settings of the last command that could commit (`run`, `once`): the caps the history is checked against.
  let lastEnv: NodeJS.ProcessEnv = reconcilerEnv({}, tmp);

  const startReconciler = (extraEnv: Record<string, string> = {}, entry = SOURCE_ENTRY): ReconcilerProcess => {
    lastEnv = reconcilerEnv(extraEnv, join(tmp, 'state'));
    const child = spawn(process.execPath, [entry, 'run'], {
      env: lastEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | string>((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig ?? -1)));
    const p: ReconcilerProcess = {
      child,
      output: () => out,
      exited,
      stop: async (signal = 'SIGTERM') => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exited;
      },
    };
    procs.push(p);
    return p;
  };

  const cli = async (args: readonly string[], extraEnv: Record<string, string> = {}, entry: string | readonly string[] = SOURCE_ENTRY) => {
    const env = reconcilerEnv({ LOG_LEVEL: 'warn', ...extraEnv }, join(tmp, `cli-state-${++clones}`));
    const r = await runCli(entry, args, { env });
    if (args[0] === 'once' && r.code !== 2) lastEnv = env; // exit 2: refused its settings, committed nothing
    return { code: typeof r.code === 'number' ? r.code : -1, stdout: r.stdout, stderr: r.stderr };
  };

  const pods = async (): Promise<V1Pod[]> =>
    (await core.listNamespacedPod({ namespace: sandbox.info.namespace, labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}` })).items;
  const admin = new AdminClient(sandbox.info.adminUrl);
  const isPlaceholder = (a: AdminAgent) => a.userCapabilities?.[PLACEHOLDER_CAPABILITY] !== undefined;

  return {
    sandbox,
    admin,
    core,
    namespace: sandbox.info.namespace,
    startReconciler,
    cli,
    manifests: async () => {
      const { stdout } = await bare(['ls-tree', '-r', '--name-only', 'main', '--', 'agents/pods']);
      return stdout.split('\n').filter((l) => l.endsWith('.yaml'));
    },
    commits: async () => {
      const { stdout } = await bare(['log', '--format=%H%x1f%an%x1f%s%x1f%b%x1e', 'main']);
      return stdout
        .split('\x1e')
        .map((r) => r.trim())
        .filter((r) => r.length > 0)
        .map((r) => {
          const [oid = '', author = '', subject = '', body = ''] = r.split('\x1f');
          return { oid, author, subject, body };
        });
    },
    history: async () => (await bare(['log', '--all', '-p', '--format=%H%n%an <%ae>%n%B'])).stdout,
    pods,
    revisionOf: async (pod) => (await pods()).find((p) => p.metadata?.name === pod)?.metadata?.labels?.[REVISION_LABEL],
    agents: async () => (await admin.state()).agents.filter((a) => !isPlaceholder(a)),
    placeholders: async () => (await admin.state()).agents.filter(isPlaceholder),
    pushAsPerson: async (files, message) => {
      const dir = join(tmp, `person-${++clones}`);
      await runGit(['clone', '--quiet', sandbox.info.gitUrl, dir], tmp, authEnv);
      for (const [rel, content] of Object.entries(files)) {
        const file = join(dir, rel);
        if (content === null) await rm(file, { force: true });
        else {
          await mkdir(join(file, '..'), { recursive: true });
          await writeFile(file, content);
        }
      }
      const person = { ...authEnv, GIT_AUTHOR_NAME: 'person', GIT_AUTHOR_EMAIL: 'person@example.com', GIT_COMMITTER_NAME: 'person', GIT_COMMITTER_EMAIL: 'person@example.com' };
      await runGit(['add', '-A'], dir, person);
      await runGit(['commit', '--quiet', '-m', message], dir, person);
      await runGit(['push', '--quiet', 'origin', 'main'], dir, person);
      return (await runGit(['rev-parse', 'HEAD'], dir)).stdout.trim();
    },
    diagnose: async () => {
      const state = await admin.state();
      const manifests = (await bare(['ls-tree', '-r', '--name-only', 'main', '--', 'agents/pods'])).stdout.trim().split('\n');
      const sections = [
        `git main: ${(await bare(['log', '-1', '--format=%H %an: %s', 'main'])).stdout.trim()}`,
        `manifests on main:\n  ${manifests.join('\n  ')}`,
        `pods:\n  ${(await pods()).map((p) => `${p.metadata?.name} ${p.status?.phase ?? '?'}${p.metadata?.deletionTimestamp ? ' (deleting)' : ''}`).join('\n  ')}`,
        `agents:\n  ${state.agents.map((a) => `${a.name} ${a.status} ${a.enabled ? 'enabled' : 'disabled'}${isPlaceholder(a) ? ' (placeholder)' : ''}`).join('\n  ')}`,
        `sandbox log:\n${sandboxLog.join('\n')}`,
        ...procs.map((p, i) => `reconciler ${i + 1} (pid ${p.child.pid}) output:\n${lastLines(p.output())}`),
        await backend.diagnose(),
      ];
      return sections.filter((s) => s !== '').join('\n\n');
    },
    close: async () => {
      for (const p of procs) await p.stop('SIGKILL');
      // Every scenario ends by proving the caps held in every commit the reconciler pushed.
      const violations = await capViolationsInHistory(gitDir, tmp, lastEnv).catch((err: Error) => [`cannot check the cap invariant: ${err.message}`]);
      await backend.stop();
      await rm(tmp, { recursive: true, force: true });
      if (violations.length > 0) throw new Error(`the cap invariant broke:\n  ${violations.join('\n  ')}`);
    },
  };
}


/**
 * pushAsPerson, retried when the push loses a race with the running reconciler (each attempt
 * clones the new tip afresh), as a person would pull and push again.
 */
export async function pushAsPersonRetrying(world: World, files: Record<string, string | null>, message: string, attempts = 5): Promise<string> {
  for (let i = 1; ; i++) {
    try {
      return await world.pushAsPerson(files, message);
    } catch (err) {
      if (i >= attempts || !/rejected|fetch first|non-fast-forward/.test(String((err as Error)?.message ?? err))) throw err;
      await new Promise((r) => setTimeout(r, 200 * i));
    }
  }
}

/**
 * One world per describe block: started in `before`, closed in `after`. The returned object
 * forwards to the started world, so tests read `world.agents()` as usual.
 */
export function useWorld(opts: SandboxOptions = {}, kind: 'sandbox' | 'real' = BACKEND): World {
  const world = useFixture(() => startWorld(opts, kind), (w) => w.close());
  // A failed test reports the world it left (a timeout alone does not say which part stalled).
  afterEach(async (t) => {
    // `passed` is node:test's (since 20.12), missing from @types/node's TestContext.
    if ((t as { passed?: boolean }).passed !== false) return;
    const report = await world.diagnose().catch((err: Error) => `(no report: ${err.message})`);
    process.stderr.write(`\n--- the world after "${t.name}" failed ---\n${report}\n--- end of the world's report ---\n`);
  });
  return world;
}

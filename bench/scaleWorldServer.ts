// The world of bench/scale.ts, in its own process so the reconciler's figures are its own: the
// Azure DevOps emulator (5 pools, agents with ~60 capabilities each, busy with running jobs, a
// queue of jobs), the git server (50 specs, one pod manifest per agent, 10,000 commits of
// history), and the simulated API server with one Running pod per manifest. A small syncer
// applies what the reconciler commits (pods added and deleted), and the world measures from the
// outside what the reconciler achieves: a completed pod's manifest gone and its agent
// unregistered, a queued job's pod created. Driven over IPC by bench/scale.ts.
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, type V1Pod, type V1PodStatus } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { readSpecCandidates, settleSpecs } from '../reconciler/agentspec/loadSpecs.ts';
import { DEFAULT_DEADLINES } from '../reconciler/agentspec/agentSpec.ts';
import { fileChanges } from '../reconciler/manifests/fileChanges.ts';
import { runBounded } from '../reconciler/support/runBounded.ts';
import { startAzdoEmulator, type AzdoEmulator } from '../sandbox/azdo/index.ts';
import type { Agent, Job } from '../sandbox/azdo/state.ts';
import { startKubeApiServer } from '../sandbox/cluster/apiserver/index.ts';
import { runGit, startGitServer } from '../sandbox/git/index.ts';
import { agentSystemCapabilities, poolName, POOLS, sizesAt, specCapabilities, specName, worldJob } from './scaleWorld.ts';
import { fastImport } from './fastImport.ts';

const NAMESPACE = 'azdo-agents';
const AGENT_VERSION = '4.260.0';
const FAST_CAPABILITY = 'bench-fast';
const LONG_MS = 24 * 3600_000;
/** Between two pods of a round completing: a round of 100 takes ~1 s. */
const COMPLETION_GAP_MS = 10;

export type WorldRequest =
  | { readonly op: 'complete'; readonly count: number }
  | { readonly op: 'queueFast'; readonly count: number }
  | { readonly op: 'stats' }
  | { readonly op: 'resetStats' }
  | { readonly op: 'close' };

export interface WorldInfo {
  readonly env: Record<string, string>;
  readonly agents: number;
  readonly queuedJobs: number;
  readonly specs: number;
  readonly pools: number;
  readonly historyCommits: number;
}

function specYaml(s: number, maxAgents: number, fast: boolean): string {
  const caps = specCapabilities(s).map((c) => (c.value === undefined ? c.name : `${c.name}=${c.value}`));
  if (fast) caps.push(FAST_CAPABILITY);
  return [
    'apiVersion: azdo.gitops.dev/v1alpha1',
    'kind: AgentSpec',
    'metadata:',
    `  name: ${specName(s)}`,
    `  namespace: ${NAMESPACE}`,
    'spec:',
    `  pool: ${poolName(s % POOLS)}`,
    `  prefix: ${specName(s)}`,
    '  capabilities:',
    ...caps.map((c) => `    - ${c}`),
    '  standby: 0',
    `  maxAgents: ${maxAgents}`,
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: agent',
    '          image: registry.example.com/azure-pipelines-agent:ubuntu-24.04',
    '          args: ["--once"]',
    '  tokenSecretRef:',
    '    name: azdo-agent-token',
    '    key: token',
    '',
  ].join('\n');
}


/** `count` commits of agent churn on main (a pod file written, then deleted), the tip tree unchanged. */
function churn(count: number): string {
  const parts: string[] = [];
  let clock = 1_767_225_600;
  for (let i = 0; i < count; i++) {
    const msg = `azdo-gitops: churn ${i}\n\n[skip ci]\n`;
    const file = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: churn-${i}\n`;
    parts.push('commit refs/heads/main', `committer azdo-gitops <azdo-gitops@users.noreply.local> ${clock++} +0000`, `data ${Buffer.byteLength(msg)}`, msg);
    if (i === 0) parts.push('from refs/heads/main^0');
    parts.push(i === count - 1 ? 'D agents/pods/churn/churn.yaml' : `M 100644 inline agents/pods/churn/churn.yaml\ndata ${Buffer.byteLength(file)}\n${file}`, '');
  }
  return parts.join('\n') + '\n';
}

async function main(): Promise<void> {
  const scale = Number(process.env.BENCH_SCALE ?? '1');
  const historyCommits = Number(process.env.BENCH_HISTORY ?? '10000');
  // BENCH_QUEUED: another queue length than the scale's (bench/pruneLatency.ts keeps it short).
  const sizes = { ...sizesAt(scale), ...(process.env.BENCH_QUEUED ? { jobs: Number(process.env.BENCH_QUEUED) } : {}) };
  const started = Date.now();
  const step = (what: string): void => void process.stderr.write(`world: [${((Date.now() - started) / 1000).toFixed(0)} s] ${what}\n`);
  const dir = await mkdtemp(join(tmpdir(), 'azdo-gitops-bench-world-'));
  const closers: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const send = (m: unknown) => process.send!(m);

  const azdo: AzdoEmulator = await startAzdoEmulator({
    pools: Array.from({ length: POOLS }, (_, p) => poolName(p)),
    sessionIdleTimeoutMs: LONG_MS,
    minAgentVersion: '3.0.0',
    throttle: { tstuPerWindow: 1e9 },
  });
  closers.push(() => azdo.close());
  const { state, scheduler } = azdo.emu;
  const gitUsername = 'azdo-gitops';
  const gitToken = 'bench-git-token-0123456789';
  const git = await startGitServer({ username: gitUsername, token: gitToken, root: join(dir, 'git') });
  closers.push(() => git.close());
  const api = await startKubeApiServer({ namespaces: ['default', NAMESPACE], dir });
  closers.push(() => api.close());
  const kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);

  // Specs: every spec at its cap (maxAgents = its agents), so the queue waits and passes are
  // steady; spec 0 also offers `bench-fast` with room, for the queued → pod figure. Its room
  // holds every queued job of its pool and 100 more: the queued jobs the capped specs cannot take
  // overflow into it first (first come, first served), over 1,000 of them at scale 10, and a
  // fixed room of 1,000 left none for a job queued later.
  const fastRoom = Array.from({ length: sizes.jobs }, (_, j) => worldJob(j, sizes.specs)).filter((j) => j.pool === poolName(0)).length + 100;
  const perSpec = Math.ceil(sizes.agents / sizes.specs);
  const seed = join(dir, 'seed');
  await mkdir(join(seed, 'agentspecs'), { recursive: true });
  await mkdir(join(seed, 'agents'), { recursive: true });
  const specFiles = Array.from({ length: sizes.specs }, (_, s) => ({
    path: `agentspecs/${specName(s)}.yaml`,
    content: specYaml(s, s === 0 ? perSpec + fastRoom : perSpec, s === 0),
  }));
  const defaults = {
    pool: 'unused', standby: 0, maxAgents: 10, namespace: NAMESPACE,
    tokenSecretRef: { name: 'azdo-agent-token', key: 'token' }, deadlines: DEFAULT_DEADLINES,
  };
  const parsed = settleSpecs(readSpecCandidates(specFiles, new Map(), defaults), {});
  if (parsed.specs.length !== sizes.specs) throw new Error(`bench specs do not parse: ${JSON.stringify(parsed.errors.slice(0, 3))}`);
  const add = Array.from({ length: sizes.agents }, (_, i) => {
    const spec = parsed.specs[i % sizes.specs]!;
    return { podName: `${spec.prefix}-s${i.toString(36).padStart(5, '0')}`, specName: spec.name, reason: 'standby' as const, jobRequestIds: [] };
  });
  const files = fileChanges(
    { add, remove: [], unregister: [], registerPlaceholders: [], unmatchedJobs: [], summaries: [], foreignAgents: [] },
    { agentsPath: 'agents', orgUrl: azdo.orgUrl, now: new Date(), specs: parsed.specs, files: new Map(), sentinelNamespace: NAMESPACE },
  );
  for (const f of [...specFiles, ...files]) {
    await mkdir(join(seed, f.path, '..'), { recursive: true });
    await writeFile(join(seed, f.path), f.content!);
  }
  step(`${files.length} manifests and ${specFiles.length} specs written`);
  const gitUrl = await git.createRepo('cluster', seed);
  const bare = join(git.root, 'cluster.git');
  await fastImport(bare, churn(historyCommits));
  step(`repository created, ${historyCommits} commits of history`);

  // Agents: registered, online (a session), busy with a running job; the pod Running.
  const podOf = new Map<string, { agentId: number; jobId: number }>();
  // Built in one scheduling batch: a pass per queued job is jobs × (jobs + agents) at 10,000
  // agents. All agents first, then their jobs: each job assigned as a pass would have assigned it
  // while agents registered one by one, the pool's agents up to its own frozen as its matchedAgents.
  scheduler.batch(() => {
    const registered: Agent[] = [];
    for (const a of add) {
      const spec = parsed.specs.find((s) => s.name === a.specName)!;
      const pool = state.poolByName(spec.pool)!;
      const now = Date.now();
      const agent: Agent = {
        id: state.newAgentId(), poolId: pool.id, name: a.podName, version: AGENT_VERSION, osDescription: 'Linux',
        enabled: true, maxParallelism: 1, createdOn: now, statusChangedOn: now,
        systemCapabilities: agentSystemCapabilities(spec.name, agentIdHint(a.podName)),
        userCapabilities: Object.fromEntries(spec.capabilities.map((c) => [c.name, c.value ?? ''])),
        authorization: undefined, assignedRequestId: undefined, lastCompletedRequestId: undefined, cooldownUntil: 0,
      };
      state.agents.set(agent.id, agent);
      state.sessions.set(`session-${agent.id}`, { sessionId: `session-${agent.id}`, poolId: pool.id, agentId: agent.id, ownerName: a.podName, createdAt: now, lastPollAt: now, waiters: new Set() });
      registered.push(agent);
    }
    const poolSoFar = new Map<number, number[]>();
    for (const agent of registered) {
      const soFar = poolSoFar.get(agent.poolId) ?? poolSoFar.set(agent.poolId, []).get(agent.poolId)!;
      soFar.push(agent.id);
      const now = Date.now();
      // BENCH_RUNNING_MATCH=own: the running job demands its own agent, so the job listing carries
      // one matched agent per running job instead of the pool's ~200 (bench/pruneLatency.ts uses it
      // to measure the pass's git and apply work apart from the listing's size).
      const own = process.env.BENCH_RUNNING_MATCH === 'own';
      const demands = own ? [`Agent.Name -equals ${agent.systemCapabilities['Agent.Name']}`] : ['docker'];
      const job: Job = scheduler.queueJob({ poolId: agent.poolId, demands, durationMs: LONG_MS, name: `running-${agent.name}` });
      Object.assign(job, {
        assignTime: now, receiveTime: now, reservedAgentId: agent.id, reservedAgentName: agent.name, lockedUntil: now + LONG_MS,
        matchedAgentIds: own ? [agent.id] : [...soFar],
      });
      agent.assignedRequestId = job.requestId;
      podOf.set(agent.name, { agentId: agent.id, jobId: job.requestId });
    }
    // A person's agent per pool offers `fortran`: jobs demanding it are accepted, and no spec serves them.
    for (let p = 0; p < POOLS; p++) {
      const pool = state.poolByName(poolName(p))!;
      const now = Date.now();
      const id = state.newAgentId();
      state.agents.set(id, {
        id, poolId: pool.id, name: `build-box-${p}`, version: AGENT_VERSION, osDescription: 'Linux',
        enabled: true, maxParallelism: 1, createdOn: now, statusChangedOn: now, systemCapabilities: { 'Agent.Name': `build-box-${p}` },
        userCapabilities: { fortran: '' }, authorization: undefined,
        assignedRequestId: undefined, lastCompletedRequestId: undefined, cooldownUntil: 0,
      });
    }
    // The queue: jobs of every pool with mixed demands (Agent.Version is added by the service).
    for (let j = 0; j < sizes.jobs; j++) {
      const job = worldJob(j, sizes.specs);
      scheduler.queueJob({ poolId: state.poolByName(job.pool)!.id, demands: job.demands, durationMs: LONG_MS, name: `queued-${j}` });
    }
  });

  step(`${sizes.agents} agents and ${sizes.jobs} queued jobs in the emulator`);
  // Pods, Running, as the kubelet would leave them, seeded in process (over HTTPS, 10,000 pods
  // took ~100 s of CPU and most of the world's build on a loaded machine).
  const seedRunningPod = (pod: V1Pod): void => {
    rememberJobs(pod);
    // The objects as JSON, as they would arrive (dates as strings).
    api.seedPod(NAMESPACE, { ...pod, metadata: { ...pod.metadata, namespace: NAMESPACE } }, asJson(runningStatus(new Date())));
  };
  for (const f of files) if (f.path.startsWith('agents/pods/')) seedRunningPod(parseYaml(f.content!) as V1Pod);

  step('pods running');
  // The syncer: every commit's pod files added or deleted, applied; removal times recorded.
  const manifestGoneAt = new Map<string, number>();
  const podCreatedAt = new Map<string, number>();
  let applied = await mainTip(bare);
  let syncing = false;
  const sync = async (): Promise<void> => {
    if (syncing) return;
    syncing = true;
    try {
      const tip = await mainTip(bare);
      if (tip === applied) return;
      const diff = (await runGit(['diff', '--name-status', '--no-renames', applied, tip, '--', 'agents/pods'], bare)).stdout;
      const now = Date.now();
      const lines = diff.split('\n').filter(Boolean).map((line) => {
        const [status, path] = line.split('\t') as [string, string];
        return { status, path, name: path.split('/').pop()!.replace(/\.ya?ml$/, '') };
      });
      // A manifest is gone from git when the commit removing it is seen, not once this syncer
      // has applied the rest of the commit: one at a time, a round's 100 new pods (a git show and
      // two API calls each) took ~30 s at scale 10, and the deletes behind them in path order
      // were counted that late.
      for (const l of lines) if (l.status === 'D') manifestGoneAt.set(l.name, now);
      // Applied several at a time, deletes first, as a GitOps syncer applies a commit.
      const deletes = lines.filter((l) => l.status === 'D');
      const adds = lines.filter((l) => l.status === 'A');
      await runBounded(deletes.map((l) => () => core.deleteNamespacedPod({ name: l.name, namespace: NAMESPACE, gracePeriodSeconds: 0 }).then(() => {}, () => {})), 8);
      // Created in process: over HTTPS (two calls a pod, this process serving the job listings
      // too) a first pass's ~1,750 new pods were still being applied minutes later at scale 10.
      await runBounded(adds.map((l) => async () => {
        const content = (await runGit(['show', `${tip}:${l.path}`], bare)).stdout;
        seedRunningPod(parseYaml(content) as V1Pod);
        podCreatedAt.set(l.name, Date.now());
      }), 8);
      applied = tip;
    } finally {
      syncing = false;
    }
  };
  const syncTimer = setInterval(() => void sync().catch((e: unknown) => process.stderr.write(`world sync: ${String(e)}\n`)), 100);
  closers.push(async () => clearInterval(syncTimer));

  const info: WorldInfo = {
    env: {
      AZDO_ORG_URL: azdo.orgUrl,
      AZDO_TOKEN: azdo.token,
      GIT_URL: gitUrl,
      GIT_USERNAME: gitUsername,
      GIT_TOKEN: gitToken,
      KUBECONFIG: api.kubeconfigPath,
      TARGET_NAMESPACE: NAMESPACE,
      // The global cap above the world's agents: each spec's own maxAgents is what binds.
      MAX_AGENTS: String(sizes.agents + fastRoom + 1000),
    },
    agents: sizes.agents,
    queuedJobs: sizes.jobs,
    specs: sizes.specs,
    pools: POOLS,
    historyCommits,
  };

  let completedSoFar = 0;
  process.on('message', (msg: WorldRequest) => void (async () => {
    if (msg.op === 'complete') {
      // The syncer's backlog first (at scale 10 the warm-up's ~1,600 new pods took it a minute):
      // pods completed while the world's own process is busy applying them complete slowly.
      const settleBy = Date.now() + 120_000;
      while ((syncing || applied !== (await mainTip(bare))) && Date.now() < settleBy) await new Promise((r) => setTimeout(r, 100));
      // The agent finishes its job and exits; the pod's container ends: Succeeded.
      const names = [...podOf.keys()].slice(completedSoFar, completedSoFar + msg.count);
      completedSoFar += names.length;
      const started = new Map<string, number>();
      const latencies: number[] = [];
      let completing = true;
      let deadline = Number.POSITIVE_INFINITY; // 120 s after the last pod completed
      // Watched while the pods complete one after another (the round takes seconds): watched
      // only after the last, the first pods' latencies included the rest of the round.
      const watched = (async () => {
        while (completing || (started.size > 0 && Date.now() < deadline)) {
          const registered = new Set([...state.agents.values()].map((a) => a.name));
          for (const [name, at] of started) {
            const gone = manifestGoneAt.get(name);
            if (gone !== undefined && !registered.has(name)) {
              latencies.push(Math.max(gone, Date.now()) - at);
              started.delete(name);
            }
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      for (const name of names) {
        const { agentId, jobId } = podOf.get(name)!;
        const job = state.jobs.get(jobId)!;
        scheduler.finish(job, 'succeeded');
        const session = state.sessionOfAgent(agentId);
        if (session) scheduler.removeSession(session);
        started.set(name, Date.now());
        api.setPodStatus(NAMESPACE, name, (pod) => {
          const status = pod.status as V1PodStatus;
          return asJson({
            ...status,
            phase: 'Succeeded',
            containerStatuses: (status.containerStatuses ?? []).map((c) => ({ ...c, ready: false, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: status.startTime, finishedAt: new Date() } } })),
          });
        });
        // One after another at a set pace, in process: over HTTPS (a read and a write a pod) a
        // round took this process, busy serving the job listings, from 1 s to ~40 s.
        await new Promise((r) => setTimeout(r, COMPLETION_GAP_MS));
      }
      deadline = Date.now() + 120_000;
      completing = false;
      await watched;
      send({ op: 'complete', latencies, timedOut: names.length - latencies.length });
    } else if (msg.op === 'queueFast') {
      const pool = state.poolByName(poolName(0))!;
      const latencies: number[] = [];
      for (let i = 0; i < msg.count; i++) {
        const queuedAt = Date.now();
        const job = scheduler.queueJob({ poolId: pool.id, demands: [FAST_CAPABILITY], durationMs: LONG_MS, name: `fast-${i}` });
        const deadline = queuedAt + 30_000;
        let pod: string | undefined;
        while (pod === undefined && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
          pod = podFor(job.requestId, podCreatedAt);
        }
        if (pod !== undefined) latencies.push(podCreatedAt.get(pod)! - queuedAt);
        // The job stays queued (no agent ever registers in this world): its pod stays pinned to
        // it, so the next job needs a pod of its own, as a burst would.
      }
      send({ op: 'queueFast', latencies });
    } else if (msg.op === 'stats') {
      send({ op: 'stats', stats: await adminStats(azdo) });
    } else if (msg.op === 'resetStats') {
      await fetch(`${azdo.adminUrl}/stats`, { method: 'DELETE' });
      send({ op: 'resetStats' });
    } else if (msg.op === 'close') {
      for (const c of closers.reverse()) await c().catch(() => {});
      send({ op: 'closed' });
      process.exit(0);
    }
  })().catch((err: unknown) => {
    process.stderr.write(`world: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }));
  send({ op: 'ready', info });
}

/**
 * The branch's tip, read from its loose ref (git only when the ref is packed): the syncer looks
 * every 100 ms, and spawning git that often cost the world more CPU than serving the reconciler.
 */
async function mainTip(bare: string): Promise<string> {
  const loose = await readFile(join(bare, 'refs', 'heads', 'main'), 'utf8').catch(() => '');
  if (/^[0-9a-f]{40}\s*$/.test(loose)) return loose.trim();
  return (await runGit(['rev-parse', 'refs/heads/main'], bare)).stdout.trim();
}

function agentIdHint(name: string): number {
  return parseInt(name.slice(name.lastIndexOf('-s') + 2), 36) || 0;
}

async function adminStats(azdo: AzdoEmulator): Promise<unknown> {
  return (await fetch(`${azdo.adminUrl}/stats`)).json();
}

/** The pod the syncer created for a job request (its manifest names the request), if any yet. */
function podFor(requestId: number, created: ReadonlyMap<string, number>): string | undefined {
  for (const name of created.keys()) if (podJobs.get(name)?.includes(requestId)) return name;
  return undefined;
}
const podJobs = new Map<string, number[]>();

function rememberJobs(pod: V1Pod): void {
  const jobs = pod.metadata?.annotations?.['azdo.gitops.dev/job-requests'];
  if (jobs) podJobs.set(pod.metadata!.name!, jobs.split(',').map(Number));
}

function runningStatus(at: Date): V1PodStatus {
  return {
    phase: 'Running',
    startTime: at,
    conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }],
    containerStatuses: [{ name: 'agent', image: 'registry.example.com/azure-pipelines-agent:ubuntu-24.04', imageID: '', ready: true, restartCount: 0, started: true, state: { running: { startedAt: at } } }],
  };
}

/** An object as it would arrive as JSON (dates as strings). */
function asJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

void main().catch((err: unknown) => {
  process.stderr.write(`world: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

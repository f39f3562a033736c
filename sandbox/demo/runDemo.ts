// `azdo-gitops sandbox demo`: a job trace through the real reconciler against the sandbox.
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { loadConfig } from '../../reconciler/config/config.ts';
import { startController } from '../../reconciler/loop/controller.ts';
import { createLogger } from '../../reconciler/support/logger.ts';
import { PLACEHOLDER_CAPABILITY } from '../../reconciler/agentspec/placeholderCapabilities.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../reconciler/manifests/labels.ts';
import { AdminClient, AdminRejectedError, type AdminState } from '../azdo/adminClient.ts';
import { startSandbox, type Sandbox } from '../index.ts';
import { defaultTrace, type TraceJob } from './trace.ts';

const run = promisify(execFile);

export interface DemoSummary {
  readonly jobsQueued: number;
  readonly jobsSucceeded: number;
  readonly jobsFailed: number;
  readonly jobsRejected: number;
  readonly maxConcurrentAgents: number;
  readonly scaleUpCommits: number;
  readonly pruneCommits: number;
  readonly agentsRegisteredAtEnd: number;
  readonly placeholdersAtEnd: number;
  readonly standby: number;
  readonly podsAtEnd: number;
  readonly manifestsAtEnd: number;
  readonly jobWaitSeconds: { readonly p50: number; readonly p95: number };
  readonly durationSeconds: number;
  readonly settled: boolean;
  readonly repoDir: string;
  readonly logFile: string;
}

export interface DemoView {
  readonly seconds: number;
  readonly queued: number;
  readonly running: number;
  readonly finished: number;
  readonly total: number;
  readonly rejected: number;
  readonly agents: number;
  readonly busy: number;
  readonly pods: number;
  readonly manifests: number;
}

export interface DemoOptions {
  readonly jobs?: number;
  readonly trace?: readonly TraceJob[];
  readonly onView?: (v: DemoView) => void;
  /** Give up waiting for the pool to settle after this long. */
  readonly timeoutMs?: number;
  readonly sandbox?: Sandbox;
  /** Extra environment for the reconciler (e.g. KUBECONFIG of its ServiceAccount on a real cluster). */
  readonly reconcilerEnv?: Readonly<Record<string, string>>;
}

const isPlaceholder = (a: { userCapabilities?: Record<string, string> }): boolean => a.userCapabilities?.[PLACEHOLDER_CAPABILITY] !== undefined;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[i]! * 100) / 100;
}

async function manifestCount(gitDir: string): Promise<number> {
  const { stdout } = await run('git', ['--git-dir', gitDir, 'ls-tree', '-r', '--name-only', 'main', '--', 'agents/pods']);
  return stdout.split('\n').filter((l) => l.endsWith('.yaml')).length;
}

export async function runDemo(opts: DemoOptions = {}): Promise<DemoSummary> {
  const started = Date.now();
  const sandbox = opts.sandbox ?? (await startSandbox());
  const work = await mkdtemp(join(tmpdir(), 'azdo-gitops-demo-'));
  const logFile = join(work, 'reconciler.log');
  const logStream = createWriteStream(logFile);
  const env = { ...sandbox.reconcilerEnv(join(work, 'state')), POLL_INTERVAL_SECONDS: '1', ...opts.reconcilerEnv };
  const config = loadConfig(env);
  const log = createLogger({ level: 'info', secrets: [config.azdo.token, config.git.token], write: (l) => logStream.write(l + '\n') });
  const controller = await startController(config, log, env);
  const admin = new AdminClient(sandbox.info.adminUrl);
  const kc = new KubeConfig();
  kc.loadFromFile(sandbox.info.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const gitDir = join(sandbox.git.root, 'cluster.git');
  const podCount = async (): Promise<number> =>
    (await core.listNamespacedPod({ namespace: sandbox.info.namespace, labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}` })).items.length;

  const trace = opts.trace ?? defaultTrace(opts.jobs);
  const standby = 1; // cluster-repo-example: linux keeps one idle agent, docker none
  const specs = 2;
  let rejected = 0;
  let maxConcurrent = 0;
  const queued: number[] = [];
  let state: AdminState = await admin.state();
  const agentsOf = (s: AdminState) => s.agents.filter((a) => !isPlaceholder(a));
  const view = async (): Promise<DemoView> => {
    state = await admin.state();
    const mine = new Set(queued);
    const jobs = state.jobs.filter((j) => mine.has(j.requestId));
    const online = agentsOf(state).filter((a) => a.status === 'online');
    maxConcurrent = Math.max(maxConcurrent, online.length);
    const v: DemoView = {
      seconds: Math.round((Date.now() - started) / 100) / 10,
      queued: jobs.filter((j) => j.state === 'queued' || j.state === 'assigned').length,
      running: jobs.filter((j) => j.state === 'running').length,
      finished: jobs.filter((j) => j.state === 'finished').length,
      total: queued.length,
      rejected,
      agents: online.length,
      busy: online.filter((a) => a.assignedRequestId !== undefined).length,
      pods: await podCount(),
      manifests: await manifestCount(gitDir),
    };
    opts.onView?.(v);
    return v;
  };

  const timeoutAt = started + (opts.timeoutMs ?? 180_000);
  let settled = false;
  try {
    // Placeholders first: without them the service rejects jobs for specs at zero agents.
    while (Date.now() < timeoutAt && (await admin.state()).agents.filter(isPlaceholder).length < specs) await sleep(200);
    const traceStart = Date.now();
    for (const job of trace) {
      const wait = traceStart + job.atMs - Date.now();
      if (wait > 0) {
        await sleep(wait);
        await view();
      }
      try {
        queued.push(await admin.queueJob({ name: job.name, demands: job.demands, durationMs: job.durationMs, result: job.result }));
      } catch (err) {
        if (!(err instanceof AdminRejectedError)) throw err;
        rejected++;
      }
    }
    while (Date.now() < timeoutAt) {
      const v = await view();
      const done = v.finished === queued.length;
      if (done && agentsOf(state).length === standby && v.pods === standby && v.manifests === standby) {
        settled = true;
        break;
      }
      await sleep(500);
    }
  } finally {
    await controller.stop();
  }

  const repoDir = join(work, 'cluster-repo');
  await run('git', ['clone', '--quiet', gitDir, repoDir]);
  const { stdout: log0 } = await run('git', ['-C', repoDir, 'log', '--format=%B%x00']);
  const messages = log0.split('\0');
  const final = await admin.state();
  const mine = new Set(queued);
  const jobs = final.jobs.filter((j) => mine.has(j.requestId));
  const waits = jobs
    .filter((j) => j.receiveTime)
    .map((j) => (Date.parse(j.receiveTime!) - Date.parse(j.queueTime)) / 1000)
    .sort((a, b) => a - b);
  const summary: DemoSummary = {
    jobsQueued: queued.length,
    jobsSucceeded: jobs.filter((j) => j.result === 'succeeded').length,
    jobsFailed: jobs.filter((j) => j.result !== undefined && j.result !== 'succeeded').length,
    jobsRejected: rejected,
    maxConcurrentAgents: maxConcurrent,
    scaleUpCommits: messages.filter((m) => /^Azdo-Gitops-Added:/m.test(m)).length,
    pruneCommits: messages.filter((m) => /^Azdo-Gitops-Removed:/m.test(m)).length,
    agentsRegisteredAtEnd: agentsOf(final).length,
    placeholdersAtEnd: final.agents.filter(isPlaceholder).length,
    standby,
    podsAtEnd: await podCount(),
    manifestsAtEnd: await manifestCount(gitDir),
    jobWaitSeconds: { p50: percentile(waits, 50), p95: percentile(waits, 95) },
    durationSeconds: Math.round((Date.now() - started) / 1000),
    settled,
    repoDir,
    logFile,
  };
  logStream.end();
  if (!opts.sandbox) await sandbox.close();
  return summary;
}

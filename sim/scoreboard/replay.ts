// Replays one job trace under one policy in the simulated world and scores it.
import { DEFAULT_SPEC_DEFAULTS } from '../../reconciler/agentspec/specDefaults.ts';
import { createLogger } from '../../reconciler/support/logger.ts';
import { ClusterModel } from '../clusterModel.ts';
import { GitRemote } from '../gitRemote.ts';
import { Rng } from '../random.ts';
import { LeaseModel } from '../leaseModel.ts';
import { ReconcilerProcess } from '../reconcilerProcess.ts';
import { registerAgent, ServiceModel } from '../serviceModel.ts';
import { initialFiles, PATHS, POOL, type SimSpec } from '../specs.ts';
import { settle, VirtualTime } from '../virtualTime.ts';
import { capabilityMap, startFixedPool, startKeda, startPredecessor, type PolicyName } from './policies.ts';
import type { JobTrace } from './trace.ts';
import { defaultVariant, type AzdoGitopsVariant } from './variants.ts';

/** The specs the scoreboard scales: a general one with 2 warm agents, a docker one from zero. */
export const SCOREBOARD_SPECS: readonly SimSpec[] = [
  { name: 'linux', capabilities: ['Agent.OS=Linux', 'node=24'], standby: 2, maxAgents: 20 },
  { name: 'docker', capabilities: ['Agent.OS=Linux', 'docker'], standby: 0, maxAgents: 10 },
];
export const SCOREBOARD_MAX_AGENTS = 30;

const WARMUP_MS = 5 * 60_000;
/** After the last arrival, the backlog drains for up to this long. */
const DRAIN_MS = 60 * 60_000;
const SAMPLE_MS = 60_000;

export interface Score {
  readonly policy: PolicyName;
  /** The row's name: the policy, and for this project's a variant its settings (`azdo-gitops interval=30`). */
  readonly label: string;
  readonly jobs: number;
  readonly refused: number;
  readonly waitP50s: number;
  readonly waitP95s: number;
  readonly waitMaxS: number;
  readonly idleAgentMinutes: number;
  readonly agentMinutes: number;
  readonly podsStarted: number;
  readonly commitsPerHour: number;
  readonly azdoCallsPerHour: number;
  /** Per minute: agents (live pods) and jobs waiting for one. */
  readonly series: ReadonlyArray<{ readonly t: number; readonly agents: number; readonly waiting: number }>;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface ReplayOptions {
  readonly seed?: number;
  /** This project's settings (default: its defaults); the other policies ignore it. */
  readonly variant?: AzdoGitopsVariant;
  readonly label?: string;
}

/** The scoreboard's specs with the `linux` spec's standby set. */
function specsWith(linuxStandby: number): readonly SimSpec[] {
  return SCOREBOARD_SPECS.map((s) => (s.name === 'linux' ? { ...s, standby: linuxStandby } : s));
}

export async function replay(trace: JobTrace, policy: PolicyName, opts: ReplayOptions = {}): Promise<Score> {
  // Every variant of a policy draws the same random numbers for the same seed: the rows differ by the setting, not the draw.
  const rng = new Rng(`${trace.name}:${policy}:${opts.seed ?? 1}`);
  const variant = opts.variant ?? defaultVariant(SCOREBOARD_SPECS.find((s) => s.name === 'linux')!.standby);
  const specs = policy === 'azdo-gitops' ? specsWith(variant.linuxStandby) : SCOREBOARD_SPECS;
  const start = Date.parse('2026-03-02T07:00:00Z') - WARMUP_MS;
  const vt = new VirtualTime(start);
  const svc = new ServiceModel(vt, { rng: rng.split('service') });
  const pool = svc.state.addPool(POOL);
  const remote = new GitRemote(initialFiles(specs), vt.now());
  const cluster = new ClusterModel(vt, rng.split('cluster'), svc, remote, PATHS.agents);
  let policyCalls = 0;
  const w = { vt, svc, cluster, specs, poolName: POOL, countCalls: (n: number) => (policyCalls += n) };

  if (policy === 'azdo-gitops') {
    cluster.start({ syncer: true });
    const log = createLogger({ level: process.env.SIM_LOG ? 'info' : 'error', write: (l) => { if (process.env.SIM_LOG) process.stderr.write(l + '\n'); } });
    const proc = new ReconcilerProcess({
      vt, svc, remote, cluster, intervalMs: variant.intervalSeconds * 1000, log, identity: 'reconciler', lease: new LeaseModel(vt),
      settings: { orgUrl: 'http://service.invalid/org', paths: PATHS, specDefaults: DEFAULT_SPEC_DEFAULTS, globalMaxAgents: SCOREBOARD_MAX_AGENTS, pushAttempts: 5 },
    }, rng.split('process'));
    if (variant.passOnPodCompletion) cluster.onPodFinished = (name) => proc.loop.trigger(`pod ${name} finished`);
    // Without SYNC_REQUEST the pass asks nothing of the syncer, which applies on its own interval.
    if (!variant.syncRequest) cluster.requestSync = () => {};
    proc.start();
  } else {
    // Without this project, someone registers an offline placeholder per spec so jobs are not
    // refused at queue time while no agent runs (the KEDA scaler's documented setup).
    for (const s of SCOREBOARD_SPECS) registerAgent(svc, pool.id, `${s.name}-placeholder`, capabilityMap(s), {}, '4.260.0');
    cluster.unregisterOnExit = true;
    cluster.start({ syncer: false });
    if (policy === 'predecessor') startPredecessor(w);
    else if (policy === 'keda-scaledjob') startKeda(w);
    else startFixedPool(w);
  }

  let refused = 0;
  for (const j of trace.jobs) {
    vt.at(WARMUP_MS + j.atMs, 'job arrives', () => {
      try {
        svc.scheduler.queueJob({ poolId: pool.id, demands: j.demands, durationMs: j.durationMs });
      } catch {
        refused++;
      }
    });
  }
  const series: Array<{ t: number; agents: number; waiting: number }> = [];
  const sample = () => {
    series.push({
      t: vt.now() - start - WARMUP_MS,
      agents: [...cluster.pods.values()].filter((p) => p.endedAt === undefined).length,
      waiting: svc.jobs().filter((j) => j.assignTime === undefined && j.finishTime === undefined).length,
    });
    vt.at(SAMPLE_MS, 'sample', sample);
  };
  vt.at(WARMUP_MS, 'sample', sample);

  const measureFrom = start + WARMUP_MS;
  const end = measureFrom + trace.lengthMs + DRAIN_MS;
  const callsAtStart = { svc: 0, policy: 0 };
  vt.at(WARMUP_MS, 'measure', () => {
    callsAtStart.svc = svc.calls;
    callsAtStart.policy = policyCalls;
  });
  for (;;) {
    const ran = vt.step(end);
    if (!ran) break;
    if (ran.async) await settle();
  }

  const jobs = svc.jobs();
  const waits = jobs.map((j) => ((j.assignTime ?? end) - j.queueTime) / 1000).sort((a, b) => a - b);
  const clip = (t: number) => Math.min(end, Math.max(measureFrom, t));
  const agentMs = cluster.history.reduce((sum, p) => sum + clip(p.endedAt ?? end) - clip(p.createdAt), 0);
  const busyMs = jobs.reduce((sum, j) => sum + (j.receiveTime === undefined ? 0 : clip(j.finishTime ?? end) - clip(j.receiveTime)), 0);
  const hours = (end - measureFrom) / 3_600_000;
  const commits = [...remote.commits.values()].filter((c) => c.author === 'reconciler' && c.at >= measureFrom).length;
  const calls = policy === 'azdo-gitops' ? svc.calls - callsAtStart.svc : policyCalls - callsAtStart.policy;
  const round1 = (x: number) => Math.round(x * 10) / 10;
  return {
    policy,
    label: opts.label ?? policy,
    jobs: jobs.length,
    refused,
    waitP50s: round1(percentile(waits, 50)),
    waitP95s: round1(percentile(waits, 95)),
    waitMaxS: round1(waits.at(-1) ?? 0),
    idleAgentMinutes: Math.round((agentMs - busyMs) / 60_000),
    agentMinutes: Math.round(agentMs / 60_000),
    podsStarted: cluster.history.filter((p) => p.createdAt >= measureFrom).length,
    commitsPerHour: round1(commits / hours),
    azdoCallsPerHour: Math.round(calls / hours),
    series,
  };
}

// One simulated run: the real reconcile loop and pass (reconciler/loop/) against the service,
// the git remote and the cluster models, in virtual time, with the invariants checked as the
// world moves. Two replicas run, as a Deployment with leader election does: the one holding the
// Lease reconciles. A replica can crash at any await point and restart from what is durable (the
// remote, the service, the cluster), and be cut off from the API server, so leadership moves.
import { DEFAULT_SPEC_DEFAULTS } from '../reconciler/agentspec/specDefaults.ts';
import type { PassDeps } from '../reconciler/loop/pass.ts';
import { PLACEHOLDER_CAPABILITY } from '../reconciler/agentspec/placeholderCapabilities.ts';
import { SPEC_MARKER_ENV } from '../reconciler/manifests/labels.ts';
import { createLogger } from '../reconciler/support/logger.ts';
import { ClusterModel, NO_CLUSTER_FAULTS } from './clusterModel.ts';
import { GitRemote, type Commit } from './gitRemote.ts';
import { LeaseModel, NO_LEASE_FAULTS } from './leaseModel.ts';
import { ReconcilerProcess } from './reconcilerProcess.ts';
import { Invariants, type Violation } from './invariants.ts';
import { Rng } from './random.ts';
import type { Scenario } from './scenario.ts';
import { NO_SERVICE_FAULTS, ServiceModel } from './serviceModel.ts';
import { DEFAULT_MAX_AGENTS, DEFAULT_SPECS, initialFiles, JOB_DEMANDS, PATHS, POOL, renderSpec, specPath, type SimSpec } from './specs.ts';
import { settle, VirtualTime, type Owner } from './virtualTime.ts';

const START = Date.parse('2026-03-02T08:00:00Z');
const WARMUP_MS = 2 * 60_000;
const TRACE_LINES = 400;
const QUIET_AFTER_JOBS_MS = 12 * 60_000;
/** The replicas' pod names (their Lease identities). */
const REPLICAS = ['reconciler-a', 'reconciler-b'] as const;
/**
 * The simulator's pools are small and have few agents: with production's thresholds (whole and per
 * request) their job requests would always come from the unfinished-only listing. Here every pass after a complete read that saw an
 * unfinished request reads the paged listing down to its floor, within a budget of a page per
 * `pageBytes` of the last unfinished-only listing (so long reads give up and fall back).
 */
const LISTING_THRESHOLDS = { pagedFromBytes: 0, pagedFromRequestBytes: 0, pageBytes: 512 } as const;
/** The service's page sizes a seed draws from: a paged read takes one page or many. */
const PAGE_SIZES = [1, 2, 5, 20, 200] as const;
/**
 * A process's first read of a pool stops the unfinished-only listing past this size and pages
 * the whole listing instead: production's size (never reached here) or a small one, drawn per seed.
 */
const FIRST_READ_MAX_BYTES = [64 * 1024 * 1024, 2048] as const;

export interface RunResult {
  readonly scenario: Scenario;
  readonly steps: number;
  readonly violations: readonly Violation[];
  /** The last lines before the first violation (or the end). */
  readonly trace: readonly string[];
  readonly stats: { readonly passes: number; readonly commits: number; readonly crashes: number; readonly jobs: number; readonly rejectedJobs: number; readonly pushRejections: number; readonly partitions: number; readonly leaderChanges: number };
}

export async function runScenario(sc: Scenario): Promise<RunResult> {
  const rng = new Rng(sc.seed);
  const vt = new VirtualTime(START);
  const trace: string[] = [];
  const note = (line: string) => {
    trace.push(`${new Date(vt.now()).toISOString().slice(11, 23)} ${line}`);
    if (trace.length > TRACE_LINES) trace.splice(0, trace.length - TRACE_LINES);
  };
  const specs = new Map<string, SimSpec>(DEFAULT_SPECS.map((s) => [s.name, s]));
  const remote = new GitRemote(initialFiles(DEFAULT_SPECS), vt.now());
  const svc = new ServiceModel(vt, { rng: rng.split('service') });
  const pool = svc.state.addPool(POOL);
  const listingRng = rng.split('listing');
  svc.maxPageSize = listingRng.pick(PAGE_SIZES);
  const jobListingThresholds = { ...LISTING_THRESHOLDS, firstReadMaxBytes: listingRng.pick(FIRST_READ_MAX_BYTES) };
  const cluster = new ClusterModel(vt, rng.split('cluster'), svc, remote, PATHS.agents);
  const inv = new Invariants({ remote, svc, cluster, specs, globalMaxAgents: DEFAULT_MAX_AGENTS, note, now: () => vt.now() });
  const lease = new LeaseModel(vt);
  const stats = { passes: 0, commits: 0, crashes: 0, jobs: 0, rejectedJobs: 0, pushRejections: 0, partitions: 0, leaderChanges: 0 };
  const has = (f: Parameters<Scenario['faults']['has']>[0]) => sc.faults.has(f);
  let calm = false;
  const activeEnd = START + WARMUP_MS + sc.activeMs;

  // Faults of the active window.
  svc.faults = {
    throttle: has('throttle') ? 0.02 : 0,
    serverError: has('server-errors') ? 0.03 : 0,
    unreadable: has('unreadable') ? 0.03 : 0,
    timeout: has('server-errors') ? 0.01 : 0,
    slow: has('slow-calls') ? 0.05 : 0,
  };
  cluster.faults = {
    imagePull: has('pod-failures') ? 0.05 : 0,
    crash: has('pod-failures') ? 0.05 : 0,
    midJobKill: has('pod-failures') ? 0.05 : 0,
    watchDrop: has('watch-drops') ? 0.3 : 0,
  };
  lease.faults = { slow: has('slow-calls') ? 0.05 : 0 };

  // Other writers: a person's commit now and then, and sometimes right between a fetch and a push.
  const writerRng = rng.split('writers');
  const personCommit = (why: string) => {
    const c = remote.commitAsPerson((files) => {
      if (writerRng.chance(0.25)) {
        // A new agent image: every idle agent of the spec rotates.
        const name = writerRng.pick(['linux', 'docker']);
        const next = { ...specs.get(name)!, imageTag: `build-${writerRng.int(1, 1e6)}` };
        specs.set(name, next);
        files.set(specPath(name), renderSpec(next));
        return `${name} image ${next.imageTag}`;
      }
      if (writerRng.chance(0.3)) {
        const s = specs.get('linux')!;
        const next = { ...s, standby: writerRng.int(0, 4) };
        specs.set('linux', next);
        files.set(specPath('linux'), renderSpec(next));
        return `linux standby ${next.standby}`;
      }
      const path = `notes/${writerRng.int(1, 5)}.md`;
      files.set(path, `note ${writerRng.int(0, 1e9)}\n`);
      return `edit ${path}`;
    }, vt.now());
    inv.personCommitted(c);
    note(`person commits ${c.oid.slice(0, 12)} (${c.message}, ${why})`);
  };
  if (has('writers')) {
    const loop = () => {
      if (calm) return;
      personCommit('between steps');
      vt.at(writerRng.exp(180_000), 'person commit', loop);
    };
    vt.at(writerRng.exp(180_000), 'person commit', loop);
  }

  remote.onPush = (c: Commit) => {
    if (c.author !== 'reconciler') return;
    stats.commits++;
    note(`push ${c.oid.slice(0, 12)} on ${c.parent?.slice(0, 12)}: ${c.message.split('\n')[0]}`);
    inv.reconcilerPushed(c, pushing?.pass);
  };
  svc.onDelete = (a, by: Owner) => inv.unregistering(a, procs.find((p) => p?.owner === by)?.pass);
  cluster.onBusyPodDeleted = (pod, requestId) => inv.busyPodDeleted(pod.name, requestId);
  cluster.onSyncFailed = (error) => note(`syncer: ${error}`);

  // The reconciler processes. Their loggers stamp wall-clock time; the trace has virtual time
  // already, and must not vary.
  const settings: PassDeps['settings'] = {
    orgUrl: 'http://service.invalid/org',
    paths: PATHS,
    specDefaults: DEFAULT_SPEC_DEFAULTS,
    globalMaxAgents: DEFAULT_MAX_AGENTS,
    pushAttempts: 5,
  };
  /** The live process of each replica (undefined while crashed). */
  const procs: (ReconcilerProcess | undefined)[] = REPLICAS.map(() => undefined);
  /** The process whose push is landing (the invariants judge it against its own pass's reads). */
  let pushing: ReconcilerProcess | undefined;
  let incarnation = 0;
  let leader: string | undefined;
  const start = (i: number): ReconcilerProcess => {
    const n = ++incarnation;
    const identity = REPLICAS[i]!;
    const tag = identity.slice(-1);
    const p: ReconcilerProcess = new ReconcilerProcess({
      vt, svc, remote, cluster, settings, intervalMs: sc.intervalMs, note,
      log: createLogger({ level: 'info', format: 'text', write: (line) => note(`[${tag}] ${line.replace(/^\S+Z\s+/, '')}`) }),
      identity,
      lease,
      jobListingThresholds,
      beforeWrite: (what) => inv.writeSent(identity, what, lease.holder()),
      pushArriving: () => {
        pushing = p;
      },
      repoHooks: {
        afterFetch: () => {
          if (!calm && has('writers') && writerRng.chance(0.08)) personCommit('right after a fetch');
        },
      },
      onReport: (r) => {
        stats.passes++;
        stats.pushRejections += Math.max(0, r.pushAttempts - 1);
        note(`pass ${r.passId}: +${r.plan.add.length} -${r.plan.remove.length} unregistered ${r.unregistered.length} disabled ${r.disabled.length} failures ${r.failures.length}`);
      },
    }, rng.split(`process-${n}`));
    p.election.onChange((isLeader) => {
      if (!isLeader) return;
      if (leader !== undefined && leader !== identity) stats.leaderChanges++;
      leader = identity;
      note(`${identity} (process ${n}) leads`);
    });
    note(`reconciler process ${n} (${identity}) starts`);
    p.start();
    procs[i] = p;
    return p;
  };
  REPLICAS.forEach((_, i) => start(i));
  cluster.onPodFinished = (name) => procs.forEach((p) => p?.loop.trigger(`pod ${name} finished`));
  cluster.start();

  // Crashes at any moment, so at any await point of a pass; a restart from durable state. The
  // leader is the likelier victim (it does the work); its Lease moves once it expires, unless
  // the restarted process (same pod name) renews it first.
  if (has('crashes')) {
    const crashRng = rng.split('crashes');
    const crash = () => {
      if (calm) return;
      const live = procs.map((p, i) => ({ p, i })).filter((x) => x.p !== undefined);
      const leading = live.filter((x) => x.p!.election.isLeader());
      const victim = leading.length > 0 && crashRng.chance(0.75) ? leading[0] : live.length > 0 ? crashRng.pick(live) : undefined;
      if (!victim) return;
      victim.p!.crash();
      stats.crashes++;
      note(`reconciler process of ${REPLICAS[victim.i]} crashes`);
      procs[victim.i] = undefined;
      vt.at(crashRng.int(1_000, 30_000), 'restart', () => {
        // One process per replica: the healthy phase may have started it already.
        if (!procs[victim.i]) start(victim.i);
        vt.at(crashRng.exp(6 * 60_000), 'crash', crash);
      });
    };
    vt.at(crashRng.exp(6 * 60_000), 'crash', crash);
  }

  // Partitions: one replica cannot reach the API server for a while (its renewals hang past the
  // renew deadline, so it stops writing), while it still reaches git and Azure DevOps.
  if (has('partitions')) {
    const partRng = rng.split('partitions');
    const partition = () => {
      if (calm) return;
      const i = partRng.int(0, REPLICAS.length - 1);
      const ms = partRng.int(5_000, 90_000);
      lease.partitionedUntil.set(REPLICAS[i]!, vt.now() + ms);
      stats.partitions++;
      note(`${REPLICAS[i]} cut off from the API server for ${Math.round(ms / 1000)} s`);
      vt.at(partRng.exp(5 * 60_000), 'partition', partition);
    };
    vt.at(partRng.exp(5 * 60_000), 'partition', partition);
  }

  // Jobs: a Poisson stream with mixed demands and durations.
  const jobRng = rng.split('jobs');
  const arrive = () => {
    if (vt.now() >= activeEnd) return;
    const demands = jobRng.pick(JOB_DEMANDS);
    try {
      const job = svc.scheduler.queueJob({ poolId: pool.id, demands, durationMs: jobRng.int(20_000, 6 * 60_000) });
      stats.jobs++;
      note(`job ${job.requestId} queued [${demands.join(', ')}]`);
    } catch {
      stats.rejectedJobs++;
      note(`job refused at queue time [${demands.join(', ')}]: no agent can meet its demands`);
    }
    vt.at(jobRng.exp(60_000 / sc.jobsPerMinute), 'job arrives', arrive);
  };
  vt.at(WARMUP_MS, 'job arrives', arrive);

  // The world turns healthy: faults off, no more crashes or other writers.
  vt.at(WARMUP_MS + sc.activeMs, 'calm', () => {
    calm = true;
    svc.faults = NO_SERVICE_FAULTS;
    cluster.faults = NO_CLUSTER_FAULTS;
    lease.faults = NO_LEASE_FAULTS;
    lease.partitionedUntil.clear();
    note('faults end; the world is healthy from here');
    REPLICAS.forEach((_, i) => procs[i] ?? start(i));
  });

  // Quiescence is judged once every job has finished and the pods' deadlines (10 minutes) have
  // passed since: a backlog larger than the caps drains first, for up to four hours.
  let end = activeEnd + sc.settleMs;
  const hardEnd = end + 4 * 3_600_000;
  for (;;) {
    const ran = vt.step(end);
    if (ran) {
      if (ran.async) await settle();
      if (inv.violations.length > 0) break;
      continue;
    }
    const jobs = svc.jobs();
    const busyUntil = jobs.some((j) => j.finishTime === undefined) ? Infinity : Math.max(0, ...jobs.map((j) => j.finishTime ?? 0)) + QUIET_AFTER_JOBS_MS;
    if (busyUntil <= end || end >= hardEnd) break;
    end = Math.min(hardEnd, Math.max(end + 5 * 60_000, Number.isFinite(busyUntil) ? busyUntil : 0));
  }
  if (inv.violations.length === 0) inv.atQuiescence({ placeholderCapability: PLACEHOLDER_CAPABILITY, markerEnv: SPEC_MARKER_ENV });
  // The run is over: whatever the processes still wait for never happens (nothing is left to await).
  for (const p of procs) p?.crash();
  return { scenario: sc, steps: vt.steps, violations: inv.violations, trace: [...trace], stats };
}

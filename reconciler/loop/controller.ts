// `run`: the long-running controller. Leader election, the reconcile loop, pod-completion
// triggers, health and metrics, and periodic git cache maintenance.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Cron } from 'croner';
import { LeaderElection } from '../cluster/leaderElection.ts';
import type { Config } from '../config/config.ts';
import { startHttpServer } from '../observability/httpServer.ts';
import { Metrics } from '../observability/metrics.ts';
import { recordPass, recordPassFailure } from '../observability/passMetrics.ts';
import type { Logger } from '../support/logger.ts';
import type { PassReport } from '../plan/passReport.ts';
import { runPass } from './pass.ts';
import { ReconcileLoop } from './reconcileLoop.ts';
import { SpecProblemLog } from './specProblemLog.ts';
import { wire } from './wiring.ts';

export interface Controller {
  readonly metrics: Metrics;
  readonly httpPort: number | undefined;
  /** The report of the last successful pass. */
  lastReport(): PassReport | undefined;
  stop(): Promise<void>;
}

// client-go's defaults: the lease lasts 15 s, writes stop 10 s after the last renewal (so they
// end before anyone else may take it), attempts every 2 s.
const LEASE_SECONDS = 15;
const RENEW_DEADLINE_SECONDS = 10;
const RETRY_PERIOD_SECONDS = 2;
/** Ready means a pass succeeded within this many poll intervals. */
const READY_INTERVALS = 5;

export async function startController(config: Config, log: Logger, env: Readonly<Record<string, string | undefined>> = {}): Promise<Controller> {
  const metrics = new Metrics();
  let loop: ReconcileLoop | undefined;
  let last: PassReport | undefined;
  let foreignSeen = '';
  let unmatchedSeen = new Set<number>();
  const specProblems = new SpecProblemLog();
  const wired = await wire(config, log, (pod) => loop?.trigger(`pod ${pod} finished`));
  const identity = config.cluster.podName ?? env.POD_NAME ?? `${hostname()}-${randomBytes(3).toString('hex')}`;
  const election = config.cluster.leaderElection
    ? new LeaderElection(wired.kube, {
        namespace: config.cluster.namespace,
        leaseName: config.cluster.leaseName,
        identity,
        leaseDurationSeconds: LEASE_SECONDS,
        renewDeadlineSeconds: RENEW_DEADLINE_SECONDS,
        retryPeriodSeconds: RETRY_PERIOD_SECONDS,
      }, log)
    : undefined;

  loop = new ReconcileLoop({
    intervalMs: config.pollIntervalSeconds * 1000,
    canRun: () => election?.isLeader() ?? true,
    log,
    pass: async (trigger) => {
      // This term of leadership: the pass stops before its next write once it ends.
      const signal = election?.signal;
      try {
        const r = await runPass({ ...wired.deps, signal }, 'apply');
        last = r;
        recordPass(metrics, r);
        // Not awaited: the status write never delays or fails a pass (agentSpecStatusSync.ts).
        // Only the leader writes: a term that ended with this pass leaves it to the next leader.
        if (!signal?.aborted) wired.agentSpecStatus.start(r, wired.deps.pods());
        const changed = r.commit !== undefined || r.unregistered.length > 0 || r.placeholdersRegistered.length > 0;
        (changed ? log.info : log.debug)('pass done', {
          trigger,
          durationMs: r.durationMs,
          cpuMs: r.cpuMs,
          planCpuMs: r.planCpuMs,
          phasesMs: r.phasesMs,
          pendingJobs: r.observed.pendingJobs,
          added: r.commit ? r.plan.add.map((a) => a.podName) : [],
          removed: r.commit ? r.plan.remove.map((x) => x.podName) : [],
          unregistered: r.unregistered,
          commit: r.commit?.slice(0, 12),
        });
        // Once per job request, not every pass: a queue of unmatched jobs is a steady state too.
        const unmatched = new Set(r.plan.unmatchedJobs.map((j) => j.requestId));
        for (const j of r.plan.unmatchedJobs) {
          if (!unmatchedSeen.has(j.requestId)) log.warn('job matches no AgentSpec', { request: j.requestId, pool: j.poolName, demands: j.demands, reason: j.reason });
        }
        unmatchedSeen = unmatched;
        const news = specProblems.update(r.specErrors, r.specWarnings ?? []);
        for (const e of news.errors) log.warn('invalid AgentSpec ignored; the others keep working', { file: e.file, field: e.field, problem: e.message, fix: e.hint });
        for (const w of news.warnings) log.warn('AgentSpec pod setting is risky', { file: w.file, field: w.field, problem: w.message, fix: w.hint });
        for (const p of news.resolved) log.info('AgentSpec problem resolved', { problem: p });
        // Once per change of the set, not every pass: foreign agents are a steady state.
        const foreign = r.plan.foreignAgents.map((a) => `${a.poolName}/${a.name}`).join(',');
        if (foreign !== foreignSeen && r.plan.foreignAgents.length > 0) {
          log.info('foreign agents in our pools are left alone (no azdo-gitops marker)', {
            count: r.plan.foreignAgents.length,
            agents: r.plan.foreignAgents.slice(0, 20).map((a) => `${a.poolName}/${a.name}`),
          });
        }
        foreignSeen = foreign;
      } catch (err) {
        if (signal?.aborted) {
          // Not a failure to back off from: the next leader (or this one, renewed) re-derives it all.
          log.warn('pass stopped before its next write', { trigger, reason: (signal.reason as Error)?.message ?? String(signal.reason) });
          return;
        }
        recordPassFailure(metrics, err);
        throw err;
      }
    },
  });
  // Leadership regained after an outage: the API server answers again, so the pod view is
  // relisted now rather than at the end of its retry backoff, and a pass runs at once.
  election?.onChange((leader) => {
    if (!leader) return;
    wired.watcher.retryNow();
    loop?.trigger('became leader');
  });

  const http =
    config.httpPort > 0
      ? await startHttpServer(
          config.httpPort,
          {
            live: () => true,
            ready: () => {
              if (election && !election.isLeader()) return true; // a standby replica is ready to take over
              const ok = loop?.lastSuccess;
              return ok !== undefined && Date.now() - ok.getTime() < READY_INTERVALS * config.pollIntervalSeconds * 1000;
            },
          },
          metrics,
        )
      : undefined;

  // isomorphic-git has no gc: besides the repo's own size and fetch-count triggers, a fresh
  // shallow clone at a fixed, quiet time keeps the cache small and predictable.
  const maintenance = new Cron(config.gitRecloneCron, { mode: '5-or-6-parts' }, () => wired.repo.invalidate());

  if (election) {
    await election.tryAcquireOrRenew();
    election.start();
  }
  loop.start();
  log.info('controller started', {
    identity,
    pools: 'from AgentSpecs',
    repo: config.git.url,
    branch: config.git.branch,
    agentsPath: config.paths.agents,
    namespace: config.cluster.namespace,
    pollIntervalSeconds: config.pollIntervalSeconds,
    httpPort: http?.port,
  });

  return {
    metrics,
    httpPort: http?.port,
    lastReport: () => last,
    stop: async () => {
      maintenance.stop();
      await loop?.stop();
      await wired.agentSpecStatus.settled();
      await election?.stop();
      await wired.close();
      await http?.close();
      log.info('controller stopped');
    },
  };
}

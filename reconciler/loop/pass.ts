// One reconcile pass: observe (git, Azure DevOps, cluster) → plan (pure) → apply in a safe order:
// disable leaving idle agents → one commit, pushed (re-derived on every rejection) → unregister
// agents whose manifests are gone → register missing placeholders.
import { drainIdleAgents } from '../apply/drainIdleAgents.ts';
import type { EventRecorder } from '../cluster/events.ts';
import type { SyncRequester } from '../cluster/syncRequester.ts';
import { registerPlaceholders } from '../apply/registerPlaceholders.ts';
import { unregisterAgents } from '../apply/unregisterAgents.ts';
import { commitMessage } from '../gitops/commitMessage.ts';
import { commitAndPush, type Derived, type Sleep, type Tip } from '../gitops/pushWithRetry.ts';
import type { BranchRepo } from '../gitops/branchRepo.ts';
import type { AzdoSession } from '../azdo/session.ts';
import { observeAzdo, type AzdoSnapshot } from '../observe/azdoSnapshot.ts';
import { readNeededCapabilities } from '../observe/agentCapabilities.ts';
import { candidatePools, readGitSnapshot, settleWithAgents, type GitSnapshot, type RepoPaths } from '../observe/gitSnapshot.ts';
import type { Plan } from '../plan/changes.ts';
import type { ObservedPod, ObservedState } from '../plan/observed.ts';
import { isOwnReplan, observedAfterDrain } from '../plan/drainOutcome.ts';
import { plan as makePlan } from '../plan/plan.ts';
import { agentsNeedingCapabilities } from '../plan/agentOwnership.ts';
import { poolMissingError } from '../plan/agentSpecStatus.ts';
import { fileChanges } from '../manifests/fileChanges.ts';
import type { SpecDefaults } from '../agentspec/specDefaults.ts';
import type { SpecError } from '../agentspec/specError.ts';
import type { Logger } from '../support/logger.ts';
import type { PassFailure, PassReport } from '../plan/passReport.ts';
import type { PodFailureTracker } from './podFailureTracker.ts';
import type { SpecHold } from '../plan/podFailureBackoff.ts';
import { PassPhases } from './passPhases.ts';

export interface PassSettings {
  readonly orgUrl: string;
  readonly paths: RepoPaths;
  readonly specDefaults: SpecDefaults;
  readonly globalMaxAgents: number;
  readonly pushAttempts: number;
  /** Longest random pause between push attempts (commitAndPush's jitterMs). */
  readonly pushJitterMs?: number;
}

export interface PassDeps {
  readonly settings: PassSettings;
  readonly azdo: AzdoSession;
  readonly repo: BranchRepo;
  /** Current pods, or undefined when the cluster cannot be observed. */
  readonly pods: () => readonly ObservedPod[] | undefined;
  /** Kubernetes Events for pods given up on (stuck past a deadline). */
  readonly events?: EventRecorder;
  /** Nudges Flux/Argo CD to sync right after a push. */
  readonly syncRequester?: SyncRequester;
  /** Holds specs whose pods fail (plan/podFailureBackoff.ts), remembered across passes. */
  readonly podFailures?: PodFailureTracker;
  readonly log: Logger;
  readonly now?: () => Date;
  /** The push retry's pause and jitter (default: node timers, Math.random); the simulator's virtual time. */
  readonly sleep?: Sleep;
  readonly random?: () => number;
  /** Leadership: checked before each Azure DevOps write and before the push; once aborted the pass throws its reason. */
  readonly signal?: AbortSignal;
}

const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};

function observedState(now: Date, git: GitSnapshot, azdo: AzdoSnapshot, pods: readonly ObservedPod[] | undefined, globalMaxAgents: number): ObservedState {
  // A spec whose pool cannot be observed is left alone: without its agents and jobs, its
  // manifests would look idle or orphaned. Its manifests and agents drop out of this pass.
  const missing = new Set(azdo.missingPools.map((e) => e.poolName));
  const specs = git.specs.filter((s) => !missing.has(s.pool));
  const poolErrors: SpecError[] = git.specs
    .filter((s) => missing.has(s.pool))
    .map(poolMissingError);
  return {
    now,
    specs,
    specErrors: [...git.specErrors, ...poolErrors],
    pendingJobs: azdo.pendingJobs,
    agents: azdo.agents,
    manifests: git.manifests.filter((m) => !missing.has(m.poolName)),
    pods,
    globalMaxAgents,
  };
}

/** What the pass derives from one tip of the branch: the commit, and the plan and snapshot it came from. */
interface PassDerivation extends Derived {
  readonly git: GitSnapshot;
  readonly observed: ObservedState;
  readonly plan: Plan;
}

/** The pools each session's last pass observed (sorted): the next pass starts with them. */
const lastPools = new WeakMap<AzdoSession, readonly string[]>();

const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export async function runPass(deps: PassDeps, mode: 'apply' | 'dry-run'): Promise<PassReport> {
  const clock = deps.now ?? (() => new Date());
  const startedAt = clock();
  const cpuAtStart = process.cpuUsage();
  let planCpuMs = 0;
  // plan() is synchronous and every read is awaited before it: the process's CPU meanwhile is
  // plan()'s own plus V8's threads collecting its garbage. (The thread's own CPU,
  // process.threadCpuUsage, counts in scheduler ticks of 4 ms on common Linux kernels.)
  const timedPlan: typeof makePlan = (o, opts) => {
    const t = process.cpuUsage();
    try {
      return makePlan(o, opts);
    } finally {
      planCpuMs += cpuMsSince(t);
    }
  };
  const passId = startedAt.toISOString();
  const { settings, log } = deps;
  const phases = new PassPhases();
  const repo = phases.repo(deps.repo);

  // Observe. The specs say which pools to ask Azure DevOps about; they seldom change, so the
  // pools of the last pass are asked about while git is fetched and read (the listing is the
  // slowest read at scale), and again only if the specs now name other pools.
  const observe = (pools: readonly string[]) => phases.time('observe', () => observeAzdo(deps.azdo, pools));
  const guessed = lastPools.get(deps.azdo);
  const early = guessed === undefined ? undefined : observe(guessed);
  early?.catch(() => {}); // awaited below, unless git fails first
  const tip = await repo.fetchTip();
  // Pools of every spec, also those losing a conflict: their placeholders settle it.
  const read = await phases.time('read', () => readGitSnapshot((dir) => repo.readFiles(tip, dir), settings.paths, settings.specDefaults));
  const pools = candidatePools(read).sort();
  const listed = early !== undefined && sameList(pools, guessed!) ? await early : await observe(pools);
  lastPools.set(deps.azdo, pools);
  // Pods after the agent lists: an agent listed has a pod this view shows (or had one).
  const pods = deps.pods();
  // Capabilities only where ownership needs them; most agents are bound by name to our pods.
  const needed = agentsNeedingCapabilities(listed.agents, read.manifests, pods);
  const azdo: AzdoSnapshot = { ...listed, agents: await phases.time('observe', () => readNeededCapabilities(deps.azdo, listed.agents, needed)) };
  const git = settleWithAgents(read, azdo.agents);
  const observed = observedState(startedAt, git, azdo, pods, settings.globalMaxAgents);
  // Failing pods hold their spec back; the hold is plain data the plan receives.
  const backoff = deps.podFailures?.advance(observed, mode === 'apply');
  const holds = backoff?.state.holds;
  const planned = phases.timeSync('plan', () => timedPlan(observed, { nameSeed: passId, holds }));
  /** The report of the plan that was carried out (the last one derived) and what carrying it out did. */
  const report = (last: { readonly observed: ObservedState; readonly plan: Plan }, extra: Partial<PassReport>): PassReport => ({
    passId,
    mode,
    startedAt,
    durationMs: clock().getTime() - startedAt.getTime(),
    tip,
    plan: last.plan,
    specErrors: last.observed.specErrors,
    specWarnings: git.specWarnings,
    podsObserved: pods !== undefined,
    commit: undefined,
    pushAttempts: 0,
    disabled: [],
    keptBusy: [],
    unregistered: [],
    placeholdersRegistered: [],
    failures: [],
    holdsStarted: backoff?.started ?? [],
    observed: { pendingJobs: azdo.pendingJobs.length, agents: azdo.agents.length, manifests: git.manifests.length, pods: pods?.length },
    cpuMs: Math.round(cpuMsSince(cpuAtStart) * 10) / 10,
    planCpuMs: Math.round(planCpuMs * 100) / 100,
    phasesMs: phases.totals(),
    ...extra,
  });
  if (mode === 'dry-run') return report({ observed, plan: planned }, {});
  await announceHolds(deps, backoff?.started ?? [], backoff?.reset ?? []);

  // 1. Idle agents leaving are disabled and re-read first; one that took a job stays.
  const drain = await phases.time('drain', () => drainIdleAgents(deps.azdo, planned.remove, azdo.agents, log, deps.signal));

  // 2. One commit, derived from whatever tip the push lands on. A human's commit in between
  //    is kept: we re-read specs and manifests from the new tip and plan again. The re-plan sees
  //    what the drain saw, and removes no live agent the drain did not confirm.
  const derive = async (t: Tip): Promise<PassDerivation> => {
    const gitAt = t.oid === tip ? git : settleWithAgents(await phases.time('read', () => readGitSnapshot(t.readFiles, settings.paths, settings.specDefaults)), azdo.agents);
    return phases.timeSync('plan', () => {
      const observedAt = observedAfterDrain(observedState(startedAt, gitAt, azdo, pods, settings.globalMaxAgents), drain);
      const planAt = t.oid === tip && isOwnReplan(planned, observed) ? planned : timedPlan(observedAt, { nameSeed: passId, drained: drain.confirmedIdle, holds });
      const changes = fileChanges(planAt, {
        agentsPath: settings.paths.agents,
        orgUrl: settings.orgUrl,
        now: startedAt,
        specs: observedAt.specs,
        files: new Map(gitAt.agentFiles.map((f) => [f.path, f.content])),
        sentinelNamespace: settings.specDefaults.namespace,
      });
      const message = changes.length === 0 ? '' : commitMessage(planAt, passId);
      return { changes, message, git: gitAt, observed: observedAt, plan: planAt };
    });
  };
  const pushed = await commitAndPush(repo, derive, {
    maxAttempts: settings.pushAttempts,
    jitterMs: settings.pushJitterMs ?? 200,
    log,
    signal: deps.signal,
    now: deps.now,
    sleep: deps.sleep,
    random: deps.random,
    fetchedTip: tip,
  });
  const last = pushed.derived;
  if (pushed.commitOid) {
    log.info('pushed', { commit: pushed.commitOid.slice(0, 12), added: last.plan.add.length, removed: last.plan.remove.length, attempts: pushed.attempts });
    await deps.syncRequester?.requestSync(clock());
    for (const r of last.plan.remove) await deps.events?.stuckPodRemoved(r, pushed.commitOid);
  }

  // 3. Unregister only agents with no manifest left on the branch (commitAndPush returns only
  //    once the commit removing them is pushed, or when nothing needed committing).
  const removedNow = new Set(last.plan.remove.map((r) => r.podName));
  const remaining = new Set(last.git.manifests.map((m) => m.podName).filter((n) => !removedNow.has(n)));
  const unreg = await phases.time('unregister', () => unregisterAgents(deps.azdo, last.plan.unregister, remaining, log, deps.signal));

  // 4. Placeholders keep the service accepting jobs for specs scaled to zero.
  const ph = await phases.time('placeholders', () => registerPlaceholders(deps.azdo, last.plan.registerPlaceholders, log, deps.signal));

  const failures: PassFailure[] = [
    ...drain.failures.map((f) => ({ action: 'disable', target: f.agent, error: f.error })),
    ...unreg.failures.map((f) => ({ action: 'unregister', target: f.agent, error: f.error })),
    ...ph.failures.map((f) => ({ action: 'register-placeholder', target: f.agent, error: f.error })),
  ];
  for (const f of failures) log.warn(`${f.action} failed; the next pass retries`, { target: f.target, error: f.error });
  return report(last, {
    commit: pushed.commitOid,
    pushAttempts: pushed.attempts,
    disabled: [...drain.confirmedIdle],
    keptBusy: drain.tookAJob.map((t) => t.agent),
    unregistered: unreg.unregistered,
    placeholdersRegistered: ph.registered,
    failures,
  });
}

/** One log warning and one Warning Event per hold that began; a line when a hold ended early. */
async function announceHolds(deps: PassDeps, started: readonly SpecHold[], reset: readonly string[]): Promise<void> {
  for (const h of started) {
    deps.log.warn('AgentSpec held back: its pods fail without running a job; no new pod of it until the hold ends', {
      spec: h.specName,
      pod: h.podName,
      reason: h.reason,
      consecutiveFailures: h.failures,
      heldUntil: h.until.toISOString(),
      holdSeconds: (h.until.getTime() - h.since.getTime()) / 1000,
    });
    await deps.events?.specHeld(h);
  }
  for (const spec of reset) deps.log.info('AgentSpec hold ended: a pod of it ran a job, or the spec changed', { spec });
}

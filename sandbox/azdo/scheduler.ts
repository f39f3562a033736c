// The service's job scheduler: queue-time demand check, FIFO assignment to online, enabled,
// idle agents past their cleanup cooldown, message delivery, run timing, finish/abandon.
import { demandsNotSatisfied, badArgument } from './errors.ts';
import { parseDemand } from './demands.ts';
import { Eligibility } from './eligibility.ts';
import type { PoolEligibility } from './eligibility.ts';
import { type EmulatorState, randomGuid, TASK_RESULTS, jobState } from './state.ts';
import type { Agent, Job, Session, TaskResult } from './state.ts';

export interface SchedulerOptions {
  /** An agent is assignable again only this long after its last job finished. */
  agentCooldownMs: number;
  /** Minimum agent version the service demands of every job (`Agent.Version -gtVersion x`). */
  minAgentVersion: string;
  /** A session nobody polls (and not running a job) expires after this; the agent goes offline. */
  sessionIdleTimeoutMs: number;
  /** Default duration of a job from receiveTime to finishTime. */
  defaultJobDurationMs: number;
  /** The service's clock (default Date.now): the simulator drives the same model in virtual time. */
  now?: () => number;
  /**
   * Which of the eligible agents (by id) gets a job (default: the first). The real service picks
   * any; the simulator draws one from its seed.
   */
  chooseAgent?: (eligible: readonly Agent[]) => Agent;
}

export interface QueueJobInput {
  poolId: number;
  demands: readonly string[];
  durationMs?: number;
  result?: TaskResult;
  name?: string;
  definitionName?: string;
}

export interface AgentMessage {
  messageId: number;
  messageType: 'PipelineAgentJobRequest';
  body: string;
}

const LOCK_MS = 5 * 60_000;

export { capabilitiesOf } from './eligibility.ts';

export class Scheduler {
  private readonly state: EmulatorState;
  private readonly opts: SchedulerOptions;
  private timer: NodeJS.Timeout | undefined;
  private batching = 0;
  private tickHeld = false;
  private readonly now: () => number;
  /** Eligible agents per (pool, demand set): matchedAgents, queue-time rejection and assignment read it. */
  readonly eligibility: Eligibility;

  constructor(state: EmulatorState, opts: SchedulerOptions) {
    this.state = state;
    this.eligibility = new Eligibility(state);
    this.opts = opts;
    this.now = opts.now ?? Date.now;
  }

  start(intervalMs = 50): void {
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** All registered agents of the pool (offline and disabled included) that satisfy the demands. */
  eligibleAgents(poolId: number, demands: readonly string[]): readonly Agent[] {
    return this.eligibility.pool(poolId).eligible(demands).agents;
  }

  liveMatchedIds(job: Job): number[] {
    return this.eligibleAgents(job.poolId, job.demands).map((a) => a.id);
  }

  queueJob(input: QueueJobInput): Job {
    const pool = this.state.pools.get(input.poolId);
    if (!pool) throw badArgument(`Pool ${input.poolId} does not exist.`);
    const userDemands = input.demands.map((d) => d.trim());
    for (const d of userDemands) {
      if (!parseDemand(d)) throw badArgument(`Demand '${d}' is not valid. Use 'name' or 'name -equals value'.`);
    }
    const hasVersionDemand = userDemands.some((d) => /^Agent\.Version\s/i.test(d));
    const demands = hasVersionDemand ? userDemands : [...userDemands, `Agent.Version -gtVersion ${this.opts.minAgentVersion}`];
    // Queue-time rejection: the service refuses a job no registered agent could ever run.
    if (this.eligibleAgents(pool.id, demands).length === 0) throw demandsNotSatisfied(pool.name, demands);
    const requestId = this.state.newRequestId();
    const name = input.name ?? 'Job';
    const job: Job = {
      requestId,
      poolId: pool.id,
      demands,
      userDemands,
      durationMs: input.durationMs ?? this.opts.defaultJobDurationMs,
      plannedResult: input.result ?? 'succeeded',
      jobName: name,
      definitionId: 1,
      definitionName: input.definitionName ?? 'sandbox-pipeline',
      planId: randomGuid(),
      jobId: randomGuid(),
      queueTime: this.now(),
      assignTime: undefined,
      receiveTime: undefined,
      finishTime: undefined,
      lockedUntil: undefined,
      result: undefined,
      reservedAgentId: undefined,
      matchedAgentIds: undefined,
    };
    this.state.jobs.set(requestId, job);
    this.tick();
    return job;
  }

  /** Cancel: a queued job finishes `canceled` without assignTime; a busy agent is freed. */
  cancel(job: Job): void {
    if (job.finishTime !== undefined) return;
    this.finish(job, 'canceled');
  }

  finish(job: Job, result: TaskResult, now = this.now()): void {
    if (job.finishTime !== undefined) return;
    if (job.matchedAgentIds === undefined) job.matchedAgentIds = this.liveMatchedIds(job);
    job.finishTime = now;
    job.result = result;
    const agent = job.reservedAgentId !== undefined ? this.state.agents.get(job.reservedAgentId) : undefined;
    if (agent && agent.assignedRequestId === job.requestId) {
      agent.assignedRequestId = undefined;
      agent.lastCompletedRequestId = job.requestId;
      agent.cooldownUntil = now + this.opts.agentCooldownMs;
    }
  }

  /** The next message for a session's agent: the job assigned to it and not yet received. */
  takeMessage(session: Session, now = this.now()): AgentMessage | undefined {
    const agent = this.state.agents.get(session.agentId);
    if (!agent || agent.assignedRequestId === undefined) return undefined;
    const job = this.state.jobs.get(agent.assignedRequestId);
    if (!job || jobState(job) !== 'assigned') return undefined;
    job.receiveTime = now;
    job.lockedUntil = now + LOCK_MS;
    return {
      messageId: this.state.newMessageId(),
      messageType: 'PipelineAgentJobRequest',
      body: JSON.stringify({ requestId: job.requestId, jobId: job.jobId, jobName: job.jobName, planId: job.planId }),
    };
  }

  /** A lost agent: its running job is abandoned, an assigned-but-undelivered one goes back to the queue. */
  releaseAgent(agent: Agent, now = this.now()): void {
    if (agent.assignedRequestId === undefined) return;
    const job = this.state.jobs.get(agent.assignedRequestId);
    agent.assignedRequestId = undefined;
    if (!job) return;
    if (jobState(job) === 'running') {
      job.finishTime = now;
      job.result = 'abandoned';
      agent.lastCompletedRequestId = job.requestId;
      agent.cooldownUntil = now + this.opts.agentCooldownMs;
    } else if (jobState(job) === 'assigned') {
      job.assignTime = undefined;
      job.reservedAgentId = undefined;
      job.reservedAgentName = undefined;
      job.matchedAgentIds = undefined;
    }
  }

  /**
   * The agent's process died mid-job without a word (its container killed): its connection is
   * gone (offline), but the service keeps the job on it, running, until the job's lock lapses (a
   * live agent renews it every minute), then abandons it. An agent not running a job simply goes.
   */
  loseAgent(agent: Agent, now = this.now()): void {
    const session = this.state.sessionOfAgent(agent.id);
    const job = agent.assignedRequestId !== undefined ? this.state.jobs.get(agent.assignedRequestId) : undefined;
    if (job === undefined || jobState(job) !== 'running') {
      if (session) this.removeSession(session);
      return;
    }
    job.agentLost = true;
    job.lockedUntil = now + LOCK_MS;
    if (session) this.closeSession(session, now);
  }

  /** A lost agent's job whose lock lapsed: abandoned, and the agent free (offline). */
  private abandon(job: Job, now: number): void {
    const agent = job.reservedAgentId !== undefined ? this.state.agents.get(job.reservedAgentId) : undefined;
    if (agent && agent.assignedRequestId === job.requestId) this.releaseAgent(agent, now);
    else this.finish(job, 'abandoned', now);
  }

  removeSession(session: Session): void {
    const agent = this.closeSession(session, this.now());
    if (agent) this.releaseAgent(agent);
  }

  /** The session ends: its agent reads offline and its open long-polls return (they resolve later). */
  private closeSession(session: Session, now: number): Agent | undefined {
    this.state.sessions.delete(session.sessionId);
    const agent = this.state.agents.get(session.agentId);
    if (agent) agent.statusChangedOn = now;
    for (const wake of session.waiters) wake();
    session.waiters.clear();
    return agent;
  }

  /** Backdates the session's last poll past the idle timeout, as if its agent had stopped polling. */
  silence(session: Session, now = Date.now()): void {
    session.lastPollAt = now - this.opts.sessionIdleTimeoutMs - 1;
  }

  removeAgent(agent: Agent): void {
    const session = this.state.sessionOfAgent(agent.id);
    if (session) this.removeSession(session);
    this.releaseAgent(agent);
    this.state.agents.delete(agent.id);
  }

  /**
   * Runs `fn` with the scheduling passes it asks for (every queued job, every route's change)
   * held back and run once at its end: a world built in bulk costs one pass, not one per job.
   */
  batch<T>(fn: () => T): T {
    this.batching += 1;
    try {
      return fn();
    } finally {
      this.batching -= 1;
      if (this.batching === 0 && this.tickHeld) {
        this.tickHeld = false;
        this.tick();
      }
    }
  }

  /** One scheduling pass: finish due jobs, expire idle sessions, assign queued jobs FIFO. */
  tick(now = this.now()): void {
    if (this.batching > 0) {
      this.tickHeld = true;
      return;
    }
    for (const job of this.state.jobs.values()) {
      if (jobState(job) !== 'running') continue;
      if (job.agentLost) {
        if (now >= (job.lockedUntil ?? now)) this.abandon(job, now);
      } else if (now >= (job.receiveTime ?? now) + job.durationMs) {
        this.finish(job, job.plannedResult, now);
      }
    }
    for (const session of [...this.state.sessions.values()]) {
      const agent = this.state.agents.get(session.agentId);
      const current = agent?.assignedRequestId !== undefined ? this.state.jobs.get(agent.assignedRequestId) : undefined;
      // A running agent does not poll messages (it renews its job lock instead): never expire it.
      const running = current !== undefined && jobState(current) === 'running';
      if (session.waiters.size === 0 && !running && now - session.lastPollAt > this.opts.sessionIdleTimeoutMs) {
        this.removeSession(session);
      }
    }
    // The agents that could take a job now, per pool, lowest id first: computed once per tick,
    // so a long queue in a pool with no free agent costs one lookup per job.
    const free = new Map<number, Agent[]>();
    for (const a of this.state.agents.values()) {
      if (!a.enabled || a.assignedRequestId !== undefined || now < a.cooldownUntil || this.state.sessionOfAgent(a.id) === undefined) continue;
      (free.get(a.poolId) ?? free.set(a.poolId, []).get(a.poolId)!).push(a);
    }
    if (free.size === 0) return;
    for (const agents of free.values()) agents.sort((x, y) => x.id - y.id);
    // After the expiries above, which put an undelivered job back in the queue. The map holds
    // jobs by ascending requestId (ids only grow), so the sort is a check.
    const queued: Job[] = [];
    for (const job of this.state.jobs.values()) if (jobState(job) === 'queued') queued.push(job);
    if (!ascending(queued)) queued.sort((a, b) => a.requestId - b.requestId);
    const views = new Map<number, PoolEligibility>();
    for (const job of queued) {
      const candidates = free.get(job.poolId);
      if (!candidates || candidates.length === 0) continue;
      const view = views.get(job.poolId) ?? views.set(job.poolId, this.eligibility.pool(job.poolId)).get(job.poolId)!;
      const matched = view.eligible(job.demands);
      const eligible = candidates.filter((a) => a.assignedRequestId === undefined && matched.ids.has(a.id));
      const agent = eligible.length === 0 ? undefined : this.opts.chooseAgent ? this.opts.chooseAgent(eligible) : eligible[0];
      if (!agent) continue;
      candidates.splice(candidates.indexOf(agent), 1);
      job.matchedAgentIds = matched.agents.map((a) => a.id);
      job.assignTime = now;
      job.reservedAgentId = agent.id;
      job.reservedAgentName = agent.name;
      agent.assignedRequestId = job.requestId;
      const session = this.state.sessionOfAgent(agent.id);
      if (session) {
        for (const wake of session.waiters) wake();
        session.waiters.clear();
      }
    }
  }
}

function ascending(jobs: readonly Job[]): boolean {
  for (let i = 1; i < jobs.length; i++) if (jobs[i - 1]!.requestId > jobs[i]!.requestId) return false;
  return true;
}

/** Accepts the service's camelCase names (any case) and the client's numeric TaskResult values. */
export function parseResult(value: unknown): TaskResult | undefined {
  if (typeof value === 'number') return TASK_RESULTS[value];
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return TASK_RESULTS.find((r) => r.toLowerCase() === lower);
}

// The emulated organization's data. Plain records; behaviour lives in scheduler.ts and routes/.

export type TaskResult =
  | 'succeeded' | 'succeededWithIssues' | 'failed' | 'canceled' | 'skipped' | 'abandoned';

export const TASK_RESULTS: readonly TaskResult[] =
  ['succeeded', 'succeededWithIssues', 'failed', 'canceled', 'skipped', 'abandoned'];

export interface Pool {
  id: number;
  name: string;
  poolType: 'automation' | 'deployment';
  createdOn: number;
  scope: string;
}

export interface Agent {
  id: number;
  poolId: number;
  name: string;
  version: string | undefined;
  osDescription: string | undefined;
  enabled: boolean;
  maxParallelism: number;
  createdOn: number;
  statusChangedOn: number;
  systemCapabilities: Record<string, string>;
  userCapabilities: Record<string, string>;
  authorization: Record<string, unknown> | undefined;
  /** requestId of the job reserved for this agent (assigned or running). */
  assignedRequestId: number | undefined;
  lastCompletedRequestId: number | undefined;
  /** The scheduler may not assign before this time (cleanup after a job). */
  cooldownUntil: number;
}

export interface Job {
  requestId: number;
  poolId: number;
  /** Wire demands: user demands plus the service-added Agent.Version demand. */
  demands: string[];
  userDemands: string[];
  durationMs: number;
  plannedResult: TaskResult;
  jobName: string;
  definitionId: number;
  definitionName: string;
  planId: string;
  jobId: string;
  queueTime: number;
  assignTime: number | undefined;
  receiveTime: number | undefined;
  finishTime: number | undefined;
  lockedUntil: number | undefined;
  result: TaskResult | undefined;
  reservedAgentId: number | undefined;
  /** Name of the reserved agent, kept after the agent is deleted (the service keeps reservedAgent). */
  reservedAgentName?: string | undefined;
  /** Frozen at assignment; computed live while queued. */
  matchedAgentIds: number[] | undefined;
  /**
   * Its agent died mid-job without a word (Scheduler.loseAgent): the job stays on it, running,
   * until its lock lapses, then is abandoned.
   */
  agentLost?: boolean;
}

export interface Session {
  sessionId: string;
  poolId: number;
  agentId: number;
  ownerName: string;
  createdAt: number;
  lastPollAt: number;
  /** Open long-polls waiting for a message. */
  waiters: Set<() => void>;
}

export type JobState = 'queued' | 'assigned' | 'running' | 'finished';

export function jobState(job: Job): JobState {
  if (job.finishTime !== undefined) return 'finished';
  if (job.receiveTime !== undefined) return 'running';
  if (job.assignTime !== undefined) return 'assigned';
  return 'queued';
}

/** Sessions by id, indexed by agent as they are added and removed (one session per agent). */
class SessionMap extends Map<string, Session> {
  readonly byAgent = new Map<number, Session>();
  override set(id: string, session: Session): this {
    const old = this.get(id);
    if (old && this.byAgent.get(old.agentId) === old) this.byAgent.delete(old.agentId);
    super.set(id, session);
    this.byAgent.set(session.agentId, session);
    return this;
  }
  override delete(id: string): boolean {
    const s = this.get(id);
    if (s && this.byAgent.get(s.agentId) === s) this.byAgent.delete(s.agentId);
    return super.delete(id);
  }
  override clear(): void {
    this.byAgent.clear();
    super.clear();
  }
}

/**
 * Agents by id, indexed by pool as they are added and removed (an agent never changes pool), with
 * a generation that moves on every add or remove: caches of who is in a pool compare it.
 */
class AgentMap extends Map<number, Agent> {
  readonly byPool = new Map<number, Map<number, Agent>>();
  generation = 0;
  override set(id: number, agent: Agent): this {
    const old = this.get(id);
    if (old && old.poolId !== agent.poolId) this.byPool.get(old.poolId)?.delete(id);
    super.set(id, agent);
    (this.byPool.get(agent.poolId) ?? this.byPool.set(agent.poolId, new Map()).get(agent.poolId)!).set(id, agent);
    this.generation += 1;
    return this;
  }
  override delete(id: number): boolean {
    const old = this.get(id);
    if (old) this.byPool.get(old.poolId)?.delete(id);
    this.generation += 1;
    return super.delete(id);
  }
  override clear(): void {
    this.byPool.clear();
    this.generation += 1;
    super.clear();
  }
}

export class EmulatorState {
  readonly pools = new Map<number, Pool>();
  readonly agents: Map<number, Agent> = new AgentMap();
  readonly jobs = new Map<number, Job>();
  readonly sessions: Map<string, Session> = new SessionMap();
  private nextPoolId = 1;
  private nextAgentId = 1;
  private nextRequestId = 1;
  private nextMessageId = 1;
  /** The service's clock (default Date.now): the simulator drives the same model in virtual time. */
  readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  addPool(name: string, poolType: Pool['poolType'] = 'automation'): Pool {
    const pool: Pool = { id: this.nextPoolId++, name, poolType, createdOn: this.now(), scope: randomGuid() };
    this.pools.set(pool.id, pool);
    return pool;
  }

  poolByName(name: string): Pool | undefined {
    const lower = name.toLowerCase();
    for (const pool of this.pools.values()) if (pool.name.toLowerCase() === lower) return pool;
    return undefined;
  }

  agentsInPool(poolId: number): Agent[] {
    return [...((this.agents as AgentMap).byPool.get(poolId)?.values() ?? [])];
  }

  /** Moves whenever an agent is added or removed (in any pool). */
  agentsGeneration(): number {
    return (this.agents as AgentMap).generation;
  }

  agentByName(poolId: number, name: string): Agent | undefined {
    const lower = name.toLowerCase();
    return this.agentsInPool(poolId).find((a) => a.name.toLowerCase() === lower);
  }

  sessionOfAgent(agentId: number): Session | undefined {
    return (this.sessions as SessionMap).byAgent.get(agentId);
  }

  newAgentId(): number { return this.nextAgentId++; }
  newRequestId(): number { return this.nextRequestId++; }
  newMessageId(): number { return this.nextMessageId++; }
}

export function randomGuid(): string {
  return crypto.randomUUID();
}

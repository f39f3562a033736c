// Serialization to the service's wire format: camelCase, unset fields omitted, enums as
// camelCase strings, dates as ISO-8601 UTC with 7 fractional digits.
import type { Agent, EmulatorState, Job, Pool, Session } from './state.ts';

/** `2022-09-28T11:20:22.4630000Z`: the service's .NET DateTime format. */
export function isoDate(ms: number): string {
  // toISOString always ends in milliseconds and Z: four more digits of zeros before the Z.
  return `${new Date(ms).toISOString().slice(0, -1)}0000Z`;
}

/** Drops undefined members so unset fields are omitted, as the service does. */
export function compact<T extends Record<string, unknown>>(obj: T): T {
  for (const key of Object.keys(obj)) if (obj[key] === undefined) delete obj[key];
  return obj;
}

export function list<T>(items: readonly T[]): { count: number; value: readonly T[] } {
  return { count: items.length, value: items };
}

const SERVICE_OWNER = '00025394-6065-48ca-87d9-7f5672854ef7';
const HOST_ID = 'a5b8a3e1-7c1a-4d6d-9f6e-2b0f1c3d4e5f';
const PROJECT_ID = '6f9c1f2a-3b4c-4d5e-8f90-a1b2c3d4e5f6';

export class Wire {
  private readonly state: EmulatorState;
  private readonly baseUrl: () => string;

  constructor(state: EmulatorState, baseUrl: () => string) {
    this.state = state;
    this.baseUrl = baseUrl;
  }

  pool(pool: Pool): Record<string, unknown> {
    const identity = { displayName: 'Sandbox Administrator', id: 'b1c2d3e4-0000-4000-8000-000000000001', uniqueName: 'admin@sandbox' };
    return {
      createdOn: isoDate(pool.createdOn),
      autoProvision: false,
      autoUpdate: true,
      autoSize: true,
      createdBy: identity,
      owner: identity,
      id: pool.id,
      scope: pool.scope,
      name: pool.name,
      isHosted: false,
      poolType: pool.poolType,
      size: this.state.agentsInPool(pool.id).length,
      isLegacy: false,
      options: 'none',
    };
  }

  private agentLinks(agent: Agent): Record<string, unknown> {
    const href = `${this.baseUrl()}/_apis/distributedtask/pools/${agent.poolId}/agents/${agent.id}`;
    return { self: { href }, web: { href: `${this.baseUrl()}/_settings/agentpools?poolId=${agent.poolId}&agentId=${agent.id}` } };
  }

  agentStatus(agent: Agent): 'online' | 'offline' {
    return this.state.sessionOfAgent(agent.id) ? 'online' : 'offline';
  }

  /** TaskAgentReference: what reservedAgent / matchedAgents / session.agent carry. */
  agentReference(agent: Agent): Record<string, unknown> {
    return compact({
      _links: this.agentLinks(agent),
      id: agent.id,
      name: agent.name,
      version: agent.version,
      osDescription: agent.osDescription,
      enabled: agent.enabled,
      status: this.agentStatus(agent),
      provisioningState: 'Provisioned',
      accessPoint: 'CodexAccessMapping',
    });
  }

  agent(agent: Agent, opts: { capabilities?: boolean; assignedRequest?: boolean; lastCompletedRequest?: boolean } = {}): Record<string, unknown> {
    const assigned = opts.assignedRequest && agent.assignedRequestId !== undefined
      ? this.state.jobs.get(agent.assignedRequestId) : undefined;
    const last = opts.lastCompletedRequest && agent.lastCompletedRequestId !== undefined
      ? this.state.jobs.get(agent.lastCompletedRequestId) : undefined;
    return compact({
      systemCapabilities: opts.capabilities ? { ...agent.systemCapabilities } : undefined,
      userCapabilities: opts.capabilities && Object.keys(agent.userCapabilities).length > 0 ? { ...agent.userCapabilities } : undefined,
      assignedRequest: assigned ? this.job(assigned, { matchedAgents: false }) : undefined,
      lastCompletedRequest: last ? this.job(last, { matchedAgents: false }) : undefined,
      authorization: agent.authorization,
      createdOn: isoDate(agent.createdOn),
      statusChangedOn: isoDate(agent.statusChangedOn),
      maxParallelism: agent.maxParallelism,
      ...this.agentReference(agent),
    });
  }

  job(job: Job, opts: { matchedAgents: boolean; liveMatched?: () => readonly number[] }): Record<string, unknown> {
    const matchedIds = opts.matchedAgents ? (job.matchedAgentIds ?? opts.liveMatched?.() ?? []) : undefined;
    const matched = matchedIds
      ?.map((id) => this.state.agents.get(id))
      .filter((a): a is Agent => a !== undefined)
      .map((a) => this.agentReference(a));
    return this.jobFields(job, matched, opts.matchedAgents);
  }

  /**
   * The job's JSON text around its matchedAgents member, for a listing that writes each eligible
   * set's text once (jobListing.ts): `before` + matchedAgents array + `after` is exactly
   * JSON.stringify(job(job, {matchedAgents: true})).
   */
  jobTextAround(job: Job): { before: string; after: string } {
    const head: Record<string, unknown> = {};
    const tail: Record<string, unknown> = {};
    let seen = false;
    for (const [key, value] of Object.entries(this.jobFields(job, [], true))) {
      if (key === 'matchedAgents') seen = true;
      else (seen ? tail : head)[key] = value;
    }
    // Both sides always have members (requestId first, definition after matchedAgents).
    return { before: `${JSON.stringify(head).slice(0, -1)},"matchedAgents":`, after: `,${JSON.stringify(tail).slice(1)}` };
  }

  private jobFields(job: Job, matched: readonly unknown[] | undefined, withMatched: boolean): Record<string, unknown> {
    const reserved = job.reservedAgentId !== undefined ? this.state.agents.get(job.reservedAgentId) : undefined;
    const definitionHref = `${this.baseUrl()}/_build/definition?definitionId=${job.definitionId}`;
    return compact({
      requestId: job.requestId,
      queueTime: isoDate(job.queueTime),
      assignTime: job.assignTime !== undefined ? isoDate(job.assignTime) : undefined,
      receiveTime: job.receiveTime !== undefined ? isoDate(job.receiveTime) : undefined,
      finishTime: job.finishTime !== undefined ? isoDate(job.finishTime) : undefined,
      result: job.result,
      lockedUntil: job.lockedUntil !== undefined ? isoDate(job.lockedUntil) : undefined,
      serviceOwner: SERVICE_OWNER,
      hostId: HOST_ID,
      scopeId: PROJECT_ID,
      planType: 'Build',
      planId: job.planId,
      jobId: job.jobId,
      jobName: job.jobName,
      demands: [...job.demands],
      reservedAgent: reserved
        ? this.agentReference(reserved)
        : job.reservedAgentId !== undefined
          ? { id: job.reservedAgentId, name: job.reservedAgentName }
          : undefined,
      matchedAgents: matched,
      matchesAllAgentsInPool: withMatched && job.userDemands.length === 0 ? true : undefined,
      definition: { _links: { web: { href: definitionHref }, self: { href: definitionHref } }, id: job.definitionId, name: job.definitionName },
      owner: { _links: { web: { href: definitionHref }, self: { href: definitionHref } }, id: job.requestId, name: `${job.definitionName} #${job.requestId}` },
      data: { ParallelismTag: 'Private', IsScheduledKey: 'False' },
      poolId: job.poolId,
      orchestrationId: `${job.planId}.${job.jobName.replace(/\W/g, '_').toLowerCase()}.__default`,
      priority: 0,
      queueId: job.poolId,
    });
  }

  session(session: Session): Record<string, unknown> {
    const agent = this.state.agents.get(session.agentId);
    return compact({
      sessionId: session.sessionId,
      ownerName: session.ownerName,
      agent: agent ? this.agentReference(agent) : undefined,
      systemCapabilities: agent ? { ...agent.systemCapabilities } : undefined,
    });
  }
}

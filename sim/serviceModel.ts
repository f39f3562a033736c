// Azure DevOps in virtual time: the sandbox emulator's own model (EmulatorState, Scheduler, Wire)
// on the simulator's clock, so the emulator, the e2e suites and the simulator share one scheduler
// and one agent lifecycle. ServiceApi is the TaskAgentApi one reconciler process talks through:
// the REST routes' semantics (409 on a duplicate name, 404 resolved as null) without HTTP, with
// seeded faults (429 + Retry-After, 5xx, a 2xx the client cannot read) and virtual latency.
import { TypeInfo, type TaskAgent, type TaskAgentJobRequest, type TaskAgentPool } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import { ContractSerializer } from 'azure-devops-node-api/Serialization.js';
import type { ITaskAgentApi } from 'azure-devops-node-api/TaskAgentApi.js';
import type { TaskAgentApi } from '../reconciler/azdo/connection.ts';
import { JOB_REQUEST_PAGE_SIZE, type JobRequestPage } from '../reconciler/azdo/jobRequestPages.ts';
import type { JobRequestListing } from '../reconciler/azdo/jobRequests.ts';
import { EmulatorState, type Agent, type Job } from '../sandbox/azdo/state.ts';
import { Scheduler } from '../sandbox/azdo/scheduler.ts';
import { Wire } from '../sandbox/azdo/wire.ts';
import type { Rng } from './random.ts';
import type { Owner, VirtualTime } from './virtualTime.ts';

export interface ServiceFaults {
  /** Per call: 429 with Retry-After. */
  readonly throttle: number;
  /** Per call: 503. */
  readonly serverError: number;
  /** Per read: a 2xx body the client cannot read (resolved as null). */
  readonly unreadable: number;
  /** Per call: no answer within the client's 30 s socket timeout; a write may have happened or not. */
  readonly timeout?: number;
  /** Per call: a slow answer (2–20 s), as from a busy service or a loaded machine. */
  readonly slow?: number;
}

export const NO_SERVICE_FAULTS: ServiceFaults = { throttle: 0, serverError: 0, unreadable: 0, timeout: 0, slow: 0 };

export type CallKind = 'read' | 'write';

/** What a call did, for the invariants and the scoreboard's calls/hour. */
export interface CallRecord {
  readonly method: string;
  readonly kind: CallKind;
  readonly fault: 'throttle' | 'server-error' | 'unreadable' | 'timeout' | undefined;
}

export class ServiceModel {
  readonly state: EmulatorState;
  readonly scheduler: Scheduler;
  readonly wire: Wire;
  readonly vt: VirtualTime;
  faults: ServiceFaults = NO_SERVICE_FAULTS;
  calls = 0;
  /**
   * The most requests one page of the `$top` listing holds, whatever `$top` asks (the service's
   * cap is 200): the simulator's pools are small, so it serves smaller pages to make a paged read
   * take several.
   */
  maxPageSize = JOB_REQUEST_PAGE_SIZE;
  /** Before an agent is deleted through the API, with the deleting process (the invariants judge it). */
  onDelete: (agent: Agent, by: Owner) => void = () => {};

  constructor(vt: VirtualTime, opts: { agentCooldownMs?: number; rng?: Rng } = {}) {
    this.vt = vt;
    this.state = new EmulatorState(() => vt.now());
    this.scheduler = new Scheduler(this.state, {
      agentCooldownMs: opts.agentCooldownMs ?? 0,
      minAgentVersion: '2.0.0',
      sessionIdleTimeoutMs: 120_000,
      defaultJobDurationMs: 60_000,
      now: () => vt.now(),
      // Any eligible agent, not necessarily the one a plan counted on.
      ...(opts.rng ? { chooseAgent: (eligible: readonly Agent[]) => opts.rng!.pick(eligible) } : {}),
    });
    this.wire = new Wire(this.state, () => 'http://service.invalid/org');
  }

  jobs(): Job[] {
    return [...this.state.jobs.values()];
  }

  /** The text of each job in the last listings, with what it was made of. */
  readonly #jobText = new Map<number, { readonly key: string; readonly text: string }>();

  /**
   * One job request of the listing as the service serializes it (with `matchedAgents`). Made
   * again only when something it shows changed (the job's state, or a referenced agent's):
   * a listing is read every pass, and most of it is the same as the last one.
   */
  listingJobText(j: Job, matchedByDemands = new Map<string, number[]>()): string {
    // Jobs with the same demands match the same agents: one lookup per listing and demand set.
    const demandsKey = `${j.poolId}\n${j.demands.join('\n')}`;
    let live = matchedByDemands.get(demandsKey);
    if (j.matchedAgentIds === undefined && live === undefined) matchedByDemands.set(demandsKey, (live = this.scheduler.liveMatchedIds(j)));
    const matched = j.matchedAgentIds ?? live!;
    const ref = (id: number): string => {
      const a = this.state.agents.get(id);
      return a ? `${id}/${a.poolId}/${a.name}/${a.version}/${a.osDescription}/${a.enabled}/${this.wire.agentStatus(a)}` : `${id}/-`;
    };
    const key = [j.assignTime, j.receiveTime, j.finishTime, j.lockedUntil, j.result, j.reservedAgentName, j.reservedAgentId === undefined ? '-' : ref(j.reservedAgentId), ...matched.map(ref)].join('|');
    const known = this.#jobText.get(j.requestId);
    if (known?.key === key) return known.text;
    const text = JSON.stringify(this.wire.job(j, { matchedAgents: true, liveMatched: () => matched }));
    this.#jobText.set(j.requestId, { key, text });
    return text;
  }
}

/** The service as one reconciler process sees it. */
/** The listing's body comes in pieces of this many characters, as from a socket. */
const LISTING_CHUNK = 16 * 1024;

export class ServiceApi implements TaskAgentApi {
  readonly #svc: ServiceModel;
  readonly #rng: Rng;
  readonly #owner: Owner;
  readonly #record: (c: CallRecord) => void;
  readonly #beforeWrite: (method: string) => void;

  /** @param beforeWrite called as a write is sent, before its latency and faults. */
  constructor(svc: ServiceModel, rng: Rng, owner: Owner, record: (c: CallRecord) => void, beforeWrite: (method: string) => void = () => {}) {
    this.#svc = svc;
    this.#rng = rng;
    this.#owner = owner;
    this.#record = record;
    this.#beforeWrite = beforeWrite;
  }

  /** Latency, then a fault or the model's answer (a write's effect happens only without a fault before it). */
  async #call<T>(method: string, kind: CallKind, answer: () => T): Promise<T | null> {
    this.#svc.calls++;
    if (kind === 'write') this.#beforeWrite(method);
    const f = this.#svc.faults;
    await this.#svc.vt.delay(this.#rng.chance(f.slow ?? 0) ? this.#rng.int(2_000, 20_000) : this.#rng.int(30, 500), `azdo ${method}`, this.#owner);
    if (this.#rng.chance(f.throttle)) {
      this.#record({ method, kind, fault: 'throttle' });
      throw Object.assign(new Error('Too Many Requests'), { statusCode: 429, rateLimit: { retryAfter: this.#rng.int(1, 60) } });
    }
    if (this.#rng.chance(f.timeout ?? 0)) {
      this.#record({ method, kind, fault: 'timeout' });
      if (kind === 'write' && this.#rng.chance(0.5)) {
        try {
          answer();
        } catch {
          // The service refused it; the caller never hears either way.
        }
      }
      await this.#svc.vt.delay(30_000, `azdo ${method} times out`, this.#owner);
      throw Object.assign(new Error('socket timeout after 30000 ms'), { code: 'ESOCKETTIMEDOUT' });
    }
    if (this.#rng.chance(f.serverError)) {
      this.#record({ method, kind, fault: 'server-error' });
      throw Object.assign(new Error('Service Unavailable'), { statusCode: 503 });
    }
    const value = answer();
    if (kind === 'read' && this.#rng.chance(f.unreadable)) {
      this.#record({ method, kind, fault: 'unreadable' });
      return null;
    }
    this.#record({ method, kind, fault: undefined });
    return value;
  }

  #pool(poolId: number) {
    return this.#svc.state.pools.get(poolId);
  }

  #agent(poolId: number, agentId: number): Agent | undefined {
    const a = this.#svc.state.agents.get(agentId);
    return a && a.poolId === poolId ? a : undefined;
  }

  /** An agent as the service sends it: capabilities and requests only when asked for (writes answer with all). */
  #wireAgent(a: Agent, opts: { capabilities?: boolean; assignedRequest?: boolean; lastCompletedRequest?: boolean } = { capabilities: true, assignedRequest: true }): TaskAgent {
    return this.#svc.wire.agent(a, opts) as TaskAgent;
  }

  async getAgentPools(poolName?: string): Promise<TaskAgentPool[]> {
    const r = await this.#call('getAgentPools', 'read', () =>
      [...this.#svc.state.pools.values()].filter((p) => !poolName || p.name.toLowerCase() === poolName.toLowerCase()).map((p) => this.#svc.wire.pool(p) as TaskAgentPool),
    );
    return r as TaskAgentPool[];
  }

  async getAgents(poolId: number, agentName?: string, includeCapabilities?: boolean, includeAssignedRequest?: boolean, includeLastCompletedRequest?: boolean): Promise<TaskAgent[]> {
    const opts = { capabilities: includeCapabilities, assignedRequest: includeAssignedRequest, lastCompletedRequest: includeLastCompletedRequest };
    const r = await this.#call('getAgents', 'read', () =>
      this.#svc.state.agentsInPool(poolId)
        .filter((a) => !agentName || a.name.toLowerCase() === agentName.toLowerCase())
        .sort((a, b) => a.id - b.id)
        .map((a) => this.#wireAgent(a, opts)),
    );
    return r as TaskAgent[];
  }

  async getAgent(poolId: number, agentId: number, includeCapabilities?: boolean, includeAssignedRequest?: boolean, includeLastCompletedRequest?: boolean): Promise<TaskAgent> {
    const opts = { capabilities: includeCapabilities, assignedRequest: includeAssignedRequest, lastCompletedRequest: includeLastCompletedRequest };
    // 404 resolves as null in the published client.
    const r = await this.#call('getAgent', 'read', () => {
      const a = this.#agent(poolId, agentId);
      return a ? this.#wireAgent(a, opts) : null;
    });
    return r as TaskAgent;
  }

  async updateAgent(agent: TaskAgent, poolId: number, agentId: number): Promise<TaskAgent> {
    const r = await this.#call('updateAgent', 'write', () => {
      const a = this.#agent(poolId, agentId);
      if (!a) return null;
      if (agent.enabled !== undefined) a.enabled = agent.enabled;
      this.#svc.scheduler.tick();
      return this.#wireAgent(a);
    });
    return r as TaskAgent;
  }

  async deleteAgent(poolId: number, agentId: number): Promise<void> {
    await this.#call('deleteAgent', 'write', () => {
      const a = this.#agent(poolId, agentId);
      if (!a) return null;
      this.#svc.onDelete(a, this.#owner);
      this.#svc.scheduler.removeAgent(a);
      this.#svc.scheduler.tick();
      return null;
    });
  }

  async addAgent(agent: TaskAgent, poolId: number): Promise<TaskAgent> {
    const r = await this.#call('addAgent', 'write', () => {
      const pool = this.#pool(poolId);
      if (!pool) return null;
      const name = agent.name ?? '';
      if (this.#svc.state.agentByName(poolId, name)) {
        throw Object.assign(new Error(`An agent named ${name} already exists in pool ${poolId}.`), {
          statusCode: 409, result: { typeKey: 'TaskAgentExistsException', message: `An agent named ${name} already exists.` },
        });
      }
      return this.#wireAgent(registerAgent(this.#svc, poolId, name, agent.systemCapabilities ?? {}, agent.userCapabilities ?? {}, agent.version ?? '4.260.0'));
    });
    return r as TaskAgent;
  }

  /**
   * The unfinished-only listing (`completedRequestCount=0`) as the service sends it: every
   * unfinished request with its `matchedAgents`, as a body in chunks for the reconciler's stream
   * reader (the simulator hands this to the pass as AzdoSession.openJobRequestListing). A read the
   * fault plan makes unreadable is the body cut in half, as a dropped proxy connection leaves it.
   */
  async jobRequestListing(poolId: number): Promise<JobRequestListing> {
    // What JSON.stringify({ count, value }) gives, from each job's own text.
    const body = (jobs: readonly string[]) => `{"count":${jobs.length},"value":[${jobs.join(',')}]}`;
    const r = await this.#call('getAgentRequestsForAgents', 'read', () => {
      const matchedByDemands = new Map<string, number[]>();
      return body(this.#svc.jobs()
        .filter((j) => j.poolId === poolId && j.finishTime === undefined)
        .sort((a, b) => a.requestId - b.requestId)
        .map((j) => this.#svc.listingJobText(j, matchedByDemands)));
    });
    const text = r ?? body([]).slice(0, 12);
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      destroy: () => {},
      async *[Symbol.asyncIterator]() {
        for (let at = 0; at < text.length; at += LISTING_CHUNK) yield text.slice(at, at + LISTING_CHUNK);
      },
    };
  }

  /**
   * One page of the paged `$top` listing as the emulator's route serves it: the pool's requests
   * newest first, finished ones included, without `matchedAgents`, at most `top` (and the
   * service's page size) of them below the continuation token (a request id), and the next token
   * (the page's last request id) while more remain. The body is revived as the production reader
   * revives it (dates as Date, enums as numbers); an unreadable one is null. The simulator hands
   * this to the pass as AzdoSession.readJobRequestPage.
   */
  async jobRequestPage(poolId: number, continuationToken: string | undefined, top: number = JOB_REQUEST_PAGE_SIZE): Promise<JobRequestPage> {
    const after = continuationToken === undefined ? undefined : Number(continuationToken);
    if (after !== undefined && !Number.isSafeInteger(after)) throw Object.assign(new Error(`continuationToken ${continuationToken} is not a request id`), { statusCode: 400 });
    const r = await this.#call('getAgentRequests', 'read', () => {
      const below = this.#svc.jobs()
        .filter((j) => j.poolId === poolId && (after === undefined || j.requestId < after))
        .sort((a, b) => b.requestId - a.requestId);
      const value = below.slice(0, Math.min(top, JOB_REQUEST_PAGE_SIZE, this.#svc.maxPageSize));
      const last = value.at(-1);
      // Through JSON, as the wire carries it: the reviver then sees what the client sees.
      const body: unknown = JSON.parse(JSON.stringify({ count: value.length, value: value.map((j) => this.#svc.wire.job(j, { matchedAgents: false })) }));
      return { body, token: below.length > value.length && last ? String(last.requestId) : undefined };
    });
    if (r === null) return { requests: null, continuationToken: undefined };
    return { requests: ContractSerializer.deserialize(r.body, TypeInfo.TaskAgentJobRequest, false, true), continuationToken: r.token };
  }

  // The published client's REST layer, which the production listing reader goes through. The
  // simulator's pass reads the listings through jobRequestListing and jobRequestPage instead
  // (AzdoSession.openJobRequestListing, .readJobRequestPage), so reaching one of these means a reader was added without
  // a simulated counterpart.
  get vsoClient(): ITaskAgentApi['vsoClient'] {
    throw new Error('the simulated service has no REST layer: give the pass AzdoSession.openJobRequestListing and .readJobRequestPage');
  }
  get rest(): ITaskAgentApi['rest'] {
    throw new Error('the simulated service has no REST layer: give the pass AzdoSession.openJobRequestListing and .readJobRequestPage');
  }
  get createRequestOptions(): ITaskAgentApi['createRequestOptions'] {
    throw new Error('the simulated service has no REST layer: give the pass AzdoSession.openJobRequestListing and .readJobRequestPage');
  }

  async getAgentRequestsForAgents(poolId: number, _agentIds?: number[], completedRequestCount?: number): Promise<TaskAgentJobRequest[]> {
    const r = await this.#call('getAgentRequestsForAgents', 'read', () => {
      const jobs = this.#svc.jobs().filter((j) => j.poolId === poolId);
      const finished = jobs.filter((j) => j.finishTime !== undefined)
        .sort((a, b) => (b.finishTime ?? 0) - (a.finishTime ?? 0)).slice(0, completedRequestCount ?? 50);
      return [...jobs.filter((j) => j.finishTime === undefined), ...finished]
        .sort((a, b) => a.requestId - b.requestId)
        .map((j) => this.#svc.wire.job(j, { matchedAgents: true, liveMatched: () => this.#svc.scheduler.liveMatchedIds(j) }) as TaskAgentJobRequest);
    });
    return r as TaskAgentJobRequest[];
  }
}

/** The POST route's registration (also what an agent process does when it starts). */
export function registerAgent(svc: ServiceModel, poolId: number, name: string, system: Record<string, string>, user: Record<string, string>, version: string): Agent {
  const now = svc.vt.now();
  const agent: Agent = {
    id: svc.state.newAgentId(), poolId, name, version, osDescription: 'Linux', enabled: true, maxParallelism: 1,
    createdOn: now, statusChangedOn: now, systemCapabilities: { ...system }, userCapabilities: { ...user },
    authorization: undefined, assignedRequestId: undefined, lastCompletedRequestId: undefined, cooldownUntil: 0,
  };
  svc.state.agents.set(agent.id, agent);
  svc.scheduler.tick();
  return agent;
}

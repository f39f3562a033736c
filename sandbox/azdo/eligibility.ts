// Which agents of a pool satisfy a demand set: what a queued request's matchedAgents lists, what
// queue-time rejection checks, and what the scheduler assigns from. Kept per (pool, demand set),
// so a listing or a scheduling pass costs one check of the pool's agents plus one lookup per
// request, not requests × agents × demands. The cache is checked, not told: agents are plain
// records that routes, the simulator and benchmarks change in place, so each pool view compares
// the pool's membership (the state's agent generation) and each agent's capability records and
// version by identity with what the cached sets were built from. Capability records are replaced
// whole when they change (PUT/PATCH, re-registration), never edited key by key.
import { capabilityIndex, indexSatisfiesAll, parseDemand } from './demands.ts';
import type { Demand } from './demands.ts';
import type { Agent, EmulatorState } from './state.ts';

/** Capabilities the scheduler matches: system ∪ user, plus Agent.Version from `version`. */
export function capabilitiesOf(agent: Agent): Record<string, string> {
  const caps: Record<string, string> = { ...agent.systemCapabilities, ...agent.userCapabilities };
  if (agent.version) caps['Agent.Version'] = agent.version;
  return caps;
}

/** The agents of one pool that satisfy one demand set, in the pool's order (offline and disabled included). */
export interface EligibleSet {
  readonly agents: readonly Agent[];
  readonly ids: ReadonlySet<number>;
}

interface AgentEntry {
  readonly system: Record<string, string>;
  readonly user: Record<string, string>;
  readonly version: string | undefined;
  readonly capabilities: ReadonlyMap<string, string>;
}

interface PoolEntry {
  agentsGeneration: number;
  members: Agent[];
  readonly agents: Map<number, AgentEntry>;
  sets: Map<string, EligibleSet>;
}

/** One pool's agents, checked once: lookups through it cost O(1) after a demand set's first. */
export interface PoolEligibility {
  /** The agents of the pool, in its order. */
  readonly members: readonly Agent[];
  eligible(demands: readonly string[]): EligibleSet;
}

export class Eligibility {
  private readonly state: EmulatorState;
  private readonly pools = new Map<number, PoolEntry>();
  /** Parsed demands and their cache key, per job's demand list (lists are never edited). */
  private readonly parsed = new WeakMap<readonly string[], { key: string; demands: Demand[] }>();

  constructor(state: EmulatorState) {
    this.state = state;
  }

  /** Checks the pool's agents against the cache (O(agents in the pool)) and returns a view on it. */
  pool(poolId: number): PoolEligibility {
    const entry = this.check(poolId);
    return {
      members: entry.members,
      eligible: (demands) => this.eligible(entry, demands),
    };
  }

  private check(poolId: number): PoolEntry {
    let entry = this.pools.get(poolId);
    if (!entry) {
      entry = { agentsGeneration: -1, members: [], agents: new Map(), sets: new Map() };
      this.pools.set(poolId, entry);
    }
    let stale = false;
    const generation = this.state.agentsGeneration();
    if (entry.agentsGeneration !== generation) {
      // Some pool's agents were added or removed: this pool's only if its member list differs.
      const members = this.state.agentsInPool(poolId);
      if (members.length !== entry.members.length || members.some((a, i) => a !== entry!.members[i])) {
        stale = true;
        const ids = new Set(members.map((a) => a.id));
        for (const id of entry.agents.keys()) if (!ids.has(id)) entry.agents.delete(id);
      }
      entry.members = members;
      entry.agentsGeneration = generation;
    }
    for (const a of entry.members) {
      const known = entry.agents.get(a.id);
      if (known && known.system === a.systemCapabilities && known.user === a.userCapabilities && known.version === a.version) continue;
      entry.agents.set(a.id, {
        system: a.systemCapabilities,
        user: a.userCapabilities,
        version: a.version,
        capabilities: capabilityIndex(capabilitiesOf(a)),
      });
      stale = true;
    }
    if (stale) entry.sets = new Map();
    return entry;
  }

  private eligible(entry: PoolEntry, demands: readonly string[]): EligibleSet {
    let parsed = this.parsed.get(demands);
    if (!parsed) {
      parsed = {
        key: JSON.stringify(demands),
        demands: demands.map(parseDemand).filter((d): d is Demand => d !== undefined),
      };
      this.parsed.set(demands, parsed);
    }
    const cached = entry.sets.get(parsed.key);
    if (cached) return cached;
    const wanted = parsed.demands;
    const agents = entry.members.filter((a) => indexSatisfiesAll(entry.agents.get(a.id)!.capabilities, wanted));
    const set: EligibleSet = { agents, ids: new Set(agents.map((a) => a.id)) };
    entry.sets.set(parsed.key, set);
    return set;
  }
}

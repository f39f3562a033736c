// The job-request listing as the service sends it (every request with its matchedAgents), at a
// cost near its bytes. matchedAgents is ~350 bytes per eligible agent per request; requests with
// the same demands list the same agents, so each distinct list is serialized once and its bytes
// written for every request that carries it, until an agent of the pool changes what its
// reference shows (name, version, OS, enabled, online) or the pool's agents change. The body is
// handed to the server as pieces and never joined: at 10,000 agents a pool's listing passes the
// longest string V8 can hold. The text is exactly JSON.stringify of list(wire.job(...)).
import type { Eligibility } from './eligibility.ts';
import type { Agent, EmulatorState, Job } from './state.ts';
import type { Wire } from './wire.ts';

/** A JSON body in pieces whose concatenation is the text, and its length in bytes. */
export interface JsonPieces {
  readonly pieces: readonly (string | Buffer)[];
  readonly bytes: number;
}

interface Reference {
  readonly name: string;
  readonly version: string | undefined;
  readonly osDescription: string | undefined;
  readonly enabled: boolean;
  readonly online: boolean;
  readonly text: string;
}

interface PoolReferences {
  /** Moves when any reference of the pool, or its membership, changes. */
  generation: number;
  members: readonly Agent[];
  readonly refs: Map<number, Reference>;
}

/** One pool within one listing: its eligible sets and its references, checked once. */
interface PoolView {
  eligible(demands: readonly string[]): object;
  readonly generation: number;
  readonly refs: ReadonlyMap<number, Reference>;
}

interface CachedText {
  readonly generation: number;
  readonly bytes: Buffer;
}

export class JobListing {
  private readonly state: EmulatorState;
  private readonly eligibility: Eligibility;
  private readonly wire: Wire;
  private readonly pools = new Map<number, PoolReferences>();
  /** matchedAgents text per eligible set (live) or frozen id list (assigned), by identity. */
  private readonly texts = new WeakMap<object, CachedText>();

  constructor(state: EmulatorState, eligibility: Eligibility, wire: Wire) {
    this.state = state;
    this.eligibility = eligibility;
    this.wire = wire;
  }

  /** `{"count":n,"value":[...]}` of the jobs, each with its matchedAgents. */
  body(jobs: readonly Job[]): JsonPieces {
    const pieces: (string | Buffer)[] = [];
    let bytes = 0;
    let text = `{"count":${jobs.length},"value":[`;
    const views = new Map<number, PoolView>();
    jobs.forEach((job, i) => {
      let view = views.get(job.poolId);
      if (!view) {
        const pool = this.eligibility.pool(job.poolId);
        const refs = this.references(job.poolId, pool.members);
        view = { eligible: (d) => pool.eligible(d), generation: refs.generation, refs: refs.refs };
        views.set(job.poolId, view);
      }
      const around = this.wire.jobTextAround(job);
      text += (i > 0 ? ',' : '') + around.before;
      bytes += Buffer.byteLength(text);
      pieces.push(text);
      const matched = this.matchedText(job, view);
      bytes += matched.length;
      pieces.push(matched);
      text = around.after;
    });
    text += ']}';
    bytes += Buffer.byteLength(text);
    pieces.push(text);
    return { pieces, bytes };
  }

  private matchedText(job: Job, view: PoolView): Buffer {
    const frozen = job.matchedAgentIds;
    const set = frozen ?? view.eligible(job.demands);
    const cached = this.texts.get(set);
    if (cached && cached.generation === view.generation) return cached.bytes;
    const ids = frozen ?? (set as { agents: readonly Agent[] }).agents.map((a) => a.id);
    const parts: string[] = [];
    for (const id of ids) {
      const ref = view.refs.get(id);
      if (ref) parts.push(ref.text);
    }
    const bytes = Buffer.from(`[${parts.join(',')}]`);
    this.texts.set(set, { generation: view.generation, bytes });
    return bytes;
  }

  /** The pool's agent references, re-serialized only for agents whose shown fields changed. */
  private references(poolId: number, members: readonly Agent[]): PoolReferences {
    let entry = this.pools.get(poolId);
    if (!entry) {
      entry = { generation: 0, members: [], refs: new Map() };
      this.pools.set(poolId, entry);
    }
    let changed = members.length !== entry.members.length || members.some((a, i) => a !== entry!.members[i]);
    if (changed) {
      const ids = new Set(members.map((a) => a.id));
      for (const id of entry.refs.keys()) if (!ids.has(id)) entry.refs.delete(id);
      entry.members = members;
    }
    for (const a of members) {
      const online = this.state.sessionOfAgent(a.id) !== undefined;
      const r = entry.refs.get(a.id);
      if (r && r.name === a.name && r.version === a.version && r.osDescription === a.osDescription && r.enabled === a.enabled && r.online === online) continue;
      entry.refs.set(a.id, {
        name: a.name, version: a.version, osDescription: a.osDescription, enabled: a.enabled, online,
        text: JSON.stringify(this.wire.agentReference(a)),
      });
      changed = true;
    }
    if (changed) entry.generation += 1;
    return entry;
  }
}

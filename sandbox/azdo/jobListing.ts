// The job-request listing as the service sends it (every request with its matchedAgents), at a
// cost near its bytes. matchedAgents is ~350 bytes per eligible agent per request; requests with
// the same demands list the same agents, so each distinct list is serialized once and its bytes
// written for every request that carries it, until an agent of the pool changes what its
// reference shows (name, version, OS, enabled, online) or the pool's agents change. The body is
// handed to the server as pieces and never joined: at 10,000 agents a pool's listing passes the
// longest string V8 can hold. The text is exactly JSON.stringify of list(wire.job(...)).
import type { Eligibility, EligibleSet } from './eligibility.ts';
import type { Agent, EmulatorState, Job } from './state.ts';
import type { Wire } from './wire.ts';

/**
 * A JSON body in pieces whose concatenation is the text, made as they are read (so the body is
 * never whole in memory), and its length in bytes, known before.
 */
export interface JsonPieces {
  readonly pieces: Iterable<string | Buffer>;
  readonly bytes: number;
}

interface Reference {
  readonly name: string;
  readonly version: string | undefined;
  readonly osDescription: string | undefined;
  readonly enabled: boolean;
  readonly online: boolean;
  readonly text: string;
  readonly bytes: number;
}

interface PoolReferences {
  /** Moves when any reference of the pool, or its membership, changes. */
  generation: number;
  members: readonly Agent[];
  /** Never changed once made (see references()). */
  refs: ReadonlyMap<number, Reference>;
}

/** One pool within one listing: its eligible sets and its references, checked once. */
interface PoolView {
  eligible(demands: readonly string[]): EligibleSet;
  readonly generation: number;
  readonly refs: ReadonlyMap<number, Reference>;
}

interface CachedText {
  readonly generation: number;
  readonly bytes: Buffer;
}

/**
 * A request's matchedAgents: the shared text of its eligible set (queued), or its own list
 * frozen at assignment, whose text is made when written and not kept: every assigned request
 * has its own, and at 10,000 agents they add up to gigabytes.
 */
type Matched = Buffer | { readonly ids: readonly number[]; readonly refs: ReadonlyMap<number, Reference> };

/** Requests serialized between two turns of the event loop. */
const SLICE = 500;

export class JobListing {
  private readonly state: EmulatorState;
  private readonly eligibility: Eligibility;
  private readonly wire: Wire;
  private readonly pools = new Map<number, PoolReferences>();
  /** matchedAgents text per eligible set, by identity. */
  private readonly texts = new WeakMap<EligibleSet, CachedText>();

  constructor(state: EmulatorState, eligibility: Eligibility, wire: Wire) {
    this.state = state;
    this.eligibility = eligibility;
    this.wire = wire;
  }

  /**
   * `{"count":n,"value":[...]}` of the jobs, each with its matchedAgents. Made in slices that let
   * the event loop run between them: at 10,000 agents the requests' own fields alone take a
   * second of CPU, which would hold up every other route (and, in the benchmark's world, the
   * simulated API server the reconciler renews its Lease with).
   */
  async body(jobs: readonly Job[]): Promise<JsonPieces> {
    const views = new Map<number, PoolView>();
    const parts: { before: string; matched: Matched; after: string }[] = [];
    let bytes = 0;
    for (const [n, job] of jobs.entries()) {
      if (n > 0 && n % SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
      let view = views.get(job.poolId);
      if (!view) {
        const pool = this.eligibility.pool(job.poolId);
        const refs = this.references(job.poolId, pool.members);
        view = { eligible: (d) => pool.eligible(d), generation: refs.generation, refs: refs.refs };
        views.set(job.poolId, view);
      }
      const { before, after } = this.wire.jobTextAround(job);
      let matched: Matched;
      if (job.matchedAgentIds) {
        matched = { ids: job.matchedAgentIds, refs: view.refs };
        bytes += frozenBytes(job.matchedAgentIds, view.refs);
      } else {
        matched = this.setText(view.eligible(job.demands), view);
        bytes += matched.length;
      }
      parts.push({ before, matched, after });
      bytes += Buffer.byteLength(before) + Buffer.byteLength(after);
    }
    const open = `{"count":${jobs.length},"value":[`;
    bytes += Buffer.byteLength(open) + Math.max(0, jobs.length - 1) + 2;
    return {
      bytes,
      pieces: (function* () {
        let text = open;
        for (const [i, p] of parts.entries()) {
          text += (i > 0 ? ',' : '') + p.before;
          yield text;
          yield Buffer.isBuffer(p.matched) ? p.matched : frozenText(p.matched.ids, p.matched.refs);
          text = p.after;
        }
        yield `${text}]}`;
      })(),
    };
  }

  private setText(set: EligibleSet, view: PoolView): Buffer {
    const cached = this.texts.get(set);
    if (cached && cached.generation === view.generation) return cached.bytes;
    const bytes = Buffer.from(frozenText(set.agents.map((a) => a.id), view.refs));
    this.texts.set(set, { generation: view.generation, bytes });
    return bytes;
  }
  /**
   * The pool's agent references, re-serialized only for agents whose shown fields changed. A
   * change makes a new map (copy on write): a listing still being written keeps the one its
   * length was counted from.
   */
  private references(poolId: number, members: readonly Agent[]): PoolReferences {
    let entry = this.pools.get(poolId);
    if (!entry) {
      entry = { generation: 0, members: [], refs: new Map() };
      this.pools.set(poolId, entry);
    }
    const current = entry.refs;
    let copy: Map<number, Reference> | undefined;
    const writable = (): Map<number, Reference> => (copy ??= new Map(current));
    if (members.length !== entry.members.length || members.some((a, i) => a !== entry!.members[i])) {
      const ids = new Set(members.map((a) => a.id));
      const next = writable();
      for (const id of next.keys()) if (!ids.has(id)) next.delete(id);
      entry.members = members;
    }
    for (const a of members) {
      const online = this.state.sessionOfAgent(a.id) !== undefined;
      const r = (copy ?? current).get(a.id);
      if (r && r.name === a.name && r.version === a.version && r.osDescription === a.osDescription && r.enabled === a.enabled && r.online === online) continue;
      const text = JSON.stringify(this.wire.agentReference(a));
      writable().set(a.id, { name: a.name, version: a.version, osDescription: a.osDescription, enabled: a.enabled, online, text, bytes: Buffer.byteLength(text) });
    }
    if (copy) {
      entry.refs = copy;
      entry.generation += 1;
    }
    return entry;
  }
}

/** The JSON array of the references of those ids still in the pool (a deleted agent drops out). */
function frozenText(ids: readonly number[], refs: ReadonlyMap<number, Reference>): string {
  const texts: string[] = [];
  for (const id of ids) {
    const ref = refs.get(id);
    if (ref) texts.push(ref.text);
  }
  return `[${texts.join(',')}]`;
}

function frozenBytes(ids: readonly number[], refs: ReadonlyMap<number, Reference>): number {
  let bytes = 2;
  let count = 0;
  for (const id of ids) {
    const ref = refs.get(id);
    if (!ref) continue;
    bytes += ref.bytes;
    count += 1;
  }
  return bytes + Math.max(0, count - 1);
}

// Which specs can run a job, answered in time linear in the jobs: specs are grouped by pool
// (sorted by preference once), each spec's capabilities are a map by lower-case name, and a job's
// demands are parsed and matched once per distinct (pool, demands) pair. Jobs of one pipeline
// share their demands, so a queue of thousands has a handful of distinct pairs.
import type { AgentSpec } from '../agentspec/agentSpec.ts';
import type { Demand, DemandOptions } from './demands.ts';
import { compareVersions, isAgentVersionDemand, parseDemand } from './demands.ts';
import type { PendingJob } from './observed.ts';
import { getOrInsert } from '../support/getOrInsert.ts';

export type Candidates = { readonly specs: readonly AgentSpec[] } | { readonly reason: string };

export function bySpecPreference(a: AgentSpec, b: AgentSpec): number {
  return a.capabilities.length - b.capabilities.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

interface IndexedSpec {
  readonly spec: AgentSpec;
  /** Lower-case capability name → value (undefined for a bare capability). */
  readonly caps: ReadonlyMap<string, string | undefined>;
}

/** The matches of the demand lists that start with the demands leading here. */
interface MemoNode {
  readonly next: Map<string, MemoNode>;
  match: Candidates | undefined;
}

const memoNode = (): MemoNode => ({ next: new Map(), match: undefined });

export class SpecMatcher {
  readonly #byPool = new Map<string, IndexedSpec[]>();
  readonly #memo = new Map<string, MemoNode>();
  readonly #demands = new Map<string, Demand | undefined>();
  readonly #opts: DemandOptions;

  constructor(specs: readonly AgentSpec[], opts: DemandOptions = {}) {
    this.#opts = opts;
    for (const spec of [...specs].sort(bySpecPreference)) {
      const key = spec.pool.toLowerCase();
      const caps = new Map<string, string | undefined>();
      // The first of two capabilities with one name wins, as Array.find did.
      for (const c of spec.capabilities) if (!caps.has(c.name.toLowerCase())) caps.set(c.name.toLowerCase(), c.value);
      const list = this.#byPool.get(key) ?? [];
      list.push({ spec, caps });
      this.#byPool.set(key, list);
    }
  }

  /** The specs that can run the job, most preferred first, or why none can. */
  candidates(job: Pick<PendingJob, 'poolName' | 'demands'>): Candidates {
    // Memo by pool, then demand by demand: no key string is built per job.
    let node = getOrInsert(this.#memo, job.poolName, memoNode);
    for (const d of job.demands) node = getOrInsert(node.next, d, memoNode);
    node.match ??= this.#match(job.poolName, job.demands);
    return node.match;
  }

  #match(poolName: string, demands: readonly string[]): Candidates {
    const ofPool = this.#byPool.get(poolName.toLowerCase()) ?? [];
    if (ofPool.length === 0) return { reason: `no AgentSpec serves pool "${poolName}"` };
    const parsed = demands.map((raw) => this.#parsed(raw));
    const fit: AgentSpec[] = [];
    for (const s of ofPool) if (this.#satisfiesAll(parsed, s.caps)) fit.push(s.spec);
    if (fit.length > 0) return { specs: fit };
    // Only a job no spec can run needs the reason, spelled out per spec.
    const lacking = ofPool.map((s) => {
      const unmet = demands.filter((_, i) => parsed[i] === undefined || !this.#satisfied(parsed[i]!, s.caps));
      return `${s.spec.name} lacks ${unmet.map((d) => JSON.stringify(d)).join(', ')}`;
    });
    return { reason: `no AgentSpec of pool "${poolName}" satisfies the demands (${lacking.join('; ')})` };
  }

  #satisfiesAll(demands: readonly (Demand | undefined)[], caps: ReadonlyMap<string, string | undefined>): boolean {
    for (const d of demands) if (d === undefined || !this.#satisfied(d, caps)) return false;
    return true;
  }

  /** A demand string parsed once per matcher: jobs of many pipelines share demands. */
  #parsed(raw: string): Demand | undefined {
    if (!this.#demands.has(raw)) this.#demands.set(raw, parseDemand(raw));
    return this.#demands.get(raw);
  }

  /** demands.ts demandSatisfied, against the indexed capabilities. */
  #satisfied(d: Demand, caps: ReadonlyMap<string, string | undefined>): boolean {
    if (isAgentVersionDemand(d) && d.op === 'gtVersion') {
      return this.#opts.agentVersion === undefined || compareVersions(d.value, this.#opts.agentVersion) <= 0;
    }
    const name = d.name.toLowerCase();
    if (!caps.has(name)) return false;
    const value = caps.get(name);
    switch (d.op) {
      case 'exists':
        return true;
      case 'equals':
        return value !== undefined && value.toLowerCase() === d.value.toLowerCase();
      case 'gtVersion':
        return value !== undefined && compareVersions(value, d.value) >= 0;
    }
  }
}

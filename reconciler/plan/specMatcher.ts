// Which specs can run a job, answered in time linear in the jobs: specs are grouped by pool
// (sorted by preference once), each spec's capabilities are a map by lower-case name, and a job's
// demands are parsed and matched once per distinct (pool, demands) pair. Jobs of one pipeline
// share their demands, so a queue of thousands has a handful of distinct pairs.
import type { AgentSpec } from '../agentspec/agentSpec.ts';
import type { Demand, DemandOptions } from './demands.ts';
import { compareVersions, isAgentVersionDemand, parseDemand } from './demands.ts';
import type { PendingJob } from './observed.ts';

export type Candidates = { readonly specs: readonly AgentSpec[] } | { readonly reason: string };

export function bySpecPreference(a: AgentSpec, b: AgentSpec): number {
  return a.capabilities.length - b.capabilities.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

interface IndexedSpec {
  readonly spec: AgentSpec;
  /** Lower-case capability name → value (undefined for a bare capability). */
  readonly caps: ReadonlyMap<string, string | undefined>;
}

export class SpecMatcher {
  readonly #byPool = new Map<string, IndexedSpec[]>();
  readonly #memo = new Map<string, Candidates>();
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
    const key = `${job.poolName.toLowerCase()}\u0000${job.demands.join('\u0000')}`;
    let c = this.#memo.get(key);
    if (c === undefined) {
      c = this.#match(job.poolName, job.demands);
      this.#memo.set(key, c);
    }
    return c;
  }

  #match(poolName: string, demands: readonly string[]): Candidates {
    const ofPool = this.#byPool.get(poolName.toLowerCase()) ?? [];
    if (ofPool.length === 0) return { reason: `no AgentSpec serves pool "${poolName}"` };
    const parsed = demands.map((raw) => ({ raw, d: parseDemand(raw) }));
    const fit: AgentSpec[] = [];
    const lacking: string[] = [];
    for (const s of ofPool) {
      const unmet = parsed.filter(({ d }) => d === undefined || !this.#satisfied(d, s.caps)).map(({ raw }) => raw);
      if (unmet.length === 0) fit.push(s.spec);
      else lacking.push(`${s.spec.name} lacks ${unmet.map((d) => JSON.stringify(d)).join(', ')}`);
    }
    if (fit.length > 0) return { specs: fit };
    return { reason: `no AgentSpec of pool "${poolName}" satisfies the demands (${lacking.join('; ')})` };
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

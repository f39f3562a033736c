import { AzdoPoolNotFoundError } from '../errors/azdoErrors.ts';
import type { PendingJob, PoolAgent } from '../plan/observed.ts';
import { listAgents } from '../azdo/agents.ts';
import { readPendingJobs } from '../azdo/readPendingJobs.ts';
import type { AzdoSession } from '../azdo/session.ts';

export interface AzdoSnapshot {
  readonly pendingJobs: PendingJob[];
  readonly agents: PoolAgent[];
  /** Pools named by specs that do not exist: their specs are left alone this pass. */
  readonly missingPools: AzdoPoolNotFoundError[];
}

/**
 * Every pool at once (a pass waits for the slowest pool, not the sum): per pool one agent list
 * and one listing of its job requests (azdo/readPendingJobs.ts). Results keep the pools' sorted order.
 */
export async function observeAzdo(session: AzdoSession, poolNames: readonly string[]): Promise<AzdoSnapshot> {
  const pools = [...new Set(poolNames)].sort();
  const observed = await Promise.all(pools.map(async (pool) => {
    let poolId: number;
    try {
      poolId = await session.pools.idOf(pool);
    } catch (err) {
      if (err instanceof AzdoPoolNotFoundError) return { missing: err, jobs: [], agents: [] };
      throw err;
    }
    const [jobs, agents] = await Promise.all([readPendingJobs(session, poolId, pool), listAgents(session.api, poolId, pool)]);
    return { missing: undefined, jobs, agents };
  }));
  const pendingJobs: PendingJob[] = [];
  const agents: PoolAgent[] = [];
  const missingPools: AzdoPoolNotFoundError[] = [];
  for (const o of observed) {
    if (o.missing) missingPools.push(o.missing);
    pendingJobs.push(...o.jobs);
    agents.push(...o.agents);
  }
  return { pendingJobs, agents, missingPools };
}

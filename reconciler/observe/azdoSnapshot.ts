import { AzdoPoolNotFoundError } from '../errors/azdoErrors.ts';
import type { PendingJob, PoolAgent } from '../plan/observed.ts';
import { listAgents } from '../azdo/agents.ts';
import { listPendingJobs } from '../azdo/jobRequests.ts';
import type { AzdoSession } from '../azdo/session.ts';

export interface AzdoSnapshot {
  readonly pendingJobs: PendingJob[];
  readonly agents: PoolAgent[];
  /** Pools named by specs that do not exist: their specs are left alone this pass. */
  readonly missingPools: AzdoPoolNotFoundError[];
}

/** Two calls per pool, however many agents or jobs there are. */
export async function observeAzdo(session: AzdoSession, poolNames: readonly string[]): Promise<AzdoSnapshot> {
  const pendingJobs: PendingJob[] = [];
  const agents: PoolAgent[] = [];
  const missingPools: AzdoPoolNotFoundError[] = [];
  for (const pool of [...new Set(poolNames)].sort()) {
    let poolId: number;
    try {
      poolId = await session.pools.idOf(pool);
    } catch (err) {
      if (err instanceof AzdoPoolNotFoundError) {
        missingPools.push(err);
        continue;
      }
      throw err;
    }
    const [jobs, poolAgents] = await Promise.all([
      listPendingJobs(session.api, poolId, pool),
      listAgents(session.api, poolId, pool),
    ]);
    pendingJobs.push(...jobs);
    agents.push(...poolAgents);
  }
  return { pendingJobs, agents, missingPools };
}

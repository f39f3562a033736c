// A pool's requests that need an agent, from whichever listing costs less (jobListingFloor.ts):
// the paged listing down to the floor where the pool's unfinished-only listing was large, the
// unfinished-only listing otherwise and whenever a paged read gives up.
import type { PendingJob } from '../plan/observed.ts';
import { afterPaged, afterPagedGaveUp, afterStreamed } from './jobListingFloor.ts';
import { readRequestsDownTo } from './jobRequestPages.ts';
import { needsAgent, streamJobRequests, toPendingJob } from './jobRequests.ts';
import type { AzdoSession } from './session.ts';

export async function readPendingJobs(session: AzdoSession, poolId: number, poolName: string): Promise<PendingJob[]> {
  const memory = session.jobListings;
  const choice = memory?.choose(poolId);
  if (memory && choice?.kind === 'paged') {
    const read = await readRequestsDownTo(session.api, poolId, poolName, choice.floor, choice.maxPages, session.readJobRequestPage);
    const state = memory.get(poolId)!;
    if (read.kind === 'complete') {
      memory.set(poolId, afterPaged(state, read.floor));
      return read.requests.filter(needsAgent).map((r) => toPendingJob(r, poolName));
    }
    memory.set(poolId, afterPagedGaveUp(state, choice.floor));
  }
  const streamed = await streamJobRequests(session.api, poolId, poolName, session.openJobRequestListing);
  memory?.set(poolId, afterStreamed(memory.get(poolId), streamed.oldestUnfinished, streamed.bytes));
  return streamed.jobs;
}

// A pool's requests that need an agent, from whichever listing costs less (jobListingFloor.ts):
// the reads its listing state calls for, in order, until one completes; the last one always does.
import type { PendingJob } from '../plan/observed.ts';
import { afterPaged, afterPagedGaveUp, afterStreamed, afterStreamedTooLarge, type ListingRead, type PoolListingState } from './jobListingFloor.ts';
import { readRequestsDownTo } from './jobRequestPages.ts';
import { streamJobRequests } from './jobRequests.ts';
import type { AzdoSession } from './session.ts';

const WHOLE_UNFINISHED_LISTING: readonly ListingRead[] = [{ kind: 'streamed', maxBytes: undefined }];

export async function readPendingJobs(session: AzdoSession, poolId: number, poolName: string): Promise<PendingJob[]> {
  const memory = session.jobListings;
  const update = (next: (s: PoolListingState | undefined) => PoolListingState) => memory?.set(poolId, next(memory.get(poolId)));
  for (const read of memory?.reads(poolId) ?? WHOLE_UNFINISHED_LISTING) {
    if (read.kind === 'paged') {
      const paged = await readRequestsDownTo(session.api, poolId, poolName, read.floor, read.maxPages, session.readJobRequestPage);
      if (paged.kind === 'complete') {
        update((s) => afterPaged(s, paged.floor));
        return paged.jobs;
      }
      update((s) => afterPagedGaveUp(s, read.floor));
      continue;
    }
    const streamed = await streamJobRequests(session.api, poolId, poolName, session.openJobRequestListing, read.maxBytes);
    if (streamed.kind === 'too-large') {
      update((s) => afterStreamedTooLarge(s, streamed.bytes));
      continue;
    }
    update((s) => afterStreamed(s, streamed.oldestUnfinished, streamed.bytes, streamed.requests));
    return streamed.jobs;
  }
  throw new Error(`the reads of pool "${poolName}"'s job requests end without a whole unfinished-only listing`);
}

// One connection to an organization: the Task Agent API and the pool names resolved through it.
// observe/ reads through it and apply/ writes through it; the loop opens it once per run.
import type { AgentCapabilityCache } from './agentCapabilityCache.ts';
import type { TaskAgentApi } from './connection.ts';
import type { JobListingMemory } from './jobListingFloor.ts';
import type { ReadJobRequestPage } from './jobRequestPages.ts';
import type { OpenJobRequestListing } from './jobRequests.ts';
import type { PoolDirectory } from './pools.ts';

export interface AzdoSession {
  readonly api: TaskAgentApi;
  readonly pools: PoolDirectory;
  /** A pool's unfinished job requests, body still to stream (default jobRequests.ts's openJobRequestListing); the simulator's in-memory service. */
  readonly openJobRequestListing?: OpenJobRequestListing;
  /** One page of a pool's paged `$top` listing (default jobRequestPages.ts's readJobRequestPage); the simulator's in-memory service. */
  readonly readJobRequestPage?: ReadJobRequestPage;
  /** Which listing each pool is read from and its floor, kept across passes (absent: the unfinished-only listing every pass). */
  readonly jobListings?: JobListingMemory;
  /** What agents' capabilities said, kept across passes (absent: read again each pass). */
  readonly agentCapabilities?: AgentCapabilityCache;
}

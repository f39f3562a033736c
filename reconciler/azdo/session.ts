// One connection to an organization: the Task Agent API and the pool names resolved through it.
// observe/ reads through it and apply/ writes through it; the loop opens it once per run.
import type { TaskAgentApi } from './connection.ts';
import type { ReadJobRequestPage } from './jobRequests.ts';
import type { PoolDirectory } from './pools.ts';

export interface AzdoSession {
  readonly api: TaskAgentApi;
  readonly pools: PoolDirectory;
  /** One page of a pool's job requests (default jobRequests.ts's readJobRequestPage); the simulator's in-memory service. */
  readonly readJobRequestPage?: ReadJobRequestPage;
}

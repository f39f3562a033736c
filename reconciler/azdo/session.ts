// One connection to an organization: the Task Agent API and the pool names resolved through it.
// observe/ reads through it and apply/ writes through it; the loop opens it once per run.
import type { TaskAgentApi } from './connection.ts';
import type { PoolDirectory } from './pools.ts';

export interface AzdoSession {
  readonly api: TaskAgentApi;
  readonly pools: PoolDirectory;
}

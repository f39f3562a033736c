import type { TaskAgentPool } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import { AzdoPoolNotFoundError } from '../errors/azdoErrors.ts';
import { callAzdo } from './classifyAzdoError.ts';
import type { TaskAgentApi } from './connection.ts';
import { expectList, POOL_FIELDS } from './wireShape.ts';

/** Pool name → id. Pool ids never change, so they are cached for the life of the process. */
export class PoolDirectory {
  readonly #api: TaskAgentApi;
  readonly #ids = new Map<string, number>();
  constructor(api: TaskAgentApi) {
    this.#api = api;
  }

  async idOf(poolName: string): Promise<number> {
    const cached = this.#ids.get(poolName);
    if (cached !== undefined) return cached;
    const operation = `find pool "${poolName}"`;
    // A pool missing from a readable list is missing; from an unreadable one, unknown.
    const pools = expectList<TaskAgentPool>(operation, await callAzdo(operation, () => this.#api.getAgentPools(poolName)), POOL_FIELDS);
    const pool = pools.find((p) => p.name?.toLowerCase() === poolName.toLowerCase());
    if (!pool?.id) throw new AzdoPoolNotFoundError(poolName);
    this.#ids.set(poolName, pool.id);
    return pool.id;
  }
}

import { AzdoPoolNotFoundError } from '../errors/azdoErrors.ts';
import { callAzdo } from './classifyAzdoError.ts';
import type { TaskAgentApi } from './connection.ts';

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
    const pools = await callAzdo(`find pool "${poolName}"`, () => this.#api.getAgentPools(poolName));
    const pool = (pools ?? []).find((p) => p.name?.toLowerCase() === poolName.toLowerCase());
    if (!pool?.id) throw new AzdoPoolNotFoundError(poolName);
    this.#ids.set(poolName, pool.id);
    return pool.id;
  }
}

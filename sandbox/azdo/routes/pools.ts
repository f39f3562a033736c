// Agent pools: list (poolName, poolType filters) and get by id.
import type { Route } from '../context.ts';
import { list } from '../wire.ts';
import { requirePool } from './lookup.ts';

// The client sends enum query values as numbers (TaskAgentPoolType.Automation = 1).
const POOL_TYPES: Record<string, string> = { '1': 'automation', '2': 'deployment', automation: 'automation', deployment: 'deployment' };

export const poolRoutes: Route[] = [
  {
    method: 'GET', pattern: 'distributedtask/pools',
    handler: ({ emu, query }) => {
      const name = query.get('poolName');
      const typeParam = query.get('poolType');
      const type = typeParam ? POOL_TYPES[typeParam.toLowerCase()] : undefined;
      const pools = [...emu.state.pools.values()]
        .filter((p) => !name || p.name.toLowerCase() === name.toLowerCase())
        .filter((p) => !typeParam || p.poolType === type)
        .map((p) => emu.wire.pool(p));
      return { status: 200, body: list(pools) };
    },
  },
  {
    method: 'GET', pattern: 'distributedtask/pools/{poolId}',
    handler: ({ emu, params }) => ({ status: 200, body: emu.wire.pool(requirePool(emu, params.poolId)) }),
  },
];

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { unregisterAgents } from '../../reconciler/apply/unregisterAgents.ts';
import type { TaskAgentApi } from '../../reconciler/azdo/connection.ts';
import { PoolDirectory } from '../../reconciler/azdo/pools.ts';
import type { AgentToUnregister } from '../../reconciler/plan/changes.ts';
import { createLogger } from '../../reconciler/support/logger.ts';

const POOL = 'k8s-agents';
const agent = (id: number): AgentToUnregister => ({ agentId: id, name: `linux-${id}`, poolName: POOL, reason: 'pod-finished' });

/** A client whose deleteAgent takes a moment and refuses agent `refuse`; records what ran at once. */
function client(refuse?: number) {
  const deleted: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const api = {
    getAgentPools: async () => [{ id: 1, name: POOL }],
    deleteAgent: async (_pool: number, id: number) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(20);
      inFlight--;
      if (id === refuse) throw Object.assign(new Error('refused'), { statusCode: 500 });
      deleted.push(id);
    },
  } as unknown as TaskAgentApi;
  return { session: { api, pools: new PoolDirectory(api) }, deleted, maxInFlight: () => maxInFlight };
}

test('agents are unregistered several at a time; results keep the plan order; a failure is reported, the rest go on', async () => {
  const c = client(3);
  const r = await unregisterAgents(c.session, [1, 2, 3, 4, 5, 6].map(agent), new Set(['linux-6']), createLogger({ write: () => {} }));
  assert.deepEqual(r.unregistered, ['linux-1', 'linux-2', 'linux-4', 'linux-5']);
  assert.deepEqual(r.failures.map((f) => f.agent), ['linux-3']);
  assert.deepEqual([...c.deleted].sort(), [1, 2, 4, 5], 'an agent whose manifest is still on the branch is never deleted');
  assert.ok(c.maxInFlight() > 1, 'deletes overlap');
});

test('an aborted signal (leadership lost) throws its reason and deletes nothing', async () => {
  const c = client();
  const ctl = new AbortController();
  ctl.abort(new Error('lease lost'));
  await assert.rejects(unregisterAgents(c.session, [agent(1), agent(2)], new Set(), createLogger({ write: () => {} }), ctl.signal), /lease lost/);
  assert.deepEqual(c.deleted, []);
});

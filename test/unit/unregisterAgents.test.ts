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
/** An agent as the pool's list shows it (wire fields). */
const wireAgent = (id: number, init: Record<string, unknown> = {}) => ({ id, name: `linux-${id}`, status: 'offline', enabled: true, ...init });

/**
 * A client whose deleteAgent takes a moment and refuses agent `refuse`; records what ran at once.
 * Its list of the pool answers `list()` (wire TaskAgents) and counts how often it was read.
 */
function client(refuse?: number, list: () => unknown = () => [1, 2, 3, 4, 5, 6].map((id) => wireAgent(id))) {
  const deleted: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const listCalls: unknown[][] = [];
  const api = {
    getAgentPools: async () => [{ id: 1, name: POOL }],
    getAgents: async (...args: unknown[]) => {
      listCalls.push(args);
      return list();
    },
    deleteAgent: async (_pool: number, id: number) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(20);
      inFlight--;
      if (id === refuse) throw Object.assign(new Error('refused'), { statusCode: 500 });
      deleted.push(id);
    },
  } as unknown as TaskAgentApi;
  return { session: { api, pools: new PoolDirectory(api) }, deleted, maxInFlight: () => maxInFlight, lists: () => listCalls.length, listCalls };
}

test('agents are unregistered several at a time; results keep the plan order; a failure is reported, the rest go on', async () => {
  const c = client(3);
  const r = await unregisterAgents(c.session, [1, 2, 3, 4, 5, 6].map(agent), new Set(['linux-6']), createLogger({ write: () => {} }));
  assert.deepEqual(r.unregistered, ['linux-1', 'linux-2', 'linux-4', 'linux-5']);
  assert.deepEqual(r.failures.map((f) => f.agent), ['linux-3']);
  assert.deepEqual([...c.deleted].sort(), [1, 2, 4, 5], 'an agent whose manifest is still on the branch is never deleted');
  assert.ok(c.maxInFlight() > 1, 'deletes overlap');
});

test('the re-read lists each agent with its assigned request only: no capabilities, no last completed request', async () => {
  const c = client();
  await unregisterAgents(c.session, [agent(1)], new Set(), createLogger({ write: () => {} }));
  // getAgents(poolId, agentName, includeCapabilities, includeAssignedRequest, includeLastCompletedRequest)
  assert.deepEqual(c.listCalls, [[1, undefined, false, true, false]]);
});

test('an aborted signal (leadership lost) throws its reason and deletes nothing', async () => {
  const c = client();
  const ctl = new AbortController();
  ctl.abort(new Error('lease lost'));
  await assert.rejects(unregisterAgents(c.session, [agent(1), agent(2)], new Set(), createLogger({ write: () => {} }), ctl.signal), /lease lost/);
  assert.deepEqual(c.deleted, []);
});

test('agents are unregistered once the re-read shows them idle and kept while it shows a job (listed idle, they may have taken one since); one list for them all', async () => {
  const c = client(undefined, () => [wireAgent(1), wireAgent(2, { assignedRequest: { requestId: 9 } }), wireAgent(3)]);
  const lines: string[] = [];
  const r = await unregisterAgents(c.session, [agent(1), agent(2), agent(3)], new Set(), createLogger({ write: (l) => lines.push(l) }));
  assert.deepEqual(r.unregistered, ['linux-1', 'linux-3']);
  assert.deepEqual(r.failures, [], 'an agent still on its job is not a failure: the next pass looks again');
  assert.deepEqual([...c.deleted].sort(), [1, 3]);
  assert.equal(c.lists(), 1, 'one re-read of the pool, whatever the number of agents');
  assert.ok(lines.some((l) => l.includes('reads a job') && l.includes('linux-2')), lines.join('\n'));
});

test('an agent that a readable re-read no longer holds is neither deleted nor a failure', async () => {
  const c = client(undefined, () => []);
  const r = await unregisterAgents(c.session, [agent(1)], new Set(), createLogger({ write: () => {} }));
  assert.deepEqual([r.unregistered, r.failures, c.deleted], [[], [], []]);
});

test('agents whose re-read cannot be read are failures, not deletes', async () => {
  const c = client(undefined, () => null);
  const r = await unregisterAgents(c.session, [agent(1), agent(2)], new Set(), createLogger({ write: () => {} }));
  assert.deepEqual(c.deleted, []);
  assert.deepEqual(r.failures.map((f) => f.agent), ['linux-1', 'linux-2']);
  assert.match(r.failures[0]?.error ?? '', /list agents of pool "k8s-agents"/);
});

test('leadership lost while agents are re-read: its reason is thrown and nothing is deleted', async () => {
  const ctl = new AbortController();
  const c = client(undefined, () => {
    ctl.abort(new Error('lease lost'));
    return [wireAgent(1)];
  });
  await assert.rejects(unregisterAgents(c.session, [agent(1)], new Set(), createLogger({ write: () => {} }), ctl.signal), /lease lost/);
  assert.deepEqual(c.deleted, []);
});

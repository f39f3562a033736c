import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskAgent } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import { drainIdleAgents } from '../../reconciler/apply/drainIdleAgents.ts';
import { toPoolAgent } from '../../reconciler/azdo/agents.ts';
import type { TaskAgentApi } from '../../reconciler/azdo/connection.ts';
import { PoolDirectory } from '../../reconciler/azdo/pools.ts';
import { createLogger } from '../../reconciler/support/logger.ts';
import type { ManifestToRemove } from '../../reconciler/plan/changes.ts';

const POOL = 'k8s-agents';
// Enum fields as the wire sends them (strings).
const wire = (init: Record<string, unknown> = {}): TaskAgent => ({ id: 4, name: 'linux-abc12', status: 'online', enabled: true, ...init }) as unknown as TaskAgent;
const leaving: ManifestToRemove = { path: 'agents/pods/linux/linux-abc12.yaml', podName: 'linux-abc12', specName: 'linux', reason: 'scale-down', agentId: 4 };

/**
 * Drains the idle agent 4, observed as `listed`, against a client whose re-read answers `reread`
 * (and the pool list `list`).
 */
async function drainWith(reread: unknown, list: unknown = [wire({ enabled: false })], listed: TaskAgent = wire()) {
  const disabled: number[] = [];
  const api = {
    getAgentPools: async () => [{ id: 1, name: POOL }],
    updateAgent: async (a: TaskAgent) => {
      disabled.push(a.id!);
      return null;
    },
    getAgent: async () => reread,
    getAgents: async () => list,
  } as unknown as TaskAgentApi;
  const result = await drainIdleAgents({ api, pools: new PoolDirectory(api) }, [leaving], [toPoolAgent(listed, POOL)], createLogger({ write: () => {} }));
  return { ...result, disabled };
}

test('an agent that reads disabled and idle after disabling is confirmed', async () => {
  const r = await drainWith(wire({ enabled: false }));
  assert.deepEqual(r.disabled, [4]);
  assert.deepEqual([...r.confirmedIdle], ['linux-abc12']);
  assert.deepEqual(r.failures, []);
});

test('an agent that took a job while being disabled stays', async () => {
  const r = await drainWith(wire({ enabled: false, assignedRequest: { requestId: 11 } }));
  assert.deepEqual(r.tookAJob, [{ agent: 'linux-abc12', requestId: 11 }]);
  assert.equal(r.confirmedIdle.size, 0);
});

test('an agent listed idle that took a job and finished it before the re-read stays: its pod exits by itself', async () => {
  const r = await drainWith(wire({ enabled: false, lastCompletedRequest: { requestId: 12 } }));
  assert.deepEqual(r.tookAJob, [{ agent: 'linux-abc12', requestId: 12 }]);
  assert.equal(r.confirmedIdle.size, 0);
});

test('an agent whose re-read shows only the completed request it was listed with is confirmed', async () => {
  const done = { lastCompletedRequest: { requestId: 12 } };
  const r = await drainWith(wire({ enabled: false, ...done }), undefined, wire(done));
  assert.deepEqual([...r.confirmedIdle], ['linux-abc12']);
  assert.deepEqual(r.tookAJob, []);
});

test('an agent that still reads enabled (the disable answered 2xx but did not take) is not confirmed', async () => {
  const r = await drainWith(wire({ enabled: true }));
  assert.equal(r.confirmedIdle.size, 0);
  assert.match(r.failures[0]?.error ?? '', /still reads enabled after disabling/);
});

test('an unreadable re-read ({}) is not confirmed', async () => {
  const r = await drainWith({});
  assert.equal(r.confirmedIdle.size, 0);
  assert.match(r.failures[0]?.error ?? '', /^read agent 4 of pool "k8s-agents": Azure DevOps answered 2xx/);
});

test('a null re-read is settled by the pool list: gone is confirmed, unreadable is not', async () => {
  assert.deepEqual([...(await drainWith(null, [])).confirmedIdle], ['linux-abc12'], 'gone from a readable list');
  const unread = await drainWith(null, null);
  assert.equal(unread.confirmedIdle.size, 0);
  assert.match(unread.failures[0]?.error ?? '', /^list agents of pool "k8s-agents": Azure DevOps answered 2xx/);
  assert.deepEqual([...(await drainWith(null, [wire({ enabled: false })])).confirmedIdle], ['linux-abc12'], 'there, disabled and idle');
});

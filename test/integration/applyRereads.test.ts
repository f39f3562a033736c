// Apply's re-reads against the emulator, through the published client: an agent's state moves on
// between the list a plan was made from and the moment apply acts on it, so the re-read decides,
// never that list.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ITaskAgentApi } from 'azure-devops-node-api/TaskAgentApi.js';
import { drainIdleAgents } from '../../reconciler/apply/drainIdleAgents.ts';
import { unregisterAgents } from '../../reconciler/apply/unregisterAgents.ts';
import { listAgents } from '../../reconciler/azdo/agents.ts';
import { PoolDirectory } from '../../reconciler/azdo/pools.ts';
import { createLogger } from '../../reconciler/support/logger.ts';
import { startAzdoEmulator, type AzdoEmulator } from '../../sandbox/azdo/index.ts';
import { admin, listeningAgent, queueJob, taskAgentApi } from '../helpers/azdoClient.ts';

const POOL = 1;
const POOL_NAME = 'k8s-agents';

let emu: AzdoEmulator;
let api: ITaskAgentApi;
before(async () => {
  emu = await startAzdoEmulator();
  api = await taskAgentApi(emu);
});
after(() => emu.close());

/** Queues a job (running for ten minutes) that only the agent `name` can take, and hands it over. */
async function giveJob(name: string, sessionId: string): Promise<number> {
  const requestId = await queueJob(emu, { pool: POOL_NAME, demands: [name], durationMs: 600_000 });
  const message = await api.getMessage(POOL, sessionId);
  assert.equal((JSON.parse(message.body!) as { requestId: number }).requestId, requestId);
  return requestId;
}

const finishJob = async (requestId: number) => assert.equal((await admin(emu, 'POST', `/jobs/${requestId}/finish`)).status, 200);

/** The pool's agents as a pass lists them, of `names` only. */
const listedOf = async (...names: string[]) => (await listAgents(api, POOL, POOL_NAME)).filter((a) => names.includes(a.name));

describe('unregistering agents listed on a job (their pods have exited)', () => {
  it('deletes the one whose job has ended since the list and keeps the one still on its job', async () => {
    const ended = await listeningAgent(api, POOL, 'linux-ended');
    const endedJob = await giveJob('linux-ended', ended.sessionId);
    const running = await listeningAgent(api, POOL, 'linux-running');
    const runningJob = await giveJob('linux-running', running.sessionId);
    const listed = await listedOf('linux-ended', 'linux-running');
    assert.deepEqual(listed.map((a) => [a.name, a.assignedRequestId]).sort(), [['linux-ended', endedJob], ['linux-running', runningJob]]);
    await finishJob(endedJob);

    const lines: string[] = [];
    const r = await unregisterAgents(
      { api, pools: new PoolDirectory(api) },
      listed.map((a) => ({ agentId: a.id, name: a.name, poolName: POOL_NAME, reason: 'pod-finished' as const })),
      new Set(),
      createLogger({ write: (l) => lines.push(l) }),
    );
    assert.deepEqual(r, { unregistered: ['linux-ended'], failures: [] });
    assert.equal(await api.getAgent(POOL, ended.id), null, 'deleted');
    const kept = await api.getAgent(POOL, running.id, false, true);
    assert.equal(kept.assignedRequest?.requestId, runningJob, 'still registered and on its job');
    assert.ok(lines.some((l) => l.includes('reads a job') && l.includes('linux-running')), lines.join('\n'));
  });
});

// The agent list and the job listing are read side by side, so a pass can list an agent idle
// whose job is already taken, and plan it away.
describe('draining agents listed idle', () => {
  it('keeps the one that took a job and finished it since the list, and confirms the one still idle', async () => {
    const ran = await listeningAgent(api, POOL, 'linux-ran');
    await listeningAgent(api, POOL, 'linux-idle');
    const listed = await listedOf('linux-ran', 'linux-idle');
    assert.deepEqual(listed.map((a) => [a.name, a.status, a.assignedRequestId, a.lastCompletedRequestId]).sort(), [
      ['linux-idle', 'online', undefined, undefined],
      ['linux-ran', 'online', undefined, undefined],
    ]);
    // After the list, linux-ran takes a job, and the job ends before the drain re-reads it.
    const requestId = await giveJob('linux-ran', ran.sessionId);
    await finishJob(requestId);

    const lines: string[] = [];
    const removals = listed.map((a) => ({ path: `agents/pods/linux/${a.name}.yaml`, podName: a.name, specName: 'linux', reason: 'scale-down' as const, agentId: a.id }));
    const r = await drainIdleAgents({ api, pools: new PoolDirectory(api) }, removals, listed, createLogger({ write: (l) => lines.push(l) }));
    assert.deepEqual(r.tookAJob, [{ agent: 'linux-ran', requestId }], 'its pod exits by itself, and is pruned as finished');
    assert.deepEqual([...r.confirmedIdle], ['linux-idle']);
    assert.deepEqual(r.failures, []);
    assert.ok(lines.some((l) => l.includes('ran a job since it was listed') && l.includes('linux-ran')), lines.join('\n'));
  });
});

// An agent listed idle, drained against the emulator through the published client: the agent list
// and the job listing are read side by side, so a pass can see an agent idle and its job already
// taken. The drain's re-read decides, never the list the plan was made from.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ITaskAgentApi } from 'azure-devops-node-api/TaskAgentApi.js';
import { drainIdleAgents } from '../../reconciler/apply/drainIdleAgents.ts';
import { listAgents } from '../../reconciler/azdo/agents.ts';
import { PoolDirectory } from '../../reconciler/azdo/pools.ts';
import { createLogger } from '../../reconciler/support/logger.ts';
import { startAzdoEmulator, type AzdoEmulator } from '../../sandbox/azdo/index.ts';
import { admin, queueJob, taskAgentApi } from '../helpers/azdoClient.ts';

const POOL = 1;
const POOL_NAME = 'k8s-agents';

describe('draining an agent listed idle', () => {
  let emu: AzdoEmulator;
  let api: ITaskAgentApi;
  before(async () => {
    emu = await startAzdoEmulator();
    api = await taskAgentApi(emu);
  });
  after(() => emu.close());

  /** A registered agent with a session, listening: online and idle. */
  async function listeningAgent(name: string): Promise<{ id: number; sessionId: string }> {
    const agent = await api.addAgent({ name, version: '4.250.0', enabled: true, maxParallelism: 1, systemCapabilities: { [name]: '' } } as never, POOL);
    const session = await api.createAgentSession({ agent: { id: agent.id, name, version: agent.version }, ownerName: name } as never, POOL);
    return { id: agent.id!, sessionId: session.sessionId! };
  }

  it('keeps the one that took a job and finished it since the list, and confirms the one still idle', async () => {
    const ran = await listeningAgent('linux-ran');
    await listeningAgent('linux-idle');
    const listed = await listAgents(api, POOL, POOL_NAME);
    assert.deepEqual(listed.map((a) => [a.name, a.status, a.assignedRequestId, a.lastCompletedRequestId]).sort(), [
      ['linux-idle', 'online', undefined, undefined],
      ['linux-ran', 'online', undefined, undefined],
    ]);
    // After the list: linux-ran receives a job, and the job ends before the drain re-reads it.
    const requestId = await queueJob(emu, { pool: POOL_NAME, demands: ['linux-ran'], durationMs: 600_000 });
    const message = await api.getMessage(POOL, ran.sessionId);
    assert.equal((JSON.parse(message.body!) as { requestId: number }).requestId, requestId);
    assert.equal((await admin(emu, 'POST', `/jobs/${requestId}/finish`)).status, 200);

    const lines: string[] = [];
    const removals = listed.map((a) => ({ path: `agents/pods/linux/${a.name}.yaml`, podName: a.name, specName: 'linux', reason: 'scale-down' as const, agentId: a.id }));
    const r = await drainIdleAgents({ api, pools: new PoolDirectory(api) }, removals, listed, createLogger({ write: (l) => lines.push(l) }));
    assert.deepEqual(r.tookAJob, [{ agent: 'linux-ran', requestId }], 'its pod exits by itself, and is pruned as finished');
    assert.deepEqual([...r.confirmedIdle], ['linux-idle']);
    assert.deepEqual(r.failures, []);
    assert.ok(lines.some((l) => l.includes('ran a job since it was listed') && l.includes('linux-ran')), lines.join('\n'));
  });
});

// Agents listed on a job whose pods have exited, unregistered against the emulator through the
// published client: apply's re-read decides, never the list the plan was made from.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ITaskAgentApi } from 'azure-devops-node-api/TaskAgentApi.js';
import { unregisterAgents } from '../../reconciler/apply/unregisterAgents.ts';
import { listAgents } from '../../reconciler/azdo/agents.ts';
import { PoolDirectory } from '../../reconciler/azdo/pools.ts';
import { createLogger } from '../../reconciler/support/logger.ts';
import { startAzdoEmulator, type AzdoEmulator } from '../../sandbox/azdo/index.ts';
import { admin, queueJob, taskAgentApi } from '../helpers/azdoClient.ts';

const POOL = 1;
const POOL_NAME = 'k8s-agents';

describe('unregistering agents listed on a job', () => {
  let emu: AzdoEmulator;
  let api: ITaskAgentApi;
  before(async () => {
    emu = await startAzdoEmulator();
    api = await taskAgentApi(emu);
  });
  after(() => emu.close());

  /** A registered agent with a session that has received a job (running, for ten minutes). */
  async function agentOnAJob(name: string): Promise<{ id: number; requestId: number }> {
    const agent = await api.addAgent({ name, version: '4.250.0', enabled: true, maxParallelism: 1, systemCapabilities: { [name]: '' } } as never, POOL);
    const session = await api.createAgentSession({ agent: { id: agent.id, name, version: agent.version }, ownerName: name } as never, POOL);
    const requestId = await queueJob(emu, { pool: POOL_NAME, demands: [name], durationMs: 600_000 });
    const message = await api.getMessage(POOL, session.sessionId!);
    assert.equal((JSON.parse(message.body!) as { requestId: number }).requestId, requestId);
    return { id: agent.id!, requestId };
  }

  it('deletes the one whose job has ended since the list and keeps the one still on its job', async () => {
    const ended = await agentOnAJob('linux-ended');
    const running = await agentOnAJob('linux-running');
    const listed = await listAgents(api, POOL, POOL_NAME);
    assert.deepEqual(listed.map((a) => [a.name, a.assignedRequestId]).sort(), [['linux-ended', ended.requestId], ['linux-running', running.requestId]]);
    assert.equal((await admin(emu, 'POST', `/jobs/${ended.requestId}/finish`)).status, 200);

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
    assert.equal(kept.assignedRequest?.requestId, running.requestId, 'still registered and on its job');
    assert.ok(lines.some((l) => l.includes('reads a job') && l.includes('linux-running')), lines.join('\n'));
  });
});

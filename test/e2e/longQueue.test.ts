import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIST_JOBS_ROUTE } from '../../sandbox/azdo/adminClient.ts';
import type { TaskAgent } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import { taskAgentApi } from '../helpers/azdoClient.ts';
import { eventually, useWorld } from '../helpers/world.ts';

interface PlanJson {
  specs: { specName: string; pendingJobs: number }[];
  unmatchedJobs: unknown[];
}

describe('a long job queue among finished requests', () => {
  const world = useWorld();

  it('sees all 450 unfinished requests in one unfinished-only listing, finished ones left out', async () => {
    // `once` registers the placeholders: with them the service accepts docker jobs while the
    // docker spec has no agent, so the jobs stay queued.
    const once = await world.cli(['once']);
    assert.equal(once.code, 0, once.stderr);
    const queued: number[] = [];
    for (let i = 0; i < 500; i++) queued.push(await world.admin.queueJob({ name: `docker-${i}`, demands: ['docker'] }));
    // Every tenth one finishes (a cancelled run): finished requests sit between unfinished ones,
    // and the listing must leave them out, not page through them.
    const finished = queued.filter((_, i) => i % 10 === 5);
    for (const id of finished) await world.admin.finishJob(id, 'canceled');

    await world.admin.resetStats();
    const r = await world.cli(['plan', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as PlanJson;
    const docker = plan.specs.find((s) => s.specName === 'docker');
    assert.equal(docker?.pendingJobs, 450, 'every unfinished request counted once');
    assert.deepEqual(plan.unmatchedJobs, []);
    // One pool (k8s-agents): one call, whatever the queue's length or the pool's history.
    const calls = (await world.admin.state()).stats.byRoute[LIST_JOBS_ROUTE] ?? 0;
    assert.equal(calls, 1, 'the unfinished requests come in one call');
  });

});

describe('a large pool read over many passes', () => {
  const world = useWorld();
  const pendingIds = async () => (await world.admin.state()).jobs.filter((j) => j.state === 'queued').map((j) => j.requestId);

  it('run pages a large pool down to its oldest unfinished request from its second pass on, and still sees every request', async () => {
    // Jobs no spec serves, accepted because people's offline agents offer `fortran`: they stay
    // queued. Each lists the 10 agents as matchedAgents, so 900 of them make an unfinished-only
    // listing of ~4 MiB, ~5 KiB a request: pages are cheaper.
    const { azdoUrl, adminUrl, agentToken, pool } = world.sandbox.info;
    const api = await taskAgentApi({ orgUrl: azdoUrl, adminUrl, token: agentToken });
    const poolId = (await api.getAgentPools(pool))[0]!.id!;
    for (let i = 0; i < 10; i++) {
      const name = `fortran-vm-${i}`;
      await api.addAgent({ name, version: '4.258.1', enabled: true, maxParallelism: 1, systemCapabilities: { 'Agent.Name': name, fortran: '77' } } as TaskAgent, poolId);
    }
    const queued: number[] = [];
    for (let i = 0; i < 900; i++) queued.push(await world.admin.queueJob({ name: `fortran-${i}`, demands: ['fortran'] }));
    assert.equal((await pendingIds()).length, 900);
    await world.admin.resetStats();

    const reconciler = world.startReconciler({ LOG_LEVEL: 'debug' });
    const passes = () => logLines(reconciler.output()).filter((l) => l.msg === 'pass done');
    await eventually('two passes', () => passes().length >= 2, 60_000);
    // Meanwhile: the oldest request finishes, 30 more are queued, every tenth is cancelled.
    await world.admin.finishJob(queued[0]!, 'canceled');
    for (let i = 0; i < 30; i++) queued.push(await world.admin.queueJob({ name: `fortran-late-${i}`, demands: ['fortran'] }));
    for (const [i, id] of queued.entries()) if (i % 10 === 9) await world.admin.finishJob(id, 'canceled');
    const expected = (await pendingIds()).length;
    assert.equal(expected, queued.length - 1 - 93);
    const from = passes().length;
    await eventually('a pass seeing every unfinished request', () => passes().slice(from).find((p) => p.pendingJobs === expected), 60_000);
    await reconciler.stop();
    const { byForm } = (await world.admin.state()).stats;
    assert.equal(byForm[`${LIST_JOBS_ROUTE}?completedRequestCount`], 1, `one unfinished-only listing, the first pass's (${JSON.stringify(byForm)})`);
    assert.ok((byForm[`${LIST_JOBS_ROUTE}?$top`] ?? 0) >= 2, 'every later pass read pages');
    assert.ok((byForm[`${LIST_JOBS_ROUTE}?$top&continuationToken`] ?? 0) >= 8, 'several pages each');
  });
});

interface LogLine {
  msg?: string;
  pendingJobs?: number;
}

function logLines(output: string): LogLine[] {
  return output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
}

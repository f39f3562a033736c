import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIST_JOBS_ROUTE } from '../../sandbox/azdo/adminClient.ts';
import { useWorld } from '../helpers/world.ts';

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

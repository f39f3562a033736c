import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIST_JOBS_ROUTE } from '../../sandbox/azdo/adminClient.ts';
import { useWorld } from '../helpers/world.ts';

interface PlanJson {
  specs: { specName: string; pendingJobs: number }[];
  unmatchedJobs: unknown[];
}

describe('a job queue longer than one page of the job request listing', () => {
  const world = useWorld();

  it('sees all 450 unfinished requests across pages, finished ones in between left out', async () => {
    // `once` registers the placeholders: with them the service accepts docker jobs while the
    // docker spec has no agent, so the jobs stay queued.
    const once = await world.cli(['once']);
    assert.equal(once.code, 0, once.stderr);
    const queued: number[] = [];
    for (let i = 0; i < 500; i++) queued.push(await world.admin.queueJob({ name: `docker-${i}`, demands: ['docker'] }));
    // Every tenth one finishes (a cancelled run): finished requests sit between unfinished ones
    // on every page of the newest-first listing.
    const finished = queued.filter((_, i) => i % 10 === 5);
    for (const id of finished) await world.admin.finishJob(id, 'canceled');

    await world.admin.resetStats();
    const r = await world.cli(['plan', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as PlanJson;
    const docker = plan.specs.find((s) => s.specName === 'docker');
    assert.equal(docker?.pendingJobs, 450, 'every unfinished request counted once');
    assert.deepEqual(plan.unmatchedJobs, []);
    // 500 docker requests (+ none of other specs' pools' jobs): three pages of at most 200.
    const calls = (await world.admin.state()).stats.byRoute[LIST_JOBS_ROUTE] ?? 0;
    assert.ok(calls >= 3, `the listing was read page by page (${calls} calls)`);
  });
});

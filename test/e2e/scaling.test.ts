import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, useWorld } from '../helpers/world.ts';

describe('scaling through git', () => {
  const world = useWorld();

  it('scales a burst up through git, runs the jobs, prunes and unregisters, and returns to standby', async () => {
    const reconciler = world.startReconciler();
    // At rest: one idle linux agent (standby 1) and one offline placeholder per spec.
    await eventually('the standby agent online', async () => (await world.agents()).filter((a) => a.status === 'online').length === 1);
    await eventually('two placeholders', async () => (await world.placeholders()).length === 2);
    assert.ok((await world.placeholders()).every((p) => p.status === 'offline'), 'placeholders never come online');

    const plain = await Promise.all([1, 2, 3, 4].map((i) => world.admin.queueJob({ name: `plain-${i}`, durationMs: 1500 })));
    const docker = await Promise.all([1, 2].map((i) => world.admin.queueJob({ name: `docker-${i}`, demands: ['docker'], durationMs: 1500 })));
    const all = [...plain, ...docker];

    await eventually(
      'every job finished',
      async () => {
        const jobs = (await world.admin.state()).jobs.filter((j) => all.includes(j.requestId));
        return jobs.length === all.length && jobs.every((j) => j.state === 'finished');
      },
      90_000,
    );
    const jobs = (await world.admin.state()).jobs.filter((j) => all.includes(j.requestId));
    assert.deepEqual(jobs.map((j) => j.result), all.map(() => 'succeeded'));
    // Docker jobs ran on docker agents: one decision per job, by demands.
    for (const j of jobs.filter((x) => docker.includes(x.requestId))) assert.match(j.reservedAgent!.name, /^docker-/);

    // The scale-up is in git, attributed to the job request ids.
    const commits = await world.commits();
    const attributed = new Set(commits.flatMap((c) => /^Azdo-Gitops-Job-Requests: (.*)$/m.exec(c.body)?.[1]?.split(',').map(Number) ?? []));
    for (const id of docker) assert.ok(attributed.has(id), `job ${id} named in a commit trailer`);
    assert.ok(commits.every((c) => c.author !== 'azdo-gitops' || c.body.includes('[skip ci]')), 'every reconciler commit skips CI');

    await eventually(
      'the pool back at standby: one agent, one manifest, one pod',
      async () => (await world.agents()).length === 1 && (await world.manifests()).length === 1 && (await world.pods()).length === 1,
      60_000,
    );
    assert.ok((await world.commits()).some((c) => /pod-succeeded/.test(c.body)), 'finished pods were pruned through git');
    assert.equal(await reconciler.stop(), 0);
    // On the real backend the reconciler asks Flux to sync after each push (SYNC_REQUEST); that must work.
    assert.doesNotMatch(reconciler.output(), /could not ask for an immediate sync/);
  });
});

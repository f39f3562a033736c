import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runGit } from '../../sandbox/git/index.ts';
import { eventually, pushAsPersonRetrying, useWorld } from '../helpers/world.ts';

describe('human commits pushed while the reconciler scales', () => {
  const world = useWorld();

  it('all survive: the reconciler re-derives on each new tip and never force-pushes', async (t) => {
    const reconciler = world.startReconciler();
    await eventually('placeholders', async () => (await world.placeholders()).length === 2);
    const humanCommits: string[] = [];
    const jobs: number[] = [];
    // Jobs keep arriving (each needs a scale-up commit) while a person pushes in a tight loop.
    for (let i = 0; i < 12; i++) {
      if (i % 2 === 0) jobs.push(await world.admin.queueJob({ name: `job-${i}`, durationMs: 700 }));
      // A person whose push loses the race does what git tells them: fetch, and push again.
      humanCommits.push(await pushAsPersonRetrying(world, { [`docs/note-${i}.md`]: `note ${i}\n` }, `docs: note ${i}`));
    }
    await eventually('every job finished', async () => (await world.admin.state()).jobs.filter((j) => jobs.includes(j.requestId)).every((j) => j.state === 'finished'), 60_000);
    await eventually('back at standby', async () => (await world.agents()).length === 1 && (await world.manifests()).length === 1, 60_000);

    const gitDir = join(world.sandbox.git.root, 'cluster.git');
    for (const oid of humanCommits) {
      await runGit(['--git-dir', gitDir, 'merge-base', '--is-ancestor', oid, 'main'], world.sandbox.git.root);
    }
    for (let i = 0; i < 12; i++) {
      const { stdout } = await runGit(['--git-dir', gitDir, 'show', `main:docs/note-${i}.md`], world.sandbox.git.root);
      assert.equal(stdout, `note ${i}\n`);
    }
    const reconcilerCommits = (await world.commits()).filter((c) => c.author === 'azdo-gitops');
    assert.ok(reconcilerCommits.length >= 3, 'the reconciler committed between the human commits');
    await reconciler.stop();
    const races = (reconciler.output().match(/remote moved/gi) ?? []).length;
    t.diagnostic(`pushes that lost a race and were re-derived: ${races}`);
  });
});

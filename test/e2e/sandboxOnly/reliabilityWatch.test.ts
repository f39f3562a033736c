import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { eventually, useWorld } from '../../helpers/world.ts';

describe('the pod watch dropped (410 Gone) while jobs run', () => {
  const world = useWorld({}, 'sandbox');

  it('still prunes the completions that happened in the gap and unregisters their agents', async (t) => {
    const reconciler = world.startReconciler();
    await eventually('the standby agent online', async () => (await world.agents()).some((a) => a.status === 'online'));
    const jobs = await Promise.all([1, 2, 3].map((i) => world.admin.queueJob({ name: `watched-${i}`, durationMs: 2_500 })));
    await eventually(
      'every job running on an agent',
      async () => (await world.admin.state()).jobs.filter((j) => jobs.includes(j.requestId)).every((j) => j.reservedAgent !== undefined),
      60_000,
    );
    const ran = (await world.admin.state()).jobs.filter((j) => jobs.includes(j.requestId)).map((j) => j.reservedAgent!.name);

    // Compact the history and close every watch, again and again, while the jobs finish: the
    // completions land while the informer is relisting or watching from an expired version.
    for (let i = 0; i < 8; i++) {
      world.sandbox.apiServer!.expireWatches();
      await sleep(700);
    }
    await eventually(
      'every job finished',
      async () => (await world.admin.state()).jobs.filter((j) => jobs.includes(j.requestId)).every((j) => j.state === 'finished'),
      60_000,
    );
    assert.deepEqual(
      (await world.admin.state()).jobs.filter((j) => jobs.includes(j.requestId)).map((j) => j.result),
      jobs.map(() => 'succeeded'),
    );

    await eventually(
      'the agents that ran the jobs pruned and unregistered',
      async () => {
        const manifests = (await world.manifests()).join('\n');
        const agents = new Set((await world.agents()).map((a) => a.name));
        return ran.every((n) => !manifests.includes(n) && !agents.has(n));
      },
      60_000,
    );
    const bodies = (await world.commits()).map((c) => c.body).join('\n');
    // Pruned as finished, or as idle surplus if a pass caught the agent between its job and its
    // exit; never as a missing pod (what a stale or partial cache after the relist would cause).
    for (const n of ran) assert.match(bodies, new RegExp(`^\\s+${n}\\s+\\(linux\\) (pod-succeeded|scale-down)(, ran job request \\d+)?$`, 'm'), `${n} pruned`);
    assert.doesNotMatch(bodies, /\) (pod-deleted|sync-deadline|registration-deadline)$/m, 'no prune from a stale pod cache');
    await eventually('back at standby', async () => (await world.agents()).length === 1 && (await world.manifests()).length === 1 && (await world.pods()).length === 1, 60_000);
    await reconciler.stop();
    // client-node's informer relists by itself on 410; the reconciler logs only the watches it restarts.
    t.diagnostic(`watch restarts the reconciler logged: ${(reconciler.output().match(/pod watch ended; relisting/g) ?? []).length}`);
  });
});

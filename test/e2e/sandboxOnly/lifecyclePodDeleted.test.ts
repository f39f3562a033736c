import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, useWorld } from '../../helpers/world.ts';

describe('an agent pod deleted outside git', () => {
  // Flux re-applies on an interval of minutes; the reconciler reacts to the delete event in
  // well under a second. A 4 s interval keeps that order here (at 1 s the syncer could
  // recreate the pod first, and the manifest then rightly stays).
  const world = useWorld({ syncIntervalMs: 4_000 }, 'sandbox');

  it('has its manifest pruned (pod-deleted) and its agent unregistered, and a fresh standby agent replaces it', async () => {
    const reconciler = world.startReconciler();
    const victim = await eventually('the standby agent online', async () => (await world.agents()).find((a) => a.status === 'online')?.name);
    assert.ok((await world.manifests()).some((m) => m.endsWith(`/${victim}.yaml`)));

    await world.core.deleteNamespacedPod({ name: victim, namespace: world.namespace });

    const prune = await eventually(
      'the manifest pruned as pod-deleted',
      async () => (await world.commits()).find((c) => new RegExp(`^\\s+${victim}\\s+\\(linux\\) pod-deleted$`, 'm').test(c.body)),
      30_000,
    );
    assert.match(prune.body, new RegExp(`^Azdo-Gitops-Removed: .*${victim}`, 'm'));
    await eventually(
      'the deleted agent unregistered, no manifest or pod of it left',
      async () =>
        !(await world.agents()).some((a) => a.name === victim) &&
        !(await world.manifests()).some((m) => m.includes(victim)) &&
        !(await world.pods()).some((p) => p.metadata?.name === victim),
      30_000,
    );
    await eventually(
      'a new standby agent online',
      async () => {
        const agents = await world.agents();
        return agents.length === 1 && agents[0]!.name !== victim && agents[0]!.status === 'online';
      },
      30_000,
    );
    assert.equal((await world.manifests()).length, 1);
    await reconciler.stop();
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, exampleSpec, pushAsPersonRetrying, useWorld } from '../helpers/world.ts';

/** Disabling an agent: the one Azure DevOps write before the commit (the agent simulator never calls it). */
const DISABLE = 'PATCH distributedtask/pools/{poolId}/agents/{agentId}';

describe('an idle agent takes a job while it is being drained', () => {
  const world = useWorld();

  it('keeps the agent until its job is done and adds no replacement beyond maxAgents meanwhile', async () => {
    const reconciler = world.startReconciler();
    const agent = await eventually('the standby agent online', async () => (await world.agents()).find((a) => a.status === 'online')?.name);
    const linuxManifests = async () => (await world.manifests()).filter((m) => m.includes('/linux/'));
    const oldRevision = await world.revisionOf(agent);
    assert.ok(oldRevision, 'pods carry their spec revision');

    // Hold the disable call so a job can reach the agent first, as it can at the real service.
    await world.admin.setFaults({ latencyMs: 4_000, route: DISABLE });
    const disablesBefore = (await world.admin.state()).stats.byRoute[DISABLE] ?? 0;
    // A new capability changes the revision, so the idle agent is rotated; maxAgents 1 leaves
    // no room for its replacement while it is busy.
    const linux = await exampleSpec('linux.yaml');
    const changed = linux.replace('    - node=24\n', '    - node=24\n    - rotated\n').replace('maxAgents: 10', 'maxAgents: 1');
    assert.equal(changed.split('\n').length, linux.split('\n').length + 1);
    assert.match(changed, /maxAgents: 1\n/);
    await pushAsPersonRetrying(world, { 'agentspecs/linux.yaml': changed }, 'linux: new capability, at most one agent');

    await eventually('the disable call in flight', async () => ((await world.admin.state()).stats.byRoute[DISABLE] ?? 0) > disablesBefore, 30_000, 25);
    const job = await world.admin.queueJob({ name: 'raced', durationMs: 10_000 });
    await eventually('the job on the agent being disabled', async () => (await world.admin.state()).jobs.find((j) => j.requestId === job)?.reservedAgent?.name === agent, 3_000, 25);
    await world.admin.clearFaults();

    // While the job runs, the agent's manifest stays and the spec never holds two manifests.
    for (;;) {
      const state = await world.admin.state();
      const manifests = await linuxManifests();
      if (state.jobs.find((j) => j.requestId === job)!.state === 'finished') break;
      assert.ok(manifests.some((m) => m.endsWith(`/${agent}.yaml`)), 'the busy agent keeps its manifest');
      assert.ok(manifests.length <= 1, `maxAgents 1 holds while the agent is busy: ${manifests.join(', ')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal((await world.admin.state()).jobs.find((j) => j.requestId === job)!.result, 'succeeded');

    // Then it leaves and one agent of the new revision stands by.
    await eventually(
      'the old agent gone and one of the new revision online',
      async () => {
        const agents = await world.agents();
        if (agents.some((a) => a.name === agent)) return false;
        const fresh = agents.find((a) => a.status === 'online');
        return fresh !== undefined && (await world.revisionOf(fresh.name)) !== oldRevision;
      },
      60_000,
    );
    assert.equal((await linuxManifests()).length, 1);
    await reconciler.stop();
  });
});

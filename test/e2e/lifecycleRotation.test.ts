import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../sandbox/index.ts';
import { eventually, pushAsPersonRetrying, useWorld } from '../helpers/world.ts';


describe('a person changes the pod template of a spec', () => {
  const world = useWorld();

  it('replaces idle agents of the old revision and never removes a busy one while its job runs', async () => {
    const reconciler = world.startReconciler();
    const busyAgent = await eventually('the standby agent online', async () => (await world.agents()).find((a) => a.status === 'online')?.name);
    const oldRevision = await world.revisionOf(busyAgent);
    assert.ok(oldRevision, 'pods carry their spec revision');

    // A long job takes the standby agent; a new idle standby agent (old revision) comes up beside
    // it. The job runs until the test finishes it, however slow the machine.
    const long = await world.admin.queueJob({ name: 'long', durationMs: 3_600_000 });
    await eventually('the long job on the standby agent', async () => (await world.admin.state()).jobs.find((j) => j.requestId === long)?.reservedAgent?.name === busyAgent, 30_000);
    const idleOld = await eventually(
      'a second, idle agent online',
      async () => (await world.agents()).find((a) => a.name !== busyAgent && a.status === 'online' && a.assignedRequestId === undefined)?.name,
      30_000,
    );
    assert.equal(await world.revisionOf(idleOld), oldRevision);

    const template = await readFile(join(PROJECT_ROOT, 'cluster-repo-example/templates/agent-pod.yaml'), 'utf8');
    const changed = template.replace('azure-pipelines-agent:ubuntu-24.04', 'azure-pipelines-agent:ubuntu-24.04-r2');
    assert.notEqual(changed, template);
    await pushAsPersonRetrying(world, { 'templates/agent-pod.yaml': changed }, 'agent image: bump tag');

    // While the long job runs: the idle old agent is rotated out, a new-revision agent comes
    // online, and the busy agent's manifest stays the whole time.
    const fresh = await eventually(
      'an idle agent of the new revision online and the old idle one gone',
      async () => {
        const job = (await world.admin.state()).jobs.find((j) => j.requestId === long)!;
        assert.ok((await world.manifests()).some((m) => m.endsWith(`/${busyAgent}.yaml`)), 'busy agent kept while busy');
        const agents = await world.agents();
        if (agents.some((a) => a.name === idleOld)) return undefined;
        for (const a of agents.filter((x) => x.name !== busyAgent && x.status === 'online')) {
          const rev = await world.revisionOf(a.name);
          if (rev !== undefined && rev !== oldRevision) return { name: a.name, rev, jobState: job.state };
        }
        return undefined;
      },
      45_000,
    );
    assert.notEqual(fresh.jobState, 'finished', 'the rotation happens while the long job runs');
    const image = (await world.pods()).find((p) => p.metadata?.name === fresh.name)?.spec?.containers[0]?.image;
    assert.match(image ?? '', /ubuntu-24\.04-r2$/);
    const commits = await world.commits();
    assert.ok(
      commits.some((c) => new RegExp(`^\\s+${idleOld}\\s+\\(linux\\) rotation$`, 'm').test(c.body)),
      `the idle old agent was removed for rotation:\n${commits.map((c) => c.body).join('\n---\n')}`,
    );
    assert.ok(!commits.some((c) => new RegExp(`^Azdo-Gitops-Removed: .*${busyAgent}`, 'm').test(c.body)), 'the busy agent was never removed');
    assert.ok(!(await world.agents()).some((a) => a.name === idleOld), 'the rotated agent is unregistered');

    // The busy agent finishes its job normally, then leaves.
    await world.admin.finishJob(long);
    await eventually('the long job succeeded', async () => (await world.admin.state()).jobs.find((j) => j.requestId === long)?.result === 'succeeded', 45_000);
    await eventually(
      'only the new-revision standby agent left',
      async () => {
        const agents = await world.agents();
        return agents.length === 1 && agents[0]!.name === fresh.name && (await world.manifests()).length === 1;
      },
      45_000,
    );
    // It leaves as a finished pod, or, caught idle in the moment between its job and its exit,
    // as an old-revision idle agent: either way only after the job.
    const all = await world.commits();
    assert.ok(
      all.some((c) => new RegExp(`^\\s+${busyAgent}\\s+\\(linux\\) (pod-succeeded|rotation)(, ran job request \\d+)?$`, 'm').test(c.body)),
      `the busy agent left after its job:\n${all.map((c) => c.body).join('\n---\n')}`,
    );
    await reconciler.stop();
  });
});

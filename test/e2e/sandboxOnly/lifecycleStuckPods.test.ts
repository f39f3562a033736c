import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, inlineAgentSpec, pushAsPersonRetrying, useWorld } from '../../helpers/world.ts';

const specWithImage = (image: string): string => inlineAgentSpec({ name: 'gpu', image, extra: '  deadlines: {imagePull: 3s}\n' });

/** Pod names a commit removed for `reason` (from the "Removed:" list in the body). */
const removedFor = (body: string, reason: string): string[] =>
  [...body.matchAll(new RegExp(`^\\s+(\\S+)\\s+\\(\\S+\\) ${reason}$`, 'gm'))].map((m) => m[1]!);

describe('a pod stuck pulling its image', () => {
  const world = useWorld({ unpullableImages: ['no-such-agent'] }, 'sandbox');

  it('is pruned after the image-pull deadline and does not hold its slot under the cap', async () => {
    await pushAsPersonRetrying(world, { 'agentspecs/gpu.yaml': specWithImage('registry.example.com/no-such-agent:1') }, 'add a gpu AgentSpec');
    // A pod given up on also holds its spec back (failing-pod backoff, 30 s by default); a 2 s
    // hold keeps this scenario about the deadline.
    const reconciler = world.startReconciler({ POD_FAILURE_BACKOFF_SECONDS: '2,4' });
    await eventually('a gpu placeholder', async () => (await world.placeholders()).some((p) => p.userCapabilities?.['gpu'] !== undefined), 30_000);
    const job = await world.admin.queueJob({ name: 'gpu-job', demands: ['gpu'], durationMs: 500 });

    // The pod for the job sits in ImagePullBackOff: no agent can register from it.
    const stuck = await eventually(
      'a gpu pod in ImagePullBackOff',
      async () =>
        (await world.pods()).find(
          (p) => p.metadata?.name?.startsWith('gpu-') && p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff',
        )?.metadata?.name,
      30_000,
    );

    // After 3 s its manifest is pruned, with the reason in the commit.
    const pruneCommit = await eventually(
      'the stuck manifest pruned for image-pull-deadline',
      async () => (await world.commits()).find((c) => removedFor(c.body, 'image-pull-deadline').includes(stuck)),
      30_000,
    );
    assert.match(pruneCommit.body, new RegExp(`^Azdo-Gitops-Removed: .*${stuck}`, 'm'));
    await eventually('the stuck pod gone from the cluster', async () => !(await world.pods()).some((p) => p.metadata?.name === stuck), 30_000);

    // maxAgents is 1: a new agent for the still-pending job proves the stuck one freed the slot.
    const next = await eventually(
      'another gpu manifest for the pending job',
      async () => (await world.manifests()).find((m) => m.includes('/gpu/') && !m.includes(stuck)),
      30_000,
    );
    assert.ok(next);

    // A person fixes the image: the job runs on a gpu agent.
    await pushAsPersonRetrying(world, { 'agentspecs/gpu.yaml': specWithImage('registry.example.com/azure-pipelines-agent:ubuntu-24.04') }, 'gpu: fix the image');
    await eventually('the gpu job succeeded', async () => (await world.admin.state()).jobs.find((j) => j.requestId === job)?.result === 'succeeded', 60_000);
    const ranOn = (await world.admin.state()).jobs.find((j) => j.requestId === job)!.reservedAgent!.name;
    assert.match(ranOn, /^gpu-/);
    await eventually('no gpu manifest left (standby 0)', async () => !(await world.manifests()).some((m) => m.includes('/gpu/')), 60_000);
    await reconciler.stop();
  });
});

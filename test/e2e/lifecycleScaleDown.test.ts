import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, exampleSpec, pushAsPersonRetrying, useWorld } from '../helpers/world.ts';

/** The re-read after disabling, and the unregister call (neither is used by the agent simulator). */
const READ_AGENT = 'GET distributedtask/pools/{poolId}/agents/{agentId}';
const UNREGISTER = 'DELETE distributedtask/pools/{poolId}/agents/{agentId}';

describe('scaling down through AgentSpec changes', () => {
  const world = useWorld();

  it('lowering standby to 0 disables the idle agent, then removes its manifest, then unregisters it', async () => {
    const reconciler = world.startReconciler();
    const idle = await eventually('the standby agent online', async () => (await world.agents()).find((a) => a.status === 'online')?.name);
    const hasManifest = async () => (await world.manifests()).some((m) => m.endsWith(`/${idle}.yaml`));

    // Slow the re-read after disabling: the pass holds between disabling and committing.
    await world.admin.setFaults({ latencyMs: 3_000, route: READ_AGENT });
    const linux = await exampleSpec('linux.yaml');
    const lowered = linux.replace('standby: 1', 'standby: 0');
    assert.notEqual(lowered, linux);
    await pushAsPersonRetrying(world, { 'agentspecs/linux.yaml': lowered }, 'linux: no standby');

    // 1. Disabled while its manifest is still in git.
    await eventually(
      'the idle agent disabled, its manifest still on main',
      async () => (await world.agents()).find((a) => a.name === idle)?.enabled === false && (await hasManifest()),
      30_000,
      100,
    );
    // Slow the unregister call: the pass holds between pushing and unregistering.
    await world.admin.setFaults({ latencyMs: 3_000, route: UNREGISTER });
    // 2. Manifest removed while the (disabled) agent is still registered.
    await eventually(
      'the manifest removed, the agent still registered and disabled',
      async () => !(await hasManifest()) && (await world.agents()).find((a) => a.name === idle)?.enabled === false,
      30_000,
      100,
    );
    // 3. Unregistered.
    await eventually('the agent unregistered', async () => !(await world.agents()).some((a) => a.name === idle), 30_000);
    await world.admin.clearFaults();
    const commit = (await world.commits()).find((c) => new RegExp(`^\\s+${idle}\\s+\\(linux\\) scale-down$`, 'm').test(c.body));
    assert.ok(commit, 'the removal is recorded as scale-down');
    await eventually('no linux manifest or pod left', async () => (await world.manifests()).length === 0 && (await world.pods()).length === 0, 30_000);
    assert.ok((await world.placeholders()).some((p) => p.name.startsWith('linux')), 'the linux placeholder keeps the pool accepting jobs');
    await reconciler.stop();
  });

  it('deleting a spec removes its idle agents and its placeholder', async () => {
    const reconciler = world.startReconciler();
    // Give docker an idle agent first.
    const docker = (await exampleSpec('docker.yaml')).replace('standby: 0', 'standby: 1');
    await pushAsPersonRetrying(world, { 'agentspecs/docker.yaml': docker }, 'docker: one standby');
    const idle = await eventually('an idle docker agent online', async () => (await world.agents()).find((a) => a.name.startsWith('docker-') && a.status === 'online')?.name, 30_000);
    const placeholder = await eventually('the docker placeholder', async () => (await world.placeholders()).find((p) => p.userCapabilities?.['docker'] !== undefined)?.name, 30_000);

    await pushAsPersonRetrying(world, { 'agentspecs/docker.yaml': null }, 'remove the docker AgentSpec');
    await eventually(
      'the docker agent, manifest, pod and placeholder gone',
      async () =>
        !(await world.agents()).some((a) => a.name === idle) &&
        !(await world.manifests()).some((m) => m.includes('/docker/')) &&
        !(await world.pods()).some((p) => p.metadata?.name === idle) &&
        !(await world.placeholders()).some((p) => p.name === placeholder),
      45_000,
    );
    assert.ok((await world.commits()).some((c) => new RegExp(`^\\s+${idle}\\s+\\(docker\\) spec-removed$`, 'm').test(c.body)), 'recorded as spec-removed');
    assert.ok((await world.placeholders()).some((p) => p.name.startsWith('linux')), 'the other spec keeps its placeholder');
    await reconciler.stop();
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, useWorld } from '../helpers/world.ts';

const UNREGISTER = 'DELETE distributedtask/pools/{poolId}/agents/{agentId}';

describe('killing the reconciler mid-pass', () => {
  const world = useWorld();

  it('between pushing a prune and unregistering loses nothing: the restarted reconciler unregisters', async () => {
    const first = world.startReconciler();
    await eventually('the standby agent online', async () => (await world.agents()).some((a) => a.status === 'online'));
    // Unregistering hangs for 20 s: the pass that pushed the prune commit is still in it when killed.
    await world.admin.setFaults({ latencyMs: 20_000, route: UNREGISTER });
    const jobs = await Promise.all([1, 2, 3].map((i) => world.admin.queueJob({ name: `job-${i}`, durationMs: 800 })));
    await eventually('every job finished', async () => (await world.admin.state()).jobs.filter((j) => jobs.includes(j.requestId)).every((j) => j.state === 'finished'), 60_000);
    await eventually('a prune commit pushed', async () => (await world.commits()).some((c) => /pod-succeeded/.test(c.body)), 30_000, 50);
    assert.equal(await first.stop('SIGKILL'), 'SIGKILL');

    const ran = (await world.admin.state()).jobs.filter((j) => jobs.includes(j.requestId)).map((j) => j.reservedAgent!.name);
    const manifests = (await world.manifests()).join('\n');
    const stranded = (await world.agents()).filter((a) => ran.includes(a.name) && !manifests.includes(a.name));
    assert.ok(stranded.length > 0, 'the kill left agents whose manifests are gone still registered');
    await world.admin.clearFaults();

    const second = world.startReconciler();
    await eventually(
      'the pool back at standby after the restart',
      async () => (await world.agents()).length === 1 && (await world.manifests()).length === 1 && (await world.pods()).length === 1,
      60_000,
    );
    const left = new Set((await world.agents()).map((a) => a.name));
    for (const a of stranded) assert.ok(!left.has(a.name), `${a.name} was unregistered after the restart`);
    await second.stop();
    assert.match(second.output(), /unregistered agent/);
  });

  it('at random moments, over and over, still ends at standby with nothing leaked', async () => {
    const jobs: number[] = [];
    for (let round = 0; round < 5; round++) {
      const r = world.startReconciler();
      jobs.push(await world.admin.queueJob({ name: `chaos-${round}`, durationMs: 600 }).catch(() => -1));
      await new Promise((res) => setTimeout(res, 400 + ((round * 577) % 1400)));
      await r.stop('SIGKILL');
    }
    const last = world.startReconciler();
    const queued = jobs.filter((j) => j > 0);
    await eventually('every chaos job finished', async () => (await world.admin.state()).jobs.filter((j) => queued.includes(j.requestId)).every((j) => j.state === 'finished'), 90_000);
    await eventually(
      'standby with no leaked agent, manifest or pod',
      async () => (await world.agents()).length === 1 && (await world.manifests()).length === 1 && (await world.pods()).length === 1,
      60_000,
    );
    await last.stop();
  });
});

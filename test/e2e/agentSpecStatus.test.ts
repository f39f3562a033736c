// AgentSpec status during and after a burst, on either backend (the sandbox, or the real
// control plane with the reconciler on the example Role): `kubectl get agentspecs` prints the
// numbers `status --json` gives, and `kubectl describe agentspec` the scale-up Events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kubectl } from '../helpers/kubectl.ts';
import { eventually, useWorld } from '../helpers/world.ts';

interface SpecNumbers { specName: string; desired: number; busy: number; idle: number; pendingJobs: number }

describe('AgentSpec status in the cluster', () => {
  const world = useWorld({ agentSpecsInCluster: true });

  /** The linux row's POOL..READY cells and `status --json`'s linux numbers, read one after the other. */
  const both = async () => {
    const table = await kubectl(world.sandbox.info.kubeconfig, ['get', 'agentspecs', '-n', world.namespace]);
    assert.match(table, /^NAME\s+POOL\s+DESIRED\s+BUSY\s+IDLE\s+PENDING\s+READY\s+AGE$/m);
    const row = table.split('\n').find((l) => l.startsWith('linux '))?.trim().split(/\s+/).slice(1, 7);
    const status = await world.cli(['status', '--json']);
    const spec = (JSON.parse(status.stdout) as { specs: SpecNumbers[] }).specs.find((s) => s.specName === 'linux');
    return { row, spec };
  };
  const same = (row: string[] | undefined, s: SpecNumbers | undefined) =>
    row !== undefined && s !== undefined && JSON.stringify(row.slice(1, 5)) === JSON.stringify([s.desired, s.busy, s.idle, s.pendingJobs].map(String));

  it('after a burst, kubectl get agentspecs shows the numbers of status --json and describe shows the scale-up Events', async () => {
    world.startReconciler();
    await eventually('linux Ready with its status written', async () => (await both()).row?.[5] === 'True' || undefined, 90_000);
    const jobs = await Promise.all([1, 2, 3].map((i) => world.admin.queueJob({ name: `burst-${i}`, durationMs: 20_000 })));
    assert.equal(jobs.length, 3);
    // During the burst: busy agents in the columns, equal to what status --json says.
    const during = await eventually('busy agents in the columns, equal to status --json', async () => {
      const b = await both();
      return b.row && Number(b.row[2]) >= 1 && same(b.row, b.spec) ? b : undefined;
    }, 120_000, 1000);
    assert.equal(during.row![0], 'k8s-agents');
    // After it: the numbers settle and still agree.
    await eventually('the burst over, no busy agent, numbers equal to status --json', async () => {
      const b = await both();
      return b.row?.[2] === '0' && same(b.row, b.spec) ? true : undefined;
    }, 180_000, 1000);
    const described = await kubectl(world.sandbox.info.kubeconfig, ['describe', 'agentspec', 'linux', '-n', world.namespace]);
    assert.match(described, /Normal\s+ScaledUp\s+.*added \d+ agent pods? \(pending-jobs/);
  });
});

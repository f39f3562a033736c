import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskAgent } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import { taskAgentApi } from '../helpers/azdoClient.ts';
import { eventually, useWorld } from '../helpers/world.ts';

/** Agents a person registered by hand (config.sh on build VMs), offline; one named exactly like our pods. */
const PEOPLE = ['docker-buildvm', 'linux-abc123', 'linux-agent1'];

interface ForeignJson {
  foreignAgents: { name: string; poolName: string; status: string; enabled: boolean }[];
}

describe('agents a person registered in a pool we manage', () => {
  const world = useWorld();

  it('are never unregistered or disabled and are reported as foreign, while our own finished agents are unregistered', async () => {
    const { azdoUrl, adminUrl, agentToken, pool } = world.sandbox.info;
    const api = await taskAgentApi({ orgUrl: azdoUrl, adminUrl, token: agentToken });
    const poolId = (await api.getAgentPools(pool))[0]!.id!;
    for (const name of PEOPLE) {
      // What config.sh sends: the VM's env as system capabilities, no azdo-gitops marker.
      await api.addAgent({
        name, version: '4.258.1', osDescription: 'Linux 6.8.0 (a build VM)', enabled: true, maxParallelism: 1,
        systemCapabilities: { 'Agent.Name': name, 'Agent.OS': 'Linux', HOME: '/home/azp', docker: 'true', node: '24' },
      } as TaskAgent, poolId);
    }

    const reconciler = world.startReconciler();
    const ours = await eventually('our standby agent online', async () => (await world.agents()).find((a) => a.status === 'online' && !PEOPLE.includes(a.name)), 30_000);
    assert.equal(ours.systemCapabilities?.['AZDO_GITOPS_SPEC'], 'linux', 'our pod publishes the marker');
    assert.equal(ours.systemCapabilities?.['AZP_TOKEN'], undefined, 'and never the PAT');

    // Our agent runs one job, its pod finishes, the manifest goes and the agent is unregistered.
    await world.admin.queueJob({ demands: ['node -equals 24', `Agent.Name -equals ${ours.name}`], durationMs: 300 });
    await eventually('our finished agent unregistered', async () => !(await world.agents()).some((a) => a.name === ours.name), 45_000);

    // Several more passes: the person's agents stay registered and enabled.
    const passes = () => (reconciler.output().match(/pass done/g) ?? []).length;
    const from = passes();
    await eventually('five more passes', async () => passes() >= from + 5, 30_000);
    const agents = await world.agents();
    for (const name of PEOPLE) {
      const a = agents.find((x) => x.name === name);
      assert.ok(a, `${name} is still registered`);
      assert.equal(a.enabled, true, `${name} was never disabled`);
    }
    assert.match(reconciler.output(), /foreign agents in our pools are left alone/);
    await reconciler.stop();

    for (const command of ['plan', 'status']) {
      const r = await world.cli([command, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as ForeignJson;
      assert.deepEqual(out.foreignAgents.map((f) => [f.name, f.poolName, f.status, f.enabled]), PEOPLE.map((n) => [n, pool, 'offline', true]), command);
    }
    const plan = JSON.parse((await world.cli(['plan', '--json'])).stdout) as { unregister: { name: string }[] };
    assert.ok(!plan.unregister.some((u) => PEOPLE.includes(u.name)), 'plan proposes no unregister of theirs');
    for (const c of await world.commits()) for (const name of PEOPLE) assert.ok(!c.body.includes(name), `no commit mentions ${name}`);
  });
});

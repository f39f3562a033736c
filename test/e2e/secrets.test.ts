import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, useWorld } from '../helpers/world.ts';

describe('secrets', () => {
  const world = useWorld();

  it('never reach git history, the logs or a pod spec', async () => {
    const reconciler = world.startReconciler();
    await eventually('placeholders', async () => (await world.placeholders()).length === 2);
    const job = await world.admin.queueJob({ name: 'job', demands: ['docker'], durationMs: 500 });
    await eventually('the job finished', async () => (await world.admin.state()).jobs.find((j) => j.requestId === job)?.state === 'finished', 60_000);
    const pods = await world.pods();
    assert.ok(pods.length > 0);
    await reconciler.stop();

    const { token, gitToken, agentToken } = world.sandbox.info;
    const history = await world.history();
    const logs = reconciler.output();
    // The agent publishes its env as capabilities: the rendered VSO_AGENT_IGNORE keeps the PAT out.
    const agents = JSON.stringify((await world.admin.state()).agents);
    for (const [name, secret] of Object.entries({ token, gitToken, agentToken })) {
      assert.ok(!history.includes(secret), `${name} is not in any commit or blob`);
      assert.ok(!logs.includes(secret), `${name} is not in the reconciler's output`);
      assert.ok(!JSON.stringify(pods).includes(secret), `${name} is not in any pod`);
      assert.ok(!agents.includes(secret), `${name} is not in any agent's capabilities`);
    }
    for (const pod of pods) {
      const env = pod.spec!.containers.flatMap((c) => c.env ?? []);
      const azpToken = env.find((e) => e.name === 'AZP_TOKEN');
      assert.equal(azpToken?.value, undefined, 'no literal token');
      assert.deepEqual({ ...azpToken?.valueFrom?.secretKeyRef }, { name: 'azdo-agent-token', key: 'token' });
    }
  });
});

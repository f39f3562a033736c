import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, useWorld } from '../helpers/world.ts';

const BROKEN = `apiVersion: azdo.gitops.dev/v1alpha1
kind: AgentSpec
metadata:
  name: gpu
spec:
  pool: k8s-agents
  capabilities: [gpu]
  maxAgents: ten
  templateFile: templates/agent-pod.yaml
  tokenSecretRef: {name: azdo-agent-token, key: token}
`;

describe('an invalid AgentSpec merged into the cluster repo', () => {
  const world = useWorld();

  it('is reported precisely while the other specs keep scaling', async () => {
    await world.pushAsPerson({ 'agentspecs/gpu.yaml': BROKEN }, 'add a gpu AgentSpec (with a typo)');
    const reconciler = world.startReconciler();
    await eventually('placeholders for the valid specs', async () => (await world.placeholders()).length === 2);
    const job = await world.admin.queueJob({ name: 'plain', durationMs: 500 });
    await eventually('the plain job ran', async () => (await world.admin.state()).jobs.find((j) => j.requestId === job)?.result === 'succeeded', 60_000);

    const status = await world.cli(['status', '--json']);
    assert.equal(status.code, 1, 'status exits non-zero while a spec is invalid');
    const body = JSON.parse(status.stdout) as { specErrors: { file: string; field: string; message: string; hint: string }[]; specs: { specName: string }[] };
    const err = body.specErrors.find((e) => e.file === 'agentspecs/gpu.yaml');
    assert.ok(err, 'the broken file is named');
    assert.equal(err.field, 'spec.maxAgents');
    assert.match(err.message, /ten/);
    assert.ok(err.hint.length > 0, 'says what would be right');
    assert.deepEqual(body.specs.map((s) => s.specName).sort(), ['docker', 'linux']);
    await reconciler.stop();
    assert.match(reconciler.output(), /agentspecs\/gpu\.yaml/);
  });

  it('validate names the file and field and exits non-zero', async () => {
    const { cloneRepoTo } = await import('../helpers/cloneRepo.ts');
    const dir = await cloneRepoTo(world);
    const r = await world.cli(['validate', dir, '--json']);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { ok: boolean; errors: { file: string; field: string }[]; specs: { name: string }[] };
    assert.equal(out.ok, false);
    assert.ok(out.errors.some((e) => e.file === 'agentspecs/gpu.yaml' && e.field === 'spec.maxAgents'));
    assert.deepEqual(out.specs.map((s) => s.name).sort(), ['docker', 'linux']);
  });
});

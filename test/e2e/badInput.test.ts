import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cloneRepoTo } from '../helpers/cloneRepo.ts';
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
    const dir = await cloneRepoTo(world);
    const r = await world.cli(['validate', dir, '--json']);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { ok: boolean; errors: { file: string; field: string }[]; specs: { name: string }[] };
    assert.equal(out.ok, false);
    assert.ok(out.errors.some((e) => e.file === 'agentspecs/gpu.yaml' && e.field === 'spec.maxAgents'));
    assert.deepEqual(out.specs.map((s) => s.name).sort(), ['docker', 'linux']);
  });
});

const GHOST_POOL = `apiVersion: azdo.gitops.dev/v1alpha1
kind: AgentSpec
metadata:
  name: ghost
spec:
  pool: no-such-pool
  standby: 1
  maxAgents: 2
  templateFile: templates/agent-pod.yaml
  tokenSecretRef: {name: azdo-agent-token, key: token}
`;

describe('an AgentSpec naming a pool the organization does not have', () => {
  const world = useWorld();

  it('is reported on spec.pool, gets no pods, and does not stop the other specs', async () => {
    await world.pushAsPerson({ 'agentspecs/ghost.yaml': GHOST_POOL }, 'add an AgentSpec for a pool that does not exist');
    const reconciler = world.startReconciler();
    await eventually('the linux standby agent online', async () => (await world.agents()).some((a) => a.status === 'online' && a.name.startsWith('linux-')));
    assert.deepEqual((await world.placeholders()).map((p) => p.name).sort(), ['docker-placeholder', 'linux-placeholder']);
    assert.ok(!(await world.manifests()).some((m) => m.includes('/ghost/')), 'no pod for the spec whose pool is missing');

    const status = await world.cli(['status', '--json']);
    assert.equal(status.code, 1);
    const body = JSON.parse(status.stdout) as { specErrors: { file: string; field: string; message: string }[]; specs: { specName: string }[] };
    assert.deepEqual(body.specErrors.map((e) => [e.file, e.field]), [['agentspecs/ghost.yaml', 'spec.pool']]);
    assert.match(body.specErrors[0]!.message, /no-such-pool/);
    assert.deepEqual(body.specs.map((s) => s.specName).sort(), ['docker', 'linux']);
    await reconciler.stop();
  });
});

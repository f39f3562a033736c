import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REVISION_LABEL, SPEC_LABEL } from '../../reconciler/manifests/labels.ts';
import { FAKE_PAT, aliasBomb, manyKeys, specYaml } from '../fixtures/badSpecs.ts';
import { cloneRepoTo } from '../helpers/cloneRepo.ts';
import { eventually, pushAsPersonRetrying, useWorld } from '../helpers/world.ts';

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

const REF = '  tokenSecretRef: {name: azdo-agent-token, key: token}\n';
const hostileBody = (extra: string) => `  pool: k8s-agents\n  standby: 1\n  maxAgents: 3\n  templateFile: templates/agent-pod.yaml\n${REF}${extra}`;
/** Files a pull request from another team could bring: each must cost only itself. */
const HOSTILE: Record<string, string> = {
  'agentspecs/a-bomb.yaml': aliasBomb(),
  'agentspecs/a-keys.yaml': manyKeys('keys', 16_000),
  'agentspecs/a-linux.yaml': specYaml('linux', hostileBody('  prefix: newlinux\n')),
  'agentspecs/a-builder.yaml': specYaml('builder', hostileBody('  prefix: docker\n')),
  'agentspecs/a-elsewhere.yaml': specYaml('elsewhere', hostileBody('  namespace: team-a\n')),
  'agentspecs/a-token.yaml': specYaml('token', `  pool: k8s-agents\n  maxAgents: 1\n${REF}  template:\n    spec:\n      containers: [{name: agent, image: i, args: ["--token", "${FAKE_PAT}"]}]\n`),
};

interface LogLine { msg?: string; file?: string; durationMs?: number }
const logLines = (out: string): LogLine[] =>
  out.split('\n').flatMap((l) => {
    try {
      return [JSON.parse(l) as LogLine];
    } catch {
      return [];
    }
  });
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

describe('hostile and conflicting AgentSpecs merged while agents run', () => {
  const world = useWorld();

  it('cost only their own files: nothing running is rotated or disabled, and each error is logged once', async (t) => {
    const reconciler = world.startReconciler();
    await eventually('the linux standby agent online', async () => (await world.agents()).some((a) => a.status === 'online' && a.name.startsWith('linux-')));
    await eventually('two placeholders', async () => (await world.placeholders()).length === 2);
    const linuxPod = (await world.manifests()).find((m) => m.includes('/pods/linux/'))!.split('/').pop()!.replace(/\.yaml$/, '');
    const revision = await world.revisionOf(linuxPod);
    assert.ok(revision, 'the standby pod runs');
    const passesBefore = logLines(reconciler.output()).filter((l) => l.msg === 'pass done').length;

    await pushAsPersonRetrying(world, HOSTILE, 'merge AgentSpecs from other teams');
    await eventually('every hostile file reported', async () => {
      const status = await world.cli(['status', '--json']);
      const body = JSON.parse(status.stdout) as { specErrors: { file: string }[] };
      return Object.keys(HOSTILE).every((f) => body.specErrors.some((e) => e.file === f));
    }, 60_000);

    const status = await world.cli(['status', '--json']);
    const body = JSON.parse(status.stdout) as { specErrors: { file: string; field: string; message: string }[]; specs: { specName: string }[] };
    const errorOf = (f: string) => body.specErrors.filter((e) => e.file === f).map((e) => `${e.field}: ${e.message}`).join(' | ');
    assert.match(errorOf('agentspecs/a-bomb.yaml'), /^: uses YAML aliases/);
    assert.match(errorOf('agentspecs/a-keys.yaml'), /more than \d+ YAML tokens/);
    assert.match(errorOf('agentspecs/a-linux.yaml'), /^metadata.name: duplicate AgentSpec name "linux", already defined in agentspecs\/linux\.yaml, which is already in use/);
    assert.match(errorOf('agentspecs/a-builder.yaml'), /^spec.prefix: duplicate prefix "docker", already used by AgentSpec docker \(agentspecs\/docker\.yaml\), which is already in use/);
    assert.match(errorOf('agentspecs/a-elsewhere.yaml'), /^spec.namespace: is "team-a", but the reconciler watches only TARGET_NAMESPACE/);
    assert.match(errorOf('agentspecs/a-token.yaml'), /args\[1\]: holds what looks like an Azure DevOps PAT/);
    assert.ok(!status.stdout.includes(FAKE_PAT), 'the token is never echoed');
    assert.deepEqual(body.specs.map((s) => s.specName).sort(), ['docker', 'linux']);

    // The running specs keep working: a docker job still gets a docker agent, a plain job runs.
    const dockerJob = await world.admin.queueJob({ name: 'docker', demands: ['docker'], durationMs: 500 });
    const plainJob = await world.admin.queueJob({ name: 'plain', durationMs: 500 });
    await eventually('both jobs ran', async () => {
      const jobs = (await world.admin.state()).jobs.filter((j) => j.requestId === dockerJob || j.requestId === plainJob);
      return jobs.length === 2 && jobs.every((j) => j.result === 'succeeded');
    }, 90_000);
    const dockerRan = (await world.admin.state()).jobs.find((j) => j.requestId === dockerJob)!;
    assert.match(dockerRan.reservedAgent!.name, /^docker-/);

    // Nothing of the newcomers was ever committed; the linux agent was never rotated.
    const history = await world.history();
    assert.ok(!/pods\/builder\/|newlinux-|pods\/elsewhere\/|pods\/token\//.test(history), 'no manifest for a rejected spec, ever (so the literal token never reached a pod)');
    if ((await world.manifests()).some((m) => m.endsWith(`/${linuxPod}.yaml`))) assert.equal(await world.revisionOf(linuxPod), revision, 'the standby agent kept its revision');
    for (const p of (await world.pods()).filter((x) => x.metadata?.labels?.[SPEC_LABEL] === 'linux')) {
      assert.equal(p.metadata?.labels?.[REVISION_LABEL], revision, `${p.metadata?.name} has the live spec's revision`);
    }
    assert.deepEqual((await world.placeholders()).map((p) => p.name).sort(), ['docker-placeholder', 'linux-placeholder']);

    // Let a few passes run with the hostile files in place, so "logged once" means something.
    const passesDone = () => logLines(reconciler.output()).filter((l) => l.msg === 'pass done').length;
    const settledAt = passesDone();
    await eventually('three more passes with the hostile files', async () => passesDone() >= Math.max(settledAt, passesBefore + 2) + 3, 60_000);
    await reconciler.stop();
    const lines = logLines(reconciler.output());
    const passes = lines.filter((l) => l.msg === 'pass done');
    const before = passes.slice(0, passesBefore).map((l) => l.durationMs!).filter((n) => n !== undefined);
    const after = passes.slice(passesBefore + 2).map((l) => l.durationMs!).filter((n) => n !== undefined);
    t.diagnostic(`pass duration median: ${median(before)} ms over ${before.length} passes before, ${median(after)} ms over ${after.length} passes with the hostile files`);
    assert.ok(after.length >= 3, `several passes ran with the hostile files (${after.length})`);
    for (const f of Object.keys(HOSTILE)) {
      const logged = lines.filter((l) => l.msg === 'invalid AgentSpec ignored; the others keep working' && l.file === f).length;
      assert.equal(logged, 1, `${f} logged once, not every pass (${logged})`);
    }
  });
});

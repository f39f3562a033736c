// The simulator's cluster runs the sandbox's models in virtual time: the syncer's plan (create,
// prune by inventory, the whole-set dry-run), the kubelet's steps and statuses, the agent's
// configuration from the pod's env. What the reconciler observes is its own reading of those pods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { renderKustomization } from '../../reconciler/manifests/layout.ts';
import { ClusterModel, NO_CLUSTER_FAULTS } from '../../sim/clusterModel.ts';
import { GitRemote } from '../../sim/gitRemote.ts';
import { Rng } from '../../sim/random.ts';
import { ServiceModel } from '../../sim/serviceModel.ts';
import { DEFAULT_SPECS, initialFiles, NAMESPACE, PATHS, POOL } from '../../sim/specs.ts';
import { VirtualTime } from '../../sim/virtualTime.ts';

const T0 = Date.parse('2026-03-02T08:00:00Z');

function podYaml(name: string, image = 'registry.example.com/azure-pipelines-agent:1'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NAMESPACE, labels: { 'azdo.gitops.dev/spec': 'linux' } },
    spec: {
      restartPolicy: 'Never',
      containers: [{
        name: 'agent',
        image,
        env: [
          { name: 'AZP_URL', value: 'http://service.invalid/org' },
          { name: 'AZP_POOL', value: POOL },
          { name: 'AZP_AGENT_NAME', value: name },
          { name: 'AZP_TOKEN', valueFrom: { secretKeyRef: { name: 'azdo-agent-token', key: 'token' } } },
          { name: 'VSO_AGENT_IGNORE', value: 'AZP_TOKEN' },
          { name: 'node', value: '24' },
        ],
      }],
    },
  });
}

function world() {
  const vt = new VirtualTime(T0);
  const svc = new ServiceModel(vt);
  const pool = svc.state.addPool(POOL);
  const remote = new GitRemote(initialFiles(DEFAULT_SPECS), T0);
  const cluster = new ClusterModel(vt, new Rng(7), svc, remote, PATHS.agents);
  const finished: string[] = [];
  cluster.onPodFinished = (name) => finished.push(name);
  /** The agents/ directory holds exactly these pods (file name → content). */
  const commit = (pods: Record<string, string>) => {
    const files = new Map(remote.tipCommit().files);
    for (const p of [...files.keys()]) if (p.startsWith(`${PATHS.agents}/pods/`)) files.delete(p);
    for (const [name, content] of Object.entries(pods)) files.set(`${PATHS.agents}/pods/linux/${name}.yaml`, content);
    files.set(`${PATHS.agents}/kustomization.yaml`, renderKustomization([...Object.keys(pods)].map((n) => `pods/linux/${n}.yaml`)));
    assert.ok(remote.push(remote.create(remote.tip, files, 'reconciler', 'test', vt.now()).oid));
  };
  const runFor = (ms: number) => {
    const end = vt.now() + ms;
    while (vt.step(end));
  };
  return { vt, svc, pool, remote, cluster, finished, commit, runFor };
}

const observed = (c: ClusterModel, name: string) => c.observedPods().find((p) => p.name === name);

test('a pod in git is created, started, and its agent registers with its env as capabilities, takes one job and leaves the pod Succeeded', () => {
  const w = world();
  w.commit({ 'linux-a1': podYaml('linux-a1') });
  w.cluster.start({ syncer: false });
  w.cluster.sync();
  assert.deepEqual(observed(w.cluster, 'linux-a1')?.phase, 'Pending');
  w.runFor(60_000);
  const pod = w.cluster.pods.get('linux-a1')!;
  assert.equal(pod.phase, 'Running');
  assert.ok(pod.session, 'the agent opened a session');
  const agent = w.svc.state.agentByName(w.pool.id, 'linux-a1')!;
  assert.equal(agent.systemCapabilities['node'], '24');
  assert.equal(agent.systemCapabilities['Agent.Name'], 'linux-a1');
  assert.equal(agent.systemCapabilities['AZP_TOKEN'], undefined, 'VSO_AGENT_IGNORE keeps the token out');
  w.svc.scheduler.queueJob({ poolId: w.pool.id, demands: ['node -equals 24'], durationMs: 30_000 });
  w.runFor(120_000);
  const seen = observed(w.cluster, 'linux-a1')!;
  assert.equal(seen.phase, 'Succeeded');
  assert.deepEqual(seen.terminated, { container: 'agent', exitCode: 0, reason: 'Completed', message: undefined });
  assert.deepEqual(w.finished, ['linux-a1']);
  assert.ok(w.svc.state.agentByName(w.pool.id, 'linux-a1'), 'the agent stays registered, offline');
  assert.equal(pod.session, undefined);
});

test('the syncer prunes what left git and only what it applied: a pod another controller launched stays', () => {
  const w = world();
  w.commit({ 'linux-a1': podYaml('linux-a1'), 'linux-a2': podYaml('linux-a2') });
  w.cluster.sync();
  w.cluster.launch('linux', POOL, { node: '24' });
  w.commit({ 'linux-a2': podYaml('linux-a2') });
  w.cluster.sync();
  const state = [...w.cluster.pods.values()].map((p) => `${p.name} ${p.deleting ? 'deleting' : 'kept'}`).sort();
  assert.deepEqual(state, ['linux-00001 kept', 'linux-a1 deleting', 'linux-a2 kept']);
  assert.equal(w.cluster.lastSyncError, undefined);
});

test('a pod whose spec changed under the same name fails the whole sync with the API server\'s message: nothing is pruned or created', () => {
  const w = world();
  w.commit({ 'linux-a1': podYaml('linux-a1'), 'linux-a2': podYaml('linux-a2') });
  w.cluster.sync();
  w.commit({ 'linux-a1': podYaml('linux-a1', 'registry.example.com/azure-pipelines-agent:2'), 'linux-a3': podYaml('linux-a3') });
  const failed: string[] = [];
  w.cluster.onSyncFailed = (e) => failed.push(e);
  w.cluster.sync();
  assert.deepEqual(failed, [w.cluster.lastSyncError]);
  assert.match(w.cluster.lastSyncError ?? '', /Pod\/azdo-agents\/linux-a1 dry-run failed \(Invalid\): Pod "linux-a1" is invalid: spec: Forbidden/);
  assert.deepEqual([...w.cluster.pods.values()].map((p) => `${p.name} ${p.deleting}`).sort(), ['linux-a1 false', 'linux-a2 false']);
});

test('an image that never pulls: ErrImagePull with containerd\'s message, then ImagePullBackOff, as the sandbox\'s kubelet writes them', () => {
  const w = world();
  w.cluster.faults = { ...NO_CLUSTER_FAULTS, imagePull: 1 };
  w.commit({ 'linux-a1': podYaml('linux-a1') });
  w.cluster.sync();
  // Step until the kubelet's first status for the pod.
  while (observed(w.cluster, 'linux-a1')!.waitingReason === undefined) assert.ok(w.vt.step(Infinity));
  const first = observed(w.cluster, 'linux-a1')!;
  assert.equal(first.waitingReason, 'ErrImagePull');
  assert.match(first.waitingMessage ?? '', /^rpc error: code = NotFound desc = failed to pull and unpack image "registry\.example\.com\/azure-pipelines-agent:1"/);
  w.runFor(60_000);
  const later = observed(w.cluster, 'linux-a1')!;
  assert.deepEqual([later.phase, later.waitingReason, later.waitingMessage], ['Pending', 'ImagePullBackOff', 'Back-off pulling image "registry.example.com/azure-pipelines-agent:1"']);
  assert.equal(w.svc.state.agentByName(w.pool.id, 'linux-a1'), undefined);
});

test('a crashing entrypoint: the pod is Failed with exit code 1 and reason Error, its agent never registers', () => {
  const w = world();
  w.cluster.faults = { ...NO_CLUSTER_FAULTS, crash: 1 };
  w.commit({ 'linux-a1': podYaml('linux-a1') });
  w.cluster.sync();
  w.runFor(60_000);
  const seen = observed(w.cluster, 'linux-a1')!;
  assert.equal(seen.phase, 'Failed');
  assert.deepEqual(seen.terminated, { container: 'agent', exitCode: 1, reason: 'Error', message: undefined });
  assert.deepEqual(w.finished, ['linux-a1']);
  assert.equal(w.svc.state.agentByName(w.pool.id, 'linux-a1'), undefined);
});

// Flux-like syncer over real sockets: sandbox git server (real git), real kubectl kustomize,
// sandbox Kubernetes API server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startKubeApiServer } from '../../sandbox/cluster/apiserver/index.ts';
import type { KubeApiServer } from '../../sandbox/cluster/apiserver/index.ts';
import { INVENTORY_CONFIGMAP, startSyncer } from '../../sandbox/cluster/syncer/index.ts';
import type { Syncer } from '../../sandbox/cluster/syncer/index.ts';
import { startSeededGitServer } from '../helpers/gitServer.ts';
import type { SeededGitServer } from '../helpers/gitServer.ts';

const NS = 'azdo-agents';
let api: KubeApiServer;
let git: SeededGitServer;
let syncer: Syncer;
let core: CoreV1Api;

// Shaped like the default template's pods: the server's defaults must not read as a spec change.
const podYaml = (name: string, image = 'azp-agent:1') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    app.kubernetes.io/managed-by: azdo-gitops
  annotations:
    azdo.gitops.dev/job-requests: ""
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 30
  securityContext:
    runAsNonRoot: true
    runAsUser: 1001
  containers:
    - name: agent
      image: ${image}
      args: ["--once"]
      env:
        - name: AZP_POOL
          value: k8s-agents
        - name: AZP_TOKEN
          valueFrom:
            secretKeyRef:
              name: azp-token
              key: token
      resources:
        requests:
          cpu: 500m
          memory: 1Gi
      securityContext:
        capabilities:
          drop: ["ALL"]
      volumeMounts:
        - name: work
          mountPath: /azp/_work
  volumes:
    - name: work
      emptyDir: {}
`;
const kustomization = (pods: string[]) =>
  `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - sentinel.yaml\n${pods.map((p) => `  - pods/${p}.yaml\n`).join('')}`;
const sentinel = (label = 'v1') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: azdo-gitops-sentinel\n  labels:\n    rev: ${label}\ndata:\n  note: keep\n`;

async function podNames(): Promise<string[]> {
  const list = await core.listNamespacedPod({ namespace: NS });
  return list.items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata!.name!).sort();
}

before(async () => {
  api = await startKubeApiServer();
  git = await startSeededGitServer({
    files: {
      'agents/kustomization.yaml': kustomization(['agent-a', 'agent-b']),
      'agents/sentinel.yaml': sentinel(),
      'agents/pods/agent-a.yaml': podYaml('agent-a'),
      'agents/pods/agent-b.yaml': podYaml('agent-b'),
      'README.md': '# cluster\n',
      'agentspecs/linux.yaml': 'apiVersion: azdo.gitops.dev/v1alpha1\nkind: AgentSpec\nmetadata:\n  name: linux\nspec:\n  pool: k8s-agents\n  maxAgents: 3\n',
    },
  });
  const kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: 'unrelated' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
  syncer = startSyncer({ gitUrl: git.repoUrl, username: git.username, token: git.token, path: 'agents', kubeconfigPath: api.kubeconfigPath, intervalMs: 0 });
});

after(async () => {
  await syncer?.close();
  await git?.close();
  await api?.close();
});

test('creates what is in git and records it in the inventory', async () => {
  const r = await syncer.syncNow();
  assert.equal(r.error, null);
  assert.deepEqual(r.created.sort(), [`ConfigMap/${NS}/azdo-gitops-sentinel`, `Pod/${NS}/agent-a`, `Pod/${NS}/agent-b`]);
  assert.deepEqual(await podNames(), ['agent-a', 'agent-b', 'unrelated']);
  const st = syncer.status();
  assert.equal(st.lastAppliedCommit, r.commit);
  assert.equal(st.lastError, null);
  assert.ok(st.lastSyncAt);
  assert.deepEqual(st.inventory, [`ConfigMap/${NS}/azdo-gitops-sentinel`, `Pod/${NS}/agent-a`, `Pod/${NS}/agent-b`]);
  const cm = await core.readNamespacedConfigMap({ name: INVENTORY_CONFIGMAP, namespace: NS });
  assert.match(cm.data?.['azdo-gitops-agents'] ?? '', /agent-b/);
  // A second pass over the same commit changes nothing.
  const again = await syncer.syncNow();
  assert.deepEqual([again.created, again.updated, again.pruned], [[], [], []]);
});

test('prunes what left git, re-creates drift, updates ConfigMap labels, never touches unrelated pods', async () => {
  await core.deleteNamespacedPod({ name: 'agent-a', namespace: NS });
  await git.pushAsPerson({ 'agents/kustomization.yaml': kustomization(['agent-a']), 'agents/pods/agent-b.yaml': null, 'agents/sentinel.yaml': sentinel('v2') }, 'remove agent-b');
  const r = await syncer.syncNow();
  assert.equal(r.error, null);
  assert.deepEqual(r.pruned, [`Pod/${NS}/agent-b`]);
  assert.deepEqual(r.created, [`Pod/${NS}/agent-a`], 'a pod deleted while its file is in git comes back');
  assert.deepEqual(r.updated, [`ConfigMap/${NS}/azdo-gitops-sentinel`]);
  assert.deepEqual(await podNames(), ['agent-a', 'unrelated']);
  const cm = await core.readNamespacedConfigMap({ name: 'azdo-gitops-sentinel', namespace: NS });
  assert.equal(cm.metadata?.labels?.rev, 'v2');
  assert.deepEqual(syncer.status().inventory, [`ConfigMap/${NS}/azdo-gitops-sentinel`, `Pod/${NS}/agent-a`]);
});

test('a changed pod file is the immutable-spec error and blocks the whole apply', async () => {
  const before = syncer.status().lastAppliedCommit;
  await git.pushAsPerson({ 'agents/kustomization.yaml': kustomization(['agent-a', 'agent-c']), 'agents/pods/agent-a.yaml': podYaml('agent-a', 'azp-agent:2'), 'agents/pods/agent-c.yaml': podYaml('agent-c') }, 'edit agent-a in place');
  const r = await syncer.syncNow();
  assert.equal(r.ok, false);
  const st = syncer.status();
  assert.match(st.lastError ?? '', /Pod "agent-a" is invalid: spec: Forbidden: pod updates may not change fields other than/);
  assert.equal(st.lastAppliedCommit, before);
  const a = await core.readNamespacedPod({ name: 'agent-a', namespace: NS });
  assert.equal(a.spec?.containers[0]?.image, 'azp-agent:1');
  assert.deepEqual(await podNames(), ['agent-a', 'unrelated'], 'the dry-run failure blocks new pods too (as in Flux)');
  assert.ok(!(st.lastError ?? '').includes(git.token));
});

test('a missing path is "kustomization path not found" and prunes nothing', async () => {
  await git.pushAsPerson({ 'agents/kustomization.yaml': null, 'agents/sentinel.yaml': null, 'agents/pods/agent-a.yaml': null, 'agents/pods/agent-c.yaml': null }, 'empty the directory');
  const r = await syncer.syncNow();
  assert.equal(r.ok, false);
  assert.match(syncer.status().lastError ?? '', /kustomization path not found/);
  assert.deepEqual(await podNames(), ['agent-a', 'unrelated']);
});

test('bad credentials are an error without the token in it', async () => {
  const bad = startSyncer({ gitUrl: git.repoUrl, username: git.username, token: 'wrong-secret-token', path: 'agents', kubeconfigPath: api.kubeconfigPath, intervalMs: 0 });
  try {
    const r = await bad.syncNow();
    assert.equal(r.ok, false);
    assert.ok(r.error && !r.error.includes('wrong-secret-token'), r.error ?? '');
  } finally {
    await bad.close();
  }
});

test('on its interval it applies a new commit by itself (objects without a namespace go to its namespace)', async () => {
  const auto = startSyncer({ gitUrl: git.repoUrl, username: git.username, token: git.token, path: 'agents', kubeconfigPath: api.kubeconfigPath, namespace: 'default', intervalMs: 100 });
  try {
    const commit = await git.pushAsPerson({ 'agents/kustomization.yaml': kustomization([]), 'agents/sentinel.yaml': sentinel('v3') }, 'sentinel only');
    const end = Date.now() + 10_000;
    while (auto.status().lastAppliedCommit !== commit && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    assert.equal(auto.status().lastAppliedCommit, commit, auto.status().lastError ?? '');
    const cm = await core.readNamespacedConfigMap({ name: 'azdo-gitops-sentinel', namespace: 'default' });
    assert.equal(cm.metadata?.labels?.rev, 'v3');
  } finally {
    await auto.close();
  }
});

test('AgentSpecs apply like any object; a second syncer keeps its own inventory', async () => {
  const specs = startSyncer({ gitUrl: git.repoUrl, username: git.username, token: git.token, path: 'agentspecs', name: 'specs', kubeconfigPath: api.kubeconfigPath, intervalMs: 0 });
  try {
    const r = await specs.syncNow();
    assert.equal(r.error, null);
    assert.deepEqual(r.created, [`AgentSpec/${NS}/linux`]);
    await git.pushAsPerson({ 'agentspecs/linux.yaml': 'apiVersion: azdo.gitops.dev/v1alpha1\nkind: AgentSpec\nmetadata:\n  name: linux\nspec:\n  pool: k8s-agents\n  maxAgents: 5\n' }, 'more agents');
    const r2 = await specs.syncNow();
    assert.deepEqual(r2.updated, [`AgentSpec/${NS}/linux`]);
    const cm = await core.readNamespacedConfigMap({ name: INVENTORY_CONFIGMAP, namespace: NS });
    assert.deepEqual(Object.keys(cm.data ?? {}).sort(), ['azdo-gitops-agents', 'specs']);
    assert.deepEqual(specs.status().inventory, [`AgentSpec/${NS}/linux`]);
  } finally {
    await specs.close();
  }
});

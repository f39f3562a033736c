// The simulated apiserver through @kubernetes/client-node 2.x, as the reconciler and simulators use it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { startKubeApiServer, type KubeApiServer } from '../../sandbox/cluster/apiserver/index.ts';

const NS = 'azdo-agents';
let api: KubeApiServer;
let core: k8s.CoreV1Api;
let coordination: k8s.CoordinationV1Api;
let kc: k8s.KubeConfig;

const pod = (name: string, labels: Record<string, string> = {}): k8s.V1Pod => ({
  metadata: { name, labels },
  spec: { restartPolicy: 'Never', containers: [{ name: 'agent', image: 'agent:1' }] },
});
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

async function eventually(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

before(async () => {
  api = await startKubeApiServer();
  kc = new k8s.KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  core = kc.makeApiClient(k8s.CoreV1Api);
  coordination = kc.makeApiClient(k8s.CoordinationV1Api);
});
after(() => api.close());

test('pods: create fills defaults, read, list by label, patch status, delete', async () => {
  const created = await core.createNamespacedPod({ namespace: NS, body: pod('cn-1', { role: 'agent' }) });
  assert.equal(created.status?.phase, 'Pending');
  assert.equal(created.spec?.terminationGracePeriodSeconds, 30);
  assert.equal(created.spec?.dnsPolicy, 'ClusterFirst');
  assert.ok(created.metadata?.uid && created.metadata.resourceVersion && created.metadata.creationTimestamp);
  await core.createNamespacedPod({ namespace: NS, body: pod('cn-2', { role: 'other' }) });

  assert.equal((await core.readNamespacedPod({ namespace: NS, name: 'cn-1' })).metadata?.name, 'cn-1');
  const listed = await core.listNamespacedPod({ namespace: NS, labelSelector: 'role in (agent)' });
  assert.deepEqual(listed.items.map((p) => p.metadata?.name), ['cn-1']);

  const running = await core.patchNamespacedPodStatus({ namespace: NS, name: 'cn-1', body: { status: { phase: 'Running' } } }, mergePatch);
  assert.equal(running.status?.phase, 'Running');
  assert.ok(Number(running.metadata?.resourceVersion) > Number(created.metadata?.resourceVersion));
  const byPhase = await core.listNamespacedPod({ namespace: NS, fieldSelector: 'status.phase=Running' });
  assert.deepEqual(byPhase.items.map((p) => p.metadata?.name), ['cn-1']);

  await core.deleteNamespacedPod({ namespace: NS, name: 'cn-1' });
  await assert.rejects(core.readNamespacedPod({ namespace: NS, name: 'cn-1' }), (e: any) => e.code === 404);
});

test('create of an existing name is 409 AlreadyExists', async () => {
  await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'dup' } } });
  await assert.rejects(core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'dup' } } }),
    (e: any) => e.code === 409 && JSON.parse(e.body).reason === 'AlreadyExists');
});

test('leases: replace with a stale resourceVersion is 409 Conflict', async () => {
  const lease = await coordination.createNamespacedLease({ namespace: NS, body: { metadata: { name: 'leader' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } } });
  const taken = await coordination.replaceNamespacedLease({ namespace: NS, name: 'leader', body: { ...lease, spec: { ...lease.spec, holderIdentity: 'b' } } });
  assert.equal(taken.spec?.holderIdentity, 'b');
  await assert.rejects(
    coordination.replaceNamespacedLease({ namespace: NS, name: 'leader', body: { ...lease, spec: { ...lease.spec, holderIdentity: 'c' } } }),
    (e: any) => e.code === 409 && /the object has been modified/.test(JSON.parse(e.body).message),
  );
});

test('informer with a labelSelector sees add/update/delete and relists after the watch expires', async () => {
  const path = `/api/v1/namespaces/${NS}/pods`;
  const informer = k8s.makeInformer(kc, path, () => core.listNamespacedPod({ namespace: NS, labelSelector: 'pool=inf' }), 'pool=inf');
  const seen: string[] = [];
  for (const verb of [k8s.ADD, k8s.UPDATE, k8s.DELETE] as const) {
    informer.on(verb, (p: k8s.V1Pod) => seen.push(`${verb}:${p.metadata?.name}:${p.status?.phase}`));
  }
  await informer.start();
  try {
    await core.createNamespacedPod({ namespace: NS, body: pod('inf-1', { pool: 'inf' }) });
    await core.createNamespacedPod({ namespace: NS, body: pod('ignored-1', { pool: 'other' }) });
    await eventually(() => seen.includes('add:inf-1:Pending'), 'add');
    await core.patchNamespacedPodStatus({ namespace: NS, name: 'inf-1', body: { status: { phase: 'Running' } } }, mergePatch);
    await eventually(() => seen.includes('update:inf-1:Running'), 'update');
    await core.deleteNamespacedPod({ namespace: NS, name: 'inf-1' });
    await eventually(() => seen.some((s) => s.startsWith('delete:inf-1')), 'delete');

    api.expireWatches(); // the watch drops; resuming from its resourceVersion gets 410 → relist
    await core.createNamespacedPod({ namespace: NS, body: pod('inf-2', { pool: 'inf' }) });
    await eventually(() => seen.includes('add:inf-2:Pending'), 'add after 410');
    assert.ok(!seen.some((s) => s.includes('ignored-1')), seen.join(' '));
  } finally {
    await informer.stop();
  }
});

test('bench hooks: a pod seeded and a status set in process are what clients read and watch', async () => {
  const path = `/api/v1/namespaces/${NS}/pods`;
  const informer = k8s.makeInformer(kc, path, () => core.listNamespacedPod({ namespace: NS, labelSelector: 'pool=hook' }), 'pool=hook');
  const seen: string[] = [];
  for (const verb of [k8s.ADD, k8s.UPDATE] as const) informer.on(verb, (p: k8s.V1Pod) => seen.push(`${verb}:${p.metadata?.name}:${p.status?.phase}`));
  await informer.start();
  try {
    api.seedPod(NS, { ...pod('hook-1', { pool: 'hook' }), metadata: { name: 'hook-1', namespace: NS, labels: { pool: 'hook' } } }, { phase: 'Running' });
    await eventually(() => seen.includes('add:hook-1:Running') || seen.includes('update:hook-1:Running'), 'the seeded pod, Running');
    const before = (await core.readNamespacedPod({ namespace: NS, name: 'hook-1' })).metadata?.resourceVersion;
    api.setPodStatus(NS, 'hook-1', (p) => ({ ...(p.status as object), phase: 'Succeeded' }));
    await eventually(() => seen.includes('update:hook-1:Succeeded'), 'the status set in process');
    const read = await core.readNamespacedPod({ namespace: NS, name: 'hook-1' });
    assert.equal(read.status?.phase, 'Succeeded');
    assert.notEqual(read.metadata?.resourceVersion, before, 'a new resourceVersion, as a status write gives');
    assert.equal(read.spec?.containers[0]?.image, 'agent:1', 'the spec as seeded');
  } finally {
    await informer.stop();
  }
});

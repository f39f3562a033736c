// Kubelet simulator over real sockets against the sandbox's Kubernetes API server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { startKubeApiServer } from '../../sandbox/cluster/apiserver/index.ts';
import type { KubeApiServer } from '../../sandbox/cluster/apiserver/index.ts';
import { failsByShare, startKubelet } from '../../sandbox/cluster/kubelet/index.ts';
import type { Kubelet } from '../../sandbox/cluster/kubelet/index.ts';
import { eventually } from '../helpers/eventually.ts';

const NS = 'azdo-agents';
let api: KubeApiServer;
let kubelet: Kubelet;
let core: CoreV1Api;

const waitFor = <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> => eventually(what, fn, timeoutMs, 50);

const podBody = (name: string, image: string): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS },
  spec: { restartPolicy: 'Never', containers: [{ name: 'agent', image }] },
});

before(async () => {
  api = await startKubeApiServer();
  const kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
  kubelet = await startKubelet({
    kubeconfigPath: api.kubeconfigPath,
    namespace: NS,
    runDelayMs: 100,
    unpullableImages: ['agent:broken'],
    failShare: 0.5,
    crashingImages: { 'agent:crashing': 3 },
    configRetryMs: 200,
  });
});

after(async () => {
  await kubelet?.close();
  await api?.close();
});

const names = Array.from({ length: 50 }, (_, i) => `agent-k${i}`);
const runningName = names.find((n) => !failsByShare(n, 0.5))!;
const failingName = names.find((n) => failsByShare(n, 0.5))!;
const brokenName = names.find((n) => !failsByShare(n, 0.5) && n !== runningName)!;

test('Pending → Running with the conditions and container status a kubelet writes', async () => {
  await core.createNamespacedPod({ namespace: NS, body: podBody(runningName, 'agent:1') });
  const pod = await waitFor('Running', async () => {
    const p = await core.readNamespacedPod({ name: runningName, namespace: NS });
    return p.status?.phase === 'Running' ? p : undefined;
  });
  const trueConds = (pod.status?.conditions ?? []).filter((c) => c.status === 'True').map((c) => c.type);
  for (const t of ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready']) assert.ok(trueConds.includes(t), t);
  assert.ok(pod.status?.containerStatuses?.[0]?.state?.running?.startedAt);
  assert.ok(pod.status?.podIP && pod.status.hostIP && pod.status.startTime);
});

test('an unpullable image → ErrImagePull, then ImagePullBackOff, and the pod stays Pending', async () => {
  await core.createNamespacedPod({ namespace: NS, body: podBody(brokenName, 'registry.example/agent:broken') });
  const pod = await waitFor('ImagePullBackOff', async () => {
    const p = await core.readNamespacedPod({ name: brokenName, namespace: NS });
    return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff' ? p : undefined;
  });
  assert.equal(pod.status?.phase, 'Pending');
});

test('failShare pods → Failed with exit code 1', async () => {
  await core.createNamespacedPod({ namespace: NS, body: podBody(failingName, 'agent:1') });
  const pod = await waitFor('Failed', async () => {
    const p = await core.readNamespacedPod({ name: failingName, namespace: NS });
    return p.status?.phase === 'Failed' ? p : undefined;
  });
  assert.equal(pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 1);
  await sleep(300);
  const again = await core.readNamespacedPod({ name: runningName, namespace: NS });
  assert.equal(again.status?.phase, 'Running', 'the kubelet never finishes a running pod');
  assert.deepEqual(kubelet.stats(), { running: 1, imagePullBackOff: 1, failed: 1, createContainerConfigError: 0 });
});

test('a missing Secret in a secretKeyRef: CreateContainerConfigError naming it, then Running once the Secret exists', async () => {
  const name = names.find((n) => !failsByShare(n, 0.5) && n !== runningName && n !== brokenName)!;
  const body = podBody(name, 'agent:1');
  body.spec!.containers[0]!.env = [{ name: 'AZP_TOKEN', valueFrom: { secretKeyRef: { name: 'late-token', key: 'token' } } }];
  await core.createNamespacedPod({ namespace: NS, body });
  const waiting = await waitFor('CreateContainerConfigError', async () => {
    const p = await core.readNamespacedPod({ name, namespace: NS });
    return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError' ? p : undefined;
  });
  assert.equal(waiting.status?.phase, 'Pending');
  assert.equal(waiting.status?.containerStatuses?.[0]?.state?.waiting?.message, 'secret "late-token" not found');
  // Still waiting a few retries later: the kubelet does not give up, nor start it.
  await sleep(500);
  assert.equal((await core.readNamespacedPod({ name, namespace: NS })).status?.containerStatuses?.[0]?.state?.waiting?.reason, 'CreateContainerConfigError');

  await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'late-token', namespace: NS }, stringData: { other: 'x' } } });
  await waitFor('the missing key reported', async () => {
    const p = await core.readNamespacedPod({ name, namespace: NS });
    return p.status?.containerStatuses?.[0]?.state?.waiting?.message === `couldn't find key token in Secret ${NS}/late-token` ? p : undefined;
  });
  await core.replaceNamespacedSecret({ name: 'late-token', namespace: NS, body: { metadata: { name: 'late-token', namespace: NS }, stringData: { token: 'pat' } } });
  const running = await waitFor('Running once the Secret holds the key', async () => {
    const p = await core.readNamespacedPod({ name, namespace: NS });
    return p.status?.phase === 'Running' ? p : undefined;
  });
  assert.ok(running.status?.containerStatuses?.[0]?.state?.running);
});

test('a crashing entrypoint → Failed, the container terminated with its exit code and reason Error', async () => {
  const name = 'agent-crashing';
  await core.createNamespacedPod({ namespace: NS, body: podBody(name, 'registry.example.com/agent:crashing') });
  const pod = await waitFor('Failed', async () => {
    const p = await core.readNamespacedPod({ name, namespace: NS });
    return p.status?.phase === 'Failed' ? p : undefined;
  });
  const t = pod.status?.containerStatuses?.[0]?.state?.terminated;
  assert.equal(t?.exitCode, 3);
  assert.equal(t?.reason, 'Error');
});

test('survives watch expiry (410) and still starts new pods', async () => {
  api.expireWatches();
  await core.createNamespacedPod({ namespace: NS, body: podBody('agent-after-expiry', 'agent:1') });
  await waitFor('Running after expiry', async () => {
    const p = await core.readNamespacedPod({ name: 'agent-after-expiry', namespace: NS });
    return p.status?.phase === 'Running' ? p : undefined;
  });
});

// Which pod changes ask for a pass at once (PodWatcher's onFinished), against the simulated API
// server: a pod finishing, once; a running pod deleted; not the deletion of a pod that had
// finished already (the GitOps tool applying the pruned manifest), which would cost a pass that
// completions arriving meanwhile wait for.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { PodWatcher } from '../../reconciler/cluster/podWatcher.ts';
import { loadKubeClient } from '../../reconciler/cluster/kubeConfig.ts';
import { createLogger } from '../../reconciler/support/logger.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../reconciler/manifests/labels.ts';
import { startKubeApiServer, type KubeApiServer } from '../../sandbox/cluster/apiserver/index.ts';
import { writePodStatus } from '../../sandbox/cluster/kubelet/podStatus.ts';
import { eventually } from '../helpers/eventually.ts';

const NS = 'azdo-agents';
let api: KubeApiServer;
let admin: CoreV1Api;
let watcher: PodWatcher;
const triggers: string[] = [];

const pod = (name: string): V1Pod => ({
  metadata: { name, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
  spec: { restartPolicy: 'Never', containers: [{ name: 'agent', image: 'agent:1' }] },
});
const seen = (name: string): boolean => watcher.pods()?.some((p) => p.name === name) ?? false;
const phaseOf = (name: string): string | undefined => watcher.pods()?.find((p) => p.name === name)?.phase;
const count = (name: string): number => triggers.filter((t) => t === name).length;

before(async () => {
  api = await startKubeApiServer({});
  const kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  admin = kc.makeApiClient(CoreV1Api);
  watcher = new PodWatcher(await loadKubeClient(api.kubeconfigFor('reconciler')), NS, createLogger({ level: 'error', write: () => {} }), (name) => triggers.push(name));
  await watcher.start();
});
after(async () => {
  await watcher.stop();
  await api.close();
});

test('a pod finishing triggers once; its later changes and its deletion do not', async () => {
  await admin.createNamespacedPod({ namespace: NS, body: pod('agent-done') });
  await writePodStatus(admin, NS, 'agent-done', { phase: 'Running' });
  await eventually('the pod seen running', () => phaseOf('agent-done') === 'Running', 5_000, 20);
  assert.equal(count('agent-done'), 0);

  await writePodStatus(admin, NS, 'agent-done', { phase: 'Succeeded' });
  await eventually('the finish triggers a pass', () => count('agent-done') === 1, 5_000, 20);
  await writePodStatus(admin, NS, 'agent-done', { phase: 'Succeeded', message: 'still finished' });
  await admin.deleteNamespacedPod({ name: 'agent-done', namespace: NS, gracePeriodSeconds: 0 });
  await eventually('the deletion seen', () => !seen('agent-done'), 5_000, 20);
  await sleep(300);
  assert.equal(count('agent-done'), 1, 'no second pass for a pod already handled');
});

test('a running pod deleted triggers a pass', async () => {
  await admin.createNamespacedPod({ namespace: NS, body: pod('agent-live') });
  await writePodStatus(admin, NS, 'agent-live', { phase: 'Running' });
  await eventually('the pod seen running', () => phaseOf('agent-live') === 'Running', 5_000, 20);
  await admin.deleteNamespacedPod({ name: 'agent-live', namespace: NS, gracePeriodSeconds: 0 });
  await eventually('the deletion triggers a pass', () => count('agent-live') === 1, 5_000, 20);
});

test('a pod is reduced once per change: the same object pass after pass until it changes', async () => {
  await admin.createNamespacedPod({ namespace: NS, body: pod('agent-kept') });
  await writePodStatus(admin, NS, 'agent-kept', { phase: 'Running' });
  await eventually('the pod seen running', () => phaseOf('agent-kept') === 'Running', 5_000, 20);
  const first = watcher.pods()!.find((p) => p.name === 'agent-kept');
  assert.equal(watcher.pods()!.find((p) => p.name === 'agent-kept'), first, 'unchanged: not reduced again');
  await writePodStatus(admin, NS, 'agent-kept', { phase: 'Succeeded' });
  await eventually('the change seen', () => phaseOf('agent-kept') === 'Succeeded', 5_000, 20);
  assert.notEqual(watcher.pods()!.find((p) => p.name === 'agent-kept'), first);
});

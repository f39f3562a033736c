// The reconciler's PodWatcher against the simulated API server: a quiet healthy watch stays
// fresh; a blackholed one (connections hang, nothing refused) makes the pods unobserved within
// the bound instead of serving a frozen view; once the server answers, the view comes back.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { FRESH_FOR_MS, WATCH_TIMEOUT_SECONDS } from '../../reconciler/cluster/podWatchTiming.ts';
import { PodWatcher } from '../../reconciler/cluster/podWatcher.ts';
import { loadKubeClient } from '../../reconciler/cluster/kubeConfig.ts';
import { createLogger } from '../../reconciler/support/logger.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../reconciler/manifests/labels.ts';
import { startKubeApiServer, type KubeApiServer } from '../../sandbox/cluster/apiserver/index.ts';
import { eventually } from '../helpers/eventually.ts';

const NS = 'azdo-agents';
let api: KubeApiServer;
let admin: CoreV1Api;
let watcher: PodWatcher;
const logs: { msg: string }[] = [];

const pod = (name: string): V1Pod => ({
  metadata: { name, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
  spec: { restartPolicy: 'Never', containers: [{ name: 'agent', image: 'agent:1' }] },
});
const names = (): string[] | undefined => watcher.pods()?.map((p) => p.name).sort();

before(async () => {
  // Bookmarks only at the server's 60 s-like cadence: freshness must come from the watch timeout.
  api = await startKubeApiServer({ bookmarkIntervalMs: 60_000 });
  const kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  admin = kc.makeApiClient(CoreV1Api);
  await admin.createNamespacedPod({ namespace: NS, body: pod('agent-a') });
  watcher = new PodWatcher(await loadKubeClient(api.kubeconfigFor('reconciler')), NS, createLogger({ level: 'debug', write: (l) => logs.push(JSON.parse(l) as { msg: string }) }), () => {});
  await watcher.start();
});
after(async () => {
  await watcher.stop();
  await api.close();
});

test('a quiet, healthy watch stays fresh across several server-side watch timeouts', async () => {
  assert.deepEqual(names(), ['agent-a']);
  const until = Date.now() + 2 * WATCH_TIMEOUT_SECONDS * 1000 + 2_000;
  while (Date.now() < until) {
    assert.deepEqual(names(), ['agent-a'], 'fresh throughout');
    await sleep(200);
  }
  await admin.createNamespacedPod({ namespace: NS, body: pod('agent-b') });
  await eventually('the new pod seen', () => names()?.includes('agent-b'), 5_000, 50);
});

test('blackholed: the pods become unobserved within the bound, never a frozen view for longer; afterwards they come back', async () => {
  const cutAt = Date.now();
  api.blackhole('reconciler');
  // Created behind the partition: a frozen view would call it missing (a "pod-deleted").
  await admin.createNamespacedPod({ namespace: NS, body: pod('agent-c') });
  await eventually('the pod view unobserved', () => watcher.pods() === undefined, FRESH_FOR_MS + 3_000, 50);
  const staleAfterMs = Date.now() - cutAt;
  assert.ok(staleAfterMs <= FRESH_FOR_MS + 1_500, `unobserved ${staleAfterMs} ms after the cut (bound ${FRESH_FOR_MS} ms)`);
  await eventually('the staleness logged', () => logs.some((l) => /^pod view stale/.test(l.msg)), 2_000, 50);
  // It stays unobserved while the server hangs: relists are bounded and fail, they do not revive a stale cache.
  const until = Date.now() + FRESH_FOR_MS + 1_000;
  while (Date.now() < until) {
    assert.equal(watcher.pods(), undefined);
    await sleep(200);
  }

  api.endBlackhole();
  const backAt = Date.now();
  watcher.retryNow(); // what the controller does when the lease is regained
  await eventually('the pod view back, with the pod created meanwhile', () => names()?.includes('agent-c'), 5_000, 50);
  assert.ok(Date.now() - backAt < 3_000, `back after ${Date.now() - backAt} ms`);
  assert.deepEqual(names(), ['agent-a', 'agent-b', 'agent-c']);
});

// The simulated apiserver's blackhole fault, through @kubernetes/client-node: one client's
// connections hang (requests unanswered, open watches silent) while other clients are served.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { startKubeApiServer, type KubeApiServer } from '../../sandbox/cluster/apiserver/index.ts';
import { eventually } from '../helpers/eventually.ts';

const NS = 'azdo-agents';
let api: KubeApiServer;
let admin: k8s.CoreV1Api;
let cut: k8s.CoreV1Api;
let cutKc: k8s.KubeConfig;

const pod = (name: string): k8s.V1Pod => ({
  metadata: { name, labels: { pool: 'bh' } },
  spec: { restartPolicy: 'Never', containers: [{ name: 'agent', image: 'agent:1' }] },
});

/** A list that gives up after `ms` (the fault never answers). */
const listWithin = (core: k8s.CoreV1Api, ms: number) =>
  core.listNamespacedPod({ namespace: NS, labelSelector: 'pool=bh' }, {
    middleware: [{ pre: (ctx) => { ctx.setSignal(AbortSignal.timeout(ms)); return new k8s.Observable(Promise.resolve(ctx)); }, post: (r) => new k8s.Observable(Promise.resolve(r)) }],
    middlewareMergeStrategy: 'append',
  });

before(async () => {
  api = await startKubeApiServer({ bookmarkIntervalMs: 200 });
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  admin = kc.makeApiClient(k8s.CoreV1Api);
  cutKc = new k8s.KubeConfig();
  cutKc.loadFromFile(api.kubeconfigFor('reconciler'));
  cut = cutKc.makeApiClient(k8s.CoreV1Api);
});
after(() => api.close());

test('a second client identity has its own kubeconfig and is served like the first', async () => {
  assert.equal(api.kubeconfigFor('reconciler'), api.kubeconfigFor('reconciler'));
  assert.notEqual(cutKc.getCurrentUser()?.token, api.token);
  await admin.createNamespacedPod({ namespace: NS, body: pod('bh-0') });
  assert.deepEqual((await cut.listNamespacedPod({ namespace: NS, labelSelector: 'pool=bh' })).items.map((p) => p.metadata?.name), ['bh-0']);
});

test("blackholed: the client's requests hang and its open watch goes silent; other clients are served; afterwards new requests are answered", async () => {
  const events: string[] = [];
  let ended = false;
  const watch = new k8s.Watch(cutKc);
  const ctl = await watch.watch(`/api/v1/namespaces/${NS}/pods`, { labelSelector: 'pool=bh', allowWatchBookmarks: true }, (type, obj: k8s.V1Pod) => events.push(`${type}:${obj.metadata?.name ?? ''}`), () => (ended = true));
  try {
    await eventually('the watch replays and bookmarks', () => events.includes('ADDED:bh-0') && events.includes('BOOKMARK:'));

    api.blackhole('reconciler');
    const heard = events.length;
    await assert.rejects(listWithin(cut, 500), (e: Error) => e.name === 'TimeoutError', 'a new request gets no answer');
    await admin.createNamespacedPod({ namespace: NS, body: pod('bh-1') });
    assert.deepEqual((await listWithin(admin, 5_000)).items.map((p) => p.metadata?.name).sort(), ['bh-0', 'bh-1'], 'another client is served');
    await sleep(600);
    assert.equal(events.length, heard, `no event or bookmark reached the silenced watch: ${events.slice(heard).join(' ')}`);
    assert.equal(ended, false, 'the silenced watch is not ended by the server either');

    api.endBlackhole();
    assert.deepEqual((await listWithin(cut, 5_000)).items.map((p) => p.metadata?.name).sort(), ['bh-0', 'bh-1'], 'answered again');
    await sleep(400);
    assert.equal(events.length, heard, 'a watch cut off during the fault stays silent: its client must notice and open a new one');
  } finally {
    ctl.abort();
    api.endBlackhole();
  }
});

test('blackholed for every client: unauthenticated requests hang too', async () => {
  api.blackhole();
  try {
    await assert.rejects(fetch(`${api.url}/healthz`, { signal: AbortSignal.timeout(500) }), (e: Error) => e.name === 'TimeoutError');
    await assert.rejects(listWithin(admin, 500), (e: Error) => e.name === 'TimeoutError');
  } finally {
    api.endBlackhole();
  }
  assert.equal((await fetch(`${api.url}/healthz`)).status, 200);
});

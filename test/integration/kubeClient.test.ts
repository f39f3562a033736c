// The reconciler's own Kubernetes client (cluster/kubeHttp.ts + kubeconfigAuth.ts) against the
// simulated API server over TLS: authentication from the kubeconfig, the status codes callers
// branch on (401, 404, 409, 410), merge patches on the status subresource, watches, bounded
// requests against a server that never answers, and an exec-plugin user through client-node.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { createAgentSpecResources } from '../../reconciler/cluster/agentSpecResources.ts';
import { KubeApiError } from '../../reconciler/cluster/kubeApiError.ts';
import type { KubeClient } from '../../reconciler/cluster/kubeClient.ts';
import { loadKubeClient } from '../../reconciler/cluster/kubeConfig.ts';
import { createKubeClient, directConnect } from '../../reconciler/cluster/kubeHttp.ts';
import { checkClusterAccess, ClusterAccessError, kubeFailure } from '../../reconciler/cluster/kubeFailure.ts';
import { MANAGED_SELECTOR } from '../../reconciler/cluster/podWatcher.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../reconciler/manifests/labels.ts';
import type { AgentSpecStatus } from '../../reconciler/plan/agentSpecStatus.ts';
import { startKubeApiServer, type KubeApiServer } from '../../sandbox/cluster/apiserver/index.ts';

const NS = 'azdo-agents';
const PODS = `/api/v1/namespaces/${NS}/pods`;
let api: KubeApiServer;
let kube: KubeClient;

type Doc = { clusters: { cluster: Record<string, unknown> }[]; users: { user: Record<string, unknown> }[] };
/** A copy of the sandbox's kubeconfig with its cluster and user changed, in the same directory. */
function variant(file: string, change: (doc: Doc) => void): string {
  const doc = parse(readFileSync(api.kubeconfigPath, 'utf8')) as Doc;
  change(doc);
  const path = join(api.kubeconfigPath, '..', file);
  writeFileSync(path, stringify(doc), { mode: 0o600 });
  return path;
}

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
  spec: { restartPolicy: 'Never', containers: [{ name: 'agent', image: 'agent:1' }] },
});

before(async () => {
  api = await startKubeApiServer({ bookmarkIntervalMs: 200 });
  kube = await loadKubeClient(api.kubeconfigFor('thin'));
});
after(async () => {
  await api.close();
});

test('over TLS with the kubeconfig\'s CA and token: a list, a create, a 404 as KubeApiError', async () => {
  assert.match(kube.server, /^https:\/\/127\.0\.0\.1:\d+$/);
  await kube.request({ method: 'POST', path: PODS, body: pod('agent-a'), timeoutMs: 5_000 });
  const list = (await kube.request({ method: 'GET', path: PODS, query: { labelSelector: MANAGED_SELECTOR }, timeoutMs: 5_000 })) as { items: { metadata: { name: string } }[] };
  assert.deepEqual(list.items.map((p) => p.metadata.name), ['agent-a']);
  const missing = await kube.request({ method: 'GET', path: `${PODS}/absent`, timeoutMs: 5_000 }).then(() => undefined, (e: unknown) => e);
  assert.ok(missing instanceof KubeApiError);
  assert.equal(missing.code, 404);
  assert.match(kubeFailure(missing).reason, /^404 .*absent/);
});

test('a server certificate the kubeconfig does not vouch for is refused, unless insecure-skip-tls-verify', async () => {
  const noCa = await loadKubeClient(variant('no-ca.kubeconfig', (d) => delete d.clusters[0]!.cluster['certificate-authority-data']));
  const err = await noCa.request({ method: 'GET', path: PODS, timeoutMs: 5_000 }).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof Error && !(err instanceof KubeApiError), `expected a TLS failure, got ${String(err)}`);
  assert.match(kubeFailure(err).reason, /certificate|self.signed/i);
  const insecure = await loadKubeClient(variant('insecure.kubeconfig', (d) => {
    delete d.clusters[0]!.cluster['certificate-authority-data'];
    d.clusters[0]!.cluster['insecure-skip-tls-verify'] = true;
  }));
  assert.ok(await insecure.request({ method: 'GET', path: PODS, timeoutMs: 5_000 }));
});

test('a refused token is a 401, and at start-up a ClusterAccessError naming the kubeconfig', async () => {
  const path = variant('bad-token.kubeconfig', (d) => (d.users[0]!.user['token'] = 'not-a-valid-token'));
  const bad = await loadKubeClient(path);
  const err = await bad.request({ method: 'GET', path: PODS, timeoutMs: 5_000 }).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof KubeApiError && err.code === 401);
  await assert.rejects(checkClusterAccess(bad, NS, path), (e) => e instanceof ClusterAccessError && e.status === 401 && e.message.includes(`KUBECONFIG=${path}`));
  assert.equal(await checkClusterAccess(kube, NS, path), undefined);
});

test('a second create and a write with a stale resourceVersion are 409s', async () => {
  const leases = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`;
  const body = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec: { holderIdentity: 'a' } };
  const created = (await kube.request({ method: 'POST', path: leases, body, timeoutMs: 5_000 })) as { metadata: { resourceVersion: string } };
  const again = await kube.request({ method: 'POST', path: leases, body, timeoutMs: 5_000 }).then(() => undefined, (e: unknown) => e);
  assert.ok(again instanceof KubeApiError && again.code === 409);
  await kube.request({ method: 'PUT', path: `${leases}/l`, body: { ...body, metadata: { name: 'l', resourceVersion: created.metadata.resourceVersion }, spec: { holderIdentity: 'b' } }, timeoutMs: 5_000 });
  const stale = await kube
    .request({ method: 'PUT', path: `${leases}/l`, body: { ...body, metadata: { name: 'l', resourceVersion: created.metadata.resourceVersion } }, timeoutMs: 5_000 })
    .then(() => undefined, (e: unknown) => e);
  assert.ok(stale instanceof KubeApiError && stale.code === 409);
});

test('AgentSpec status: listed, and merge-patched on the status subresource without touching the spec', async () => {
  const specs = `/apis/azdo.gitops.dev/v1alpha1/namespaces/${NS}/agentspecs`;
  const resources = createAgentSpecResources(kube, NS);
  assert.deepEqual(await resources.list(), { kind: 'listed', items: [] });
  const spec = { pool: 'gpu', maxAgents: 2 };
  await kube.request({ method: 'POST', path: specs, body: { apiVersion: 'azdo.gitops.dev/v1alpha1', kind: 'AgentSpec', metadata: { name: 'gpu' }, spec }, timeoutMs: 5_000 });
  const status: AgentSpecStatus = {
    desired: 1, busy: 0, idle: 1, starting: 0, pendingJobs: 0, unmatchedJobs: 0, cappedBy: 0, backingOff: false,
    lastCommit: 'abc', lastPassTime: '2026-12-02T10:00:00Z', revision: 'r1', conditions: [],
  };
  await resources.patchStatus('gpu', status);
  const listed = await resources.list();
  assert.equal(listed.kind, 'listed');
  assert.deepEqual(listed.kind === 'listed' && listed.items.map((i) => [i.name, i.status]), [['gpu', status]]);
  const read = (await kube.request({ method: 'GET', path: `${specs}/gpu`, timeoutMs: 5_000 })) as { spec: unknown };
  assert.deepEqual(read.spec, spec);
  await assert.rejects(resources.patchStatus('absent', status), (e) => e instanceof KubeApiError && e.code === 404);
});

test('a watch delivers events and bookmarks, and ends cleanly at timeoutSeconds', async () => {
  const list = (await kube.request({ method: 'GET', path: PODS, timeoutMs: 5_000 })) as { metadata: { resourceVersion: string } };
  const seen: string[] = [];
  let doneWith: unknown = 'not yet';
  const ended = new Promise<void>((resolve) => {
    void kube.watch(
      { path: PODS, query: { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 1 }, connectTimeoutMs: 5_000, idleTimeoutMs: 10_000 },
      (type, obj) => seen.push(`${type} ${(obj as { metadata?: { name?: string } }).metadata?.name ?? ''}`.trim()),
      (err) => {
        doneWith = err;
        resolve();
      },
    );
  });
  await kube.request({ method: 'POST', path: PODS, body: pod('agent-b'), timeoutMs: 5_000 });
  await ended;
  assert.equal(doneWith, undefined);
  assert.ok(seen.includes('ADDED agent-b'), seen.join(', '));
  assert.ok(seen.some((s) => s.startsWith('BOOKMARK')), seen.join(', '));
});

test('a watch from an expired resourceVersion says 410; one on an absent resource fails with the status', async () => {
  const list = (await kube.request({ method: 'GET', path: PODS, timeoutMs: 5_000 })) as { metadata: { resourceVersion: string } };
  await kube.request({ method: 'POST', path: PODS, body: pod('agent-c'), timeoutMs: 5_000 });
  api.expireWatches();
  const events: { type: string; code: unknown }[] = [];
  const outcome = await new Promise<unknown>((resolve) => {
    void kube.watch(
      { path: PODS, query: { resourceVersion: list.metadata.resourceVersion, timeoutSeconds: 5 }, connectTimeoutMs: 5_000, idleTimeoutMs: 10_000 },
      (type, obj) => events.push({ type, code: (obj as { code?: unknown }).code }),
      resolve,
    );
  });
  // Either form a server may use: an ERROR event with a 410 Status, or the status itself.
  assert.ok(events.some((e) => e.type === 'ERROR' && e.code === 410) || (outcome instanceof KubeApiError && outcome.code === 410), JSON.stringify({ events, outcome: String(outcome) }));

  const failed = await new Promise<unknown>((resolve) => {
    void kube.watch({ path: '/apis/example.com/v1/namespaces/x/widgets', query: {}, connectTimeoutMs: 5_000, idleTimeoutMs: 10_000 }, () => {}, resolve);
  });
  assert.ok(failed instanceof KubeApiError && failed.code === 404, String(failed));
});

test('against a server that never answers, requests and watches give up in their time', async () => {
  const cut = await loadKubeClient(api.kubeconfigFor('cut'));
  api.blackhole('cut');
  try {
    const started = performance.now();
    const err = await cut.request({ method: 'GET', path: PODS, timeoutMs: 300 }).then(() => undefined, (e: unknown) => e);
    assert.equal(kubeFailure(err).reason, 'no answer in time');
    assert.ok(performance.now() - started < 5_000);
    const aborted = new AbortController();
    const pending = cut.request({ method: 'GET', path: PODS, timeoutMs: 60_000, signal: aborted.signal }).then(() => undefined, (e: unknown) => e);
    aborted.abort();
    assert.equal(kubeFailure(await pending).reason, 'request aborted');
    const watchErr = await new Promise<unknown>((resolve) => {
      void cut.watch({ path: PODS, query: {}, connectTimeoutMs: 300, idleTimeoutMs: 10_000 }, () => {}, resolve);
    });
    assert.equal(kubeFailure(watchErr).reason, 'no answer in time');
  } finally {
    api.endBlackhole();
  }
});

test('an exec-plugin user: client-node runs the plugin and its token authenticates our requests', async () => {
  const token = (parse(readFileSync(api.kubeconfigPath, 'utf8')) as Doc).users[0]!.user['token'] as string;
  const credential = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token } });
  const path = variant('exec.kubeconfig', (d) => {
    d.users[0]!.user = { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: process.execPath, args: ['-e', `process.stdout.write(${JSON.stringify(credential)})`], interactiveMode: 'Never' } };
  });
  const viaPlugin = await loadKubeClient(path);
  const list = (await viaPlugin.request({ method: 'GET', path: PODS, timeoutMs: 10_000 })) as { items: unknown[] };
  assert.ok(Array.isArray(list.items) && list.items.length > 0);
});

test('a page in place of the API server (200, HTML) fails naming the request, over plain http too', async () => {
  const page = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>\n'));
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  try {
    const server = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    const client = createKubeClient(server, directConnect({ server, tls: { rejectUnauthorized: true }, token: () => undefined }));
    const err = await client.request({ method: 'GET', path: PODS, timeoutMs: 5_000 }).then(() => undefined, (e: unknown) => e);
    assert.equal(kubeFailure(err).reason, `GET ${PODS}: the answer (200) is not JSON: <html>maintenance</html>`);
  } finally {
    page.closeAllConnections();
    await new Promise((resolve) => page.close(resolve));
  }
});

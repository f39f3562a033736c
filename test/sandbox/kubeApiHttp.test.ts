// The simulated apiserver's wire behaviour over raw HTTP: errors, selectors, watch semantics.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startKubeApiServer, type KubeApiServer } from '../../sandbox/cluster/apiserver/index.ts';

const NS = 'azdo-agents';
let api: KubeApiServer;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(api.url + path, {
    method,
    headers: { Authorization: `Bearer ${api.token}`, 'Content-Type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const podBody = (name: string, labels: Record<string, string> = {}) =>
  ({ metadata: { name, labels }, spec: { containers: [{ name: 'agent', image: 'agent:1' }] } });
const pods = `/api/v1/namespaces/${NS}/pods`;

/** Reads watch events until `count` arrive or the stream ends. */
async function watchEvents(path: string, count: number): Promise<any[]> {
  const ac = new AbortController();
  const res = await fetch(api.url + path, { headers: { Authorization: `Bearer ${api.token}` }, signal: ac.signal });
  const events: any[] = [];
  let buf = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as any) {
      buf += decoder.decode(chunk, { stream: true });
      for (let i: number = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        events.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
      if (events.length >= count) ac.abort();
    }
  } catch (err) {
    if ((err as Error).name !== 'AbortError') throw err;
  }
  return events;
}

before(async () => { api = await startKubeApiServer({ watchHistory: 5 }); });
after(() => api.close());

test('missing or wrong token is a 401 Status', async () => {
  for (const auth of [undefined, 'Bearer wrong']) {
    const res = await fetch(`${api.url}/api/v1/namespaces`, auth ? { headers: { Authorization: auth } } : {});
    assert.equal(res.status, 401);
    assert.equal((await res.json() as any).reason, 'Unauthorized');
  }
});

test('bad JSON is 400, an unknown path 404, both as Status', async () => {
  const bad = await call('POST', pods, '{not json');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.kind, 'Status');
  const missing = await call('GET', '/apis/nope.example/v1/things');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.reason, 'NotFound');
});

test('discovery lists resources with verbs and short names', async () => {
  const v1 = await call('GET', '/api/v1');
  const podsEntry = v1.body.resources.find((r: any) => r.name === 'pods');
  assert.deepEqual(podsEntry.shortNames, ['po']);
  assert.ok(podsEntry.namespaced && podsEntry.verbs.includes('watch'));
  assert.ok(v1.body.resources.some((r: any) => r.name === 'pods/status'));
  const groups = (await call('GET', '/apis')).body.groups.map((g: any) => g.name);
  assert.ok(groups.includes('coordination.k8s.io') && groups.includes('azdo.gitops.dev'));
});

test('invalid pod names and missing namespaces are refused like the real server', async () => {
  const invalid = await call('POST', pods, podBody('Bad_Name'));
  assert.equal(invalid.status, 422);
  assert.match(invalid.body.message, /^Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
  const noNs = await call('POST', '/api/v1/namespaces/nope/pods', podBody('p'));
  assert.equal(noNs.status, 404);
  assert.equal(noNs.body.message, 'namespaces "nope" not found');
});

test('generateName gets a random suffix', async () => {
  const res = await call('POST', pods, { metadata: { generateName: 'agent-' }, spec: podBody('x').spec });
  assert.equal(res.status, 201);
  assert.match(res.body.metadata.name, /^agent-[a-z0-9]{5}$/);
});

test('pod updates may change the image but not other spec fields', async () => {
  const created = (await call('POST', pods, podBody('upd-1'))).body;
  const image = await call('PATCH', `${pods}/upd-1`, [{ op: 'replace', path: '/spec/containers/0/image', value: 'agent:2' }], { 'Content-Type': 'application/json-patch+json' });
  assert.equal(image.status, 200);
  const changed = structuredClone(image.body);
  changed.spec.restartPolicy = 'Never';
  const res = await call('PUT', `${pods}/upd-1`, changed);
  assert.equal(res.status, 422);
  assert.match(res.body.message, /^Pod "upd-1" is invalid: spec: Forbidden: pod updates may not change fields other than/);
  const stale = await call('PUT', `${pods}/upd-1`, created);
  assert.equal(stale.status, 409);
  assert.equal(stale.body.reason, 'Conflict');
});

test('label selectors: equality, !=, in, notin, exists, !key', async () => {
  await call('POST', pods, podBody('sel-a', { sel: 'a', tier: 'x' }));
  await call('POST', pods, podBody('sel-b', { sel: 'b' }));
  await call('POST', pods, podBody('sel-c', { sel: 'c', tier: 'y' }));
  const names = async (selector: string) =>
    (await call('GET', `${pods}?labelSelector=${encodeURIComponent(selector)}`)).body.items.map((p: any) => p.metadata.name);
  assert.deepEqual(await names('sel=a'), ['sel-a']);
  assert.deepEqual(await names('sel,sel!=a'), ['sel-b', 'sel-c']);
  assert.deepEqual(await names('sel in (a,c)'), ['sel-a', 'sel-c']);
  assert.deepEqual(await names('sel,sel notin (a,c)'), ['sel-b']);
  assert.deepEqual(await names('sel,tier'), ['sel-a', 'sel-c']);
  assert.deepEqual(await names('sel,!tier'), ['sel-b']);
  assert.deepEqual((await call('GET', `${pods}?fieldSelector=metadata.name%3Dsel-b`)).body.items.map((p: any) => p.metadata.name), ['sel-b']);
  assert.equal((await call('GET', `${pods}?labelSelector=${encodeURIComponent('a in (')}`)).status, 400);
});

test('a watch resumes from a resourceVersion with ordered events', async () => {
  const list = await call('GET', `${pods}?labelSelector=w%3D1`);
  const rv = list.body.metadata.resourceVersion;
  await call('POST', pods, podBody('w-1', { w: '1' }));
  await call('PATCH', `${pods}/w-1/status`, { status: { phase: 'Running' } }, { 'Content-Type': 'application/merge-patch+json' });
  await call('DELETE', `${pods}/w-1`);
  const events = await watchEvents(`${pods}?watch=true&labelSelector=w%3D1&resourceVersion=${rv}`, 3);
  assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
  assert.equal(events[1].object.status.phase, 'Running');
});

test('a watch from a resourceVersion older than the history gets 410 Expired', async () => {
  for (let i = 0; i < 6; i++) await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `fill-${i}` } });
  const [event] = await watchEvents(`${pods}?watch=1&resourceVersion=1`, 1);
  assert.equal(event.type, 'ERROR');
  assert.equal(event.object.code, 410);
  assert.equal(event.object.reason, 'Expired');
  assert.match(event.object.message, /^too old resource version: 1 \(\d+\)$/);
});

test('watches get BOOKMARKs when allowed and end at timeoutSeconds', async () => {
  const fast = await startKubeApiServer({ bookmarkIntervalMs: 50 });
  try {
    const res = await fetch(`${fast.url}/api/v1/namespaces/${NS}/pods?watch=true&allowWatchBookmarks=true&timeoutSeconds=1`, { headers: { Authorization: `Bearer ${fast.token}` } });
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(lines.length > 0 && lines.every((e) => e.type === 'BOOKMARK' && e.object.metadata.resourceVersion));
  } finally {
    await fast.close();
  }
});

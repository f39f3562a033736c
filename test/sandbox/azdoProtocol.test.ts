// Contract: discovery, auth, error bodies, wire format — what the published client relies on.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startAzdoEmulator } from '../../sandbox/azdo/index.ts';
import type { AzdoEmulator } from '../../sandbox/azdo/index.ts';
import { admin, basicAuth, queueJob, taskAgentApi } from '../helpers/azdoClient.ts';

const API = 'application/json;api-version=7.2-preview.1';

describe('azdo emulator: discovery, auth and wire format', () => {
  let emu: AzdoEmulator;
  before(async () => { emu = await startAzdoEmulator({ org: 'contoso' }); });
  after(() => emu.close());

  interface RawInit { method?: string; body?: string; headers?: Record<string, string> }
  // Raw fetch for what the client cannot express; json() typed loosely for assertions.
  const raw = async (path: string, init: RawInit = {}, token = emu.token): Promise<{ status: number; json(): Promise<any> }> =>
    fetch(`${emu.orgUrl}${path}`, {
      ...init,
      headers: { Accept: API, Authorization: basicAuth(token, 'anyone'), 'X-TFS-FedAuthRedirect': 'Suppress', ...(init.headers ?? {}) },
    });

  it('serves the client its route discovery so getTaskAgentApi() and getAgentPools() work unmodified', async () => {
    const api = await taskAgentApi(emu);
    const pools = await api.getAgentPools();
    assert.deepEqual(pools.map((p) => p.name), ['k8s-agents']);
    assert.equal(emu.orgUrl, `${emu.url}/contoso`);
  });

  it('lists distributedtask locations with numeric resourceVersion and Location/ResourceAreas entries', async () => {
    const dt = await (await raw('/_apis/distributedtask', { method: 'OPTIONS' })).json();
    const ids = dt.value.map((l: { id: string }) => l.id);
    for (const id of ['a8c47e17-4d56-4a56-92bb-de7ea7dc65be', 'e298ef32-5878-4cab-993c-043836571f42',
      'fc825784-c92a-4299-9221-998a02d1b54f', '134e239e-2df3-4794-a6f6-24f1f19ec8dc', 'c3a054f6-7a8a-49c0-944e-3a8e5d7adfd7']) {
      assert.ok(ids.includes(id), id);
    }
    assert.ok(dt.value.every((l: { resourceVersion: unknown }) => typeof l.resourceVersion === 'number'));
    const loc = await (await raw('/_apis/Location', { method: 'OPTIONS' })).json();
    assert.equal(loc.value[0].id, 'e81700f7-3be2-46de-8624-2eb35882fcaa');
    assert.deepEqual(await (await raw('/_apis/ResourceAreas')).json(), { count: 0, value: [] });
  });

  it('rejects a missing or wrong PAT with 401 and the service error body; the client sees statusCode 401', async () => {
    const missing = await fetch(`${emu.orgUrl}/_apis/distributedtask/pools`);
    assert.equal(missing.status, 401);
    const bad = await raw('/_apis/distributedtask/pools', {}, 'not-the-token');
    assert.equal(bad.status, 401);
    const body = await bad.json();
    assert.equal(body.typeKey, 'UnauthorizedRequestException');
    assert.match(body.message, /^TF400813/);
    assert.ok(!JSON.stringify(body).includes(emu.token), 'no token in error bodies');
    await assert.rejects(async () => (await taskAgentApi(emu, 'wrong')).getAgentPools(), (err: any) => err.statusCode === 401);
  });

  it('accepts the PAT whatever the basic-auth user name is', async () => {
    for (const user of ['', 'PAT', 'someone@example.com']) {
      const res = await fetch(`${emu.orgUrl}/_apis/distributedtask/pools`, { headers: { Authorization: basicAuth(emu.token, user) } });
      assert.equal(res.status, 200, user);
    }
  });

  it('answers unknown routes and unknown orgs with 404 and a service-shaped body', async () => {
    for (const path of ['/_apis/nothing/here', '/_apis/distributedtask/pools/1/unknown']) {
      const res = await raw(path);
      assert.equal(res.status, 404);
      const body = await res.json();
      assert.deepEqual(Object.keys(body).sort(), ['$id', 'errorCode', 'eventId', 'innerException', 'message', 'typeKey', 'typeName']);
      assert.equal(body.innerException, null);
      assert.equal(body.eventId, 3000);
    }
    const otherOrg = await fetch(`${emu.url}/other-org/_apis/distributedtask/pools`, { headers: { Authorization: basicAuth(emu.token) } });
    assert.equal(otherOrg.status, 404);
  });

  it('answers malformed JSON and bad arguments with 400, and keeps serving', async () => {
    const res = await raw('/_apis/distributedtask/pools/1/agents', { method: 'POST', body: '{"name": ', headers: { 'Content-Type': 'application/json' } });
    assert.equal(res.status, 400);
    assert.ok((await res.json()).typeKey);
    for (const body of ['[1,2]', '"x"', '{"name": 42}', '{"name":"a","systemCapabilities":[1]}', '{}']) {
      const r = await raw('/_apis/distributedtask/pools/1/agents', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
      assert.equal(r.status, 400, body);
    }
    const badCount = await raw('/_apis/distributedtask/pools/1/jobrequests?completedRequestCount=abc');
    assert.equal(badCount.status, 400);
    const adminBad = await fetch(`${emu.adminUrl}/jobs`, { method: 'POST', body: 'not json' });
    assert.equal(adminBad.status, 400);
    assert.equal((await raw('/_apis/distributedtask/pools')).status, 200);
  });

  it('never crashes on hostile input: every odd request gets a 4xx and the server keeps serving', async () => {
    const cases: Array<[string, string, string?]> = [
      ['PATCH', '/_apis/distributedtask/pools/1/jobrequests/1?lockToken=x', '{"result":{}}'],
      ['PATCH', '/_apis/distributedtask/pools/1/jobrequests/abc?lockToken=x', '{}'],
      ['POST', '/_apis/distributedtask/pools/1/sessions', '{"agent":{"id":"1"}}'],
      ['POST', '/_apis/distributedtask/pools/1/sessions', 'null'],
      ['GET', '/_apis/distributedtask/pools/1/messages'],
      ['GET', '/_apis/distributedtask/pools/1/messages?sessionId=nope'],
      ['GET', '/_apis/distributedtask/pools/%E0%A4%A/agents'],
      ['GET', '/_apis/distributedtask/pools/1/jobrequests?agentIds=1,x'],
      ['GET', '/_apis/distributedtask/pools/1/jobrequests?$top=0'],
      ['PUT', '/_apis/distributedtask/pools/1/agents/1', '{"name":"x","enabled":"yes"}'],
      ['DELETE', '/_apis/distributedtask/pools/-1/agents/1'],
    ];
    for (const [method, path, body] of cases) {
      const res = await raw(path, { method, ...(body !== undefined ? { body, headers: { 'Content-Type': 'application/json' } } : {}) });
      assert.ok(res.status >= 400 && res.status < 500, `${method} ${path} → ${res.status}`);
      assert.ok((await res.json()).typeKey, `${method} ${path} has a service body`);
    }
    assert.equal((await admin(emu, 'POST', '/jobs/1/cancel')).status, 404);
    assert.equal((await admin(emu, 'GET', '/nope')).status, 404);
    assert.equal((await raw('/_apis/distributedtask/pools')).status, 200);
  });

  it('writes camelCase JSON with enums as strings, 7-digit UTC dates and unset fields omitted', async () => {
    const api = await taskAgentApi(emu);
    await api.addAgent({ name: 'wire-agent', version: '4.250.0', systemCapabilities: {} }, 1);
    const requestId = await queueJob(emu, { pool: 'k8s-agents', durationMs: 50 });
    const list = await (await raw('/_apis/distributedtask/pools/1/jobrequests?completedRequestCount=0')).json();
    const job = list.value.find((j: { requestId: number }) => j.requestId === requestId);
    assert.equal(list.count, list.value.length);
    assert.match(job.queueTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    for (const absent of ['assignTime', 'receiveTime', 'finishTime', 'result', 'reservedAgent', 'lockedUntil']) {
      assert.ok(!(absent in job), `queued request has no ${absent}`);
    }
    assert.ok(job.demands.every((d: unknown) => typeof d === 'string'));
    const agents = await (await raw('/_apis/distributedtask/pools/1/agents')).json();
    assert.equal(agents.value[0].status, 'offline');
    assert.ok(!('systemCapabilities' in agents.value[0]), 'capabilities only when asked');
    const pool = await (await raw('/_apis/distributedtask/pools/1')).json();
    assert.equal(pool.poolType, 'automation');
    assert.equal((await admin(emu, 'POST', `/jobs/${requestId}/cancel`)).status, 200);
  });
});

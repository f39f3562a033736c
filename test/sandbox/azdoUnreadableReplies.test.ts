// Contract: faults that answer 200 with a body that is not the service's JSON (a page in front of
// the organization, a reply cut short, `{}`), seen through the published client as a real proxy
// or gateway would make it: null for what it cannot parse, `{}` passed through as it is.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ITaskAgentApi } from 'azure-devops-node-api/TaskAgentApi.js';
import { startAzdoEmulator } from '../../sandbox/azdo/index.ts';
import type { AzdoEmulator } from '../../sandbox/azdo/index.ts';
import { LIST_AGENTS_ROUTE, LIST_JOBS_ROUTE } from '../../sandbox/azdo/adminClient.ts';
import { MAINTENANCE_PAGE } from '../../sandbox/azdo/faults.ts';
import { admin, basicAuth, queueJob, taskAgentApi } from '../helpers/azdoClient.ts';

const POOLS = 'GET distributedtask/pools';
const READ_AGENT = 'GET distributedtask/pools/{poolId}/agents/{agentId}';
const UPDATE_AGENT = 'PATCH distributedtask/pools/{poolId}/agents/{agentId}';

describe('azdo emulator: 200 with an unreadable body', () => {
  let emu: AzdoEmulator;
  let api: ITaskAgentApi;
  let agentId: number;
  before(async () => {
    emu = await startAzdoEmulator();
    api = await taskAgentApi(emu);
    agentId = (await api.addAgent({ name: 'linux-abc12', version: '4.260.0', enabled: true, maxParallelism: 1 }, 1)).id!;
    await queueJob(emu, { pool: 'k8s-agents', demands: [] });
  });
  after(() => emu.close());
  const fault = async (body: Record<string, unknown>) => assert.equal((await admin(emu, 'POST', '/faults', body)).status, 200);
  const clear = async () => assert.equal((await admin(emu, 'DELETE', '/faults')).status, 204);
  const raw = (path: string) => fetch(`${emu.orgUrl}/_apis/distributedtask/pools/${path}`, { headers: { Authorization: basicAuth(emu.token) } });

  it('html: a text/html page with 200, which the client resolves as null for lists and single reads', async () => {
    await fault({ reply: 'html', route: LIST_JOBS_ROUTE });
    const res = await raw('1/jobrequests?completedRequestCount=0');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(await res.text(), MAINTENANCE_PAGE);
    assert.equal(await api.getAgentRequestsForAgents(1, undefined, 0), null);
    await fault({ reply: 'html', route: LIST_AGENTS_ROUTE });
    assert.equal(await api.getAgents(1, undefined, true, true), null);
    await fault({ reply: 'html', route: POOLS });
    assert.equal(await api.getAgentPools('k8s-agents'), null);
    await fault({ reply: 'html', route: READ_AGENT });
    assert.equal(await api.getAgent(1, agentId, true, true), null, 'the same null a 404 gives');
    await clear();
    assert.equal((await api.getAgentRequestsForAgents(1, undefined, 0)).length, 1, 'readable again');
  });

  it('html stands in front of the service: a write it answers never happens', async () => {
    await fault({ reply: 'html', route: UPDATE_AGENT });
    assert.equal(await api.updateAgent({ id: agentId, enabled: false }, 1, agentId), null, 'the client resolves the 200 page as null');
    await clear();
    assert.equal((await api.getAgent(1, agentId)).enabled, true, 'still enabled');
  });

  it('truncated-json: the service\'s own reply cut short (valid Content-Length), resolved as null', async () => {
    const full = await (await raw('1/agents?includeCapabilities=true')).text();
    await fault({ reply: 'truncated-json', route: LIST_AGENTS_ROUTE });
    const res = await raw('1/agents?includeCapabilities=true');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const cut = await res.text();
    assert.ok(cut.length > 0 && cut.length < full.length && full.startsWith(cut), 'a prefix of the real reply');
    assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(cut)));
    assert.throws(() => JSON.parse(cut));
    assert.equal(await api.getAgents(1, undefined, true, true), null);
    await fault({ reply: 'truncated-json', route: LIST_JOBS_ROUTE });
    assert.equal(await api.getAgentRequestsForAgents(1, undefined, 0), null);
    await clear();
  });

  it('truncated-json on a write: the service did the work, the client cannot read that it did', async () => {
    await fault({ reply: 'truncated-json', route: UPDATE_AGENT });
    assert.equal(await api.updateAgent({ id: agentId, enabled: false }, 1, agentId), null);
    await clear();
    assert.equal((await api.getAgent(1, agentId)).enabled, false, 'disabled');
    await api.updateAgent({ id: agentId, enabled: true }, 1, agentId);
  });

  it('empty-object: {} with 200, which the client passes through as it is (no value list to unwrap)', async () => {
    await fault({ reply: 'empty-object', route: LIST_JOBS_ROUTE });
    assert.deepEqual(await api.getAgentRequestsForAgents(1, undefined, 0), {});
    await fault({ reply: 'empty-object', route: LIST_AGENTS_ROUTE });
    assert.deepEqual(await api.getAgents(1, undefined, true, true), {});
    await fault({ reply: 'empty-object', route: READ_AGENT });
    assert.deepEqual(await api.getAgent(1, agentId, true, true), {});
    await clear();
  });

  it('counts, honours `count` and `route`, and rejects an unknown reply', async () => {
    assert.equal((await admin(emu, 'DELETE', '/stats')).status, 204);
    await fault({ reply: 'html', route: LIST_JOBS_ROUTE, count: 1 });
    assert.equal((await api.getAgents(1)).length, 1, 'another route is not affected');
    assert.equal(await api.getAgentRequestsForAgents(1, undefined, 0), null);
    assert.equal((await api.getAgentRequestsForAgents(1, undefined, 0)).length, 1, 'cleared after count requests');
    assert.equal((await admin(emu, 'GET', '/state')).body.stats.faulted, 1);
    const bad = await admin(emu, 'POST', '/faults', { reply: 'xml' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /reply must be one of "html", "truncated-json", "empty-object"/);
  });
});

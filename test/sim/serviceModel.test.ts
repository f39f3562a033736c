// The simulated service answers the product's Azure DevOps adapter as the REST routes do: the
// adapter's own readers (reconciler/azdo/) read it, a duplicate name is a 409, a missing agent null,
// the paged listing's pages are the emulator route's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TypeInfo } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import { ContractSerializer } from 'azure-devops-node-api/Serialization.js';
import { deleteAgent, disableAgent, listAgents, readAgent, registerPlaceholder } from '../../reconciler/azdo/agents.ts';
import { readRequestsDownTo } from '../../reconciler/azdo/jobRequestPages.ts';
import { streamJobRequests } from '../../reconciler/azdo/jobRequests.ts';
import { complete } from '../helpers/completeListing.ts';
import { AzdoRequestError, AzdoThrottledError, AzdoUnreadableResponseError } from '../../reconciler/errors/azdoErrors.ts';
import type { Emulator, RequestContext } from '../../sandbox/azdo/context.ts';
import { jobRequestRoutes } from '../../sandbox/azdo/routes/jobRequests.ts';
import { Rng } from '../../sim/random.ts';
import { registerAgent, ServiceApi, ServiceModel } from '../../sim/serviceModel.ts';
import { VirtualTime } from '../../sim/virtualTime.ts';
import { virtualRun } from '../helpers/virtualRun.ts';

function service() {
  const vt = new VirtualTime(Date.parse('2026-03-02T08:00:00Z'));
  const svc = new ServiceModel(vt);
  const pool = svc.state.addPool('k8s-agents');
  const api = new ServiceApi(svc, new Rng(1), { dead: false }, () => {});
  const run = virtualRun(vt);
  return { vt, svc, pool, api, run };
}

test("the adapter's readers read the simulated service: agents with status and job, pending jobs", async () => {
  const s = service();
  await s.run(registerPlaceholder(s.api, s.pool.id, 'linux-placeholder', { node: '24' }));
  const job = s.svc.scheduler.queueJob({ poolId: s.pool.id, demands: ['node -equals 24'] });
  const agents = await s.run(listAgents(s.api, s.pool.id, 'k8s-agents'));
  assert.deepEqual(agents.map((a) => [a.name, a.status, a.enabled]), [['linux-placeholder', 'offline', true]]);
  const { jobs: pending } = await complete(s.run(streamJobRequests(s.api, s.pool.id, 'k8s-agents', (_api, poolId) => s.api.jobRequestListing(poolId))));
  assert.deepEqual(pending.map((p) => p.requestId), [job.requestId]);
});

test('a second agent of the same name is a 409 the adapter reports; a deleted one reads as gone', async () => {
  const s = service();
  const a = registerAgent(s.svc, s.pool.id, 'linux-1', {}, {}, '4.260.0');
  await assert.rejects(s.run(registerPlaceholder(s.api, s.pool.id, 'linux-1', {})), (e) => e instanceof AzdoRequestError && e.message.includes('409'));
  await s.run(disableAgent(s.api, s.pool.id, a.id));
  assert.equal(s.svc.state.agents.get(a.id)?.enabled, false);
  await s.run(deleteAgent(s.api, s.pool.id, a.id));
  await s.run(deleteAgent(s.api, s.pool.id, a.id)); // 404 resolves: already gone
  assert.equal(await s.run(readAgent(s.api, s.pool.id, 'k8s-agents', a.id)), undefined);
});

test('faults reach the adapter as its typed errors: 429 with Retry-After, an unreadable 2xx', async () => {
  const s = service();
  s.svc.faults = { throttle: 1, serverError: 0, unreadable: 0 };
  await assert.rejects(s.run(listAgents(s.api, s.pool.id, 'k8s-agents')), (e) => e instanceof AzdoThrottledError && e.retryAfterSeconds > 0);
  s.svc.faults = { throttle: 0, serverError: 0, unreadable: 1 };
  await assert.rejects(s.run(listAgents(s.api, s.pool.id, 'k8s-agents')), AzdoUnreadableResponseError);
});

test('the listing serializes a job again exactly when something it shows changed', () => {
  const s = service();
  const fresh = (j: ReturnType<typeof s.svc.scheduler.queueJob>) => JSON.stringify(s.svc.wire.job(j, { matchedAgents: true, liveMatched: () => s.svc.scheduler.liveMatchedIds(j) }));
  const a = registerAgent(s.svc, s.pool.id, 'linux-1', { node: '24' }, {}, '4.260.0');
  const job = s.svc.scheduler.queueJob({ poolId: s.pool.id, demands: ['node -equals 24'] });
  const steps: Array<[string, () => void]> = [
    ['as queued', () => {}],
    ['a second matching agent', () => registerAgent(s.svc, s.pool.id, 'linux-2', { node: '24' }, {}, '4.260.0')],
    ['an agent disabled', () => (a.enabled = false)],
    ['an agent enabled again', () => (a.enabled = true)],
    ['an agent deleted', () => s.svc.scheduler.removeAgent(a)],
  ];
  for (const [what, change] of steps) {
    change();
    assert.equal(s.svc.listingJobText(job), fresh(job), what);
    assert.equal(s.svc.listingJobText(job), fresh(job), `${what}, read again`);
  }
});

test('the paged listing: newest first, finished included, no matchedAgents, the last id as the token while more remain', async () => {
  const s = service();
  await s.run(registerPlaceholder(s.api, s.pool.id, 'linux-placeholder', { node: '24' }));
  const jobs = Array.from({ length: 5 }, () => s.svc.scheduler.queueJob({ poolId: s.pool.id, demands: ['node -equals 24'] }));
  s.svc.scheduler.finish(jobs[3]!, 'succeeded');
  const ids = jobs.map((j) => j.requestId).reverse();
  const first = await s.run(s.api.jobRequestPage(s.pool.id, undefined, 2));
  const firstPage = first.requests as { requestId: number; queueTime: unknown; matchedAgents?: unknown; result?: unknown }[];
  assert.deepEqual(firstPage.map((r) => r.requestId), ids.slice(0, 2));
  assert.equal(first.continuationToken, String(ids[1]));
  assert.ok(firstPage.every((r) => r.queueTime instanceof Date && r.matchedAgents === undefined), 'revived as the client revives them, without matchedAgents');
  assert.notEqual(firstPage[1]!.result, undefined, 'the finished request is listed');
  const rest = await s.run(s.api.jobRequestPage(s.pool.id, first.continuationToken));
  assert.deepEqual((rest.requests as { requestId: number }[]).map((r) => r.requestId), ids.slice(2));
  assert.equal(rest.continuationToken, undefined, 'the last page has no token');
  s.svc.maxPageSize = 1;
  assert.equal(((await s.run(s.api.jobRequestPage(s.pool.id, undefined))).requests as unknown[]).length, 1, 'the service may serve fewer than $top asks');
});

test("the production paged reader reads the simulated service's pages down to the floor", async () => {
  const s = service();
  await s.run(registerPlaceholder(s.api, s.pool.id, 'linux-placeholder', { node: '24' }));
  const jobs = Array.from({ length: 7 }, () => s.svc.scheduler.queueJob({ poolId: s.pool.id, demands: ['node -equals 24'] }));
  for (const j of [jobs[0]!, jobs[1]!, jobs[3]!]) s.svc.scheduler.finish(j, 'succeeded');
  s.svc.maxPageSize = 2;
  const readPage = (_api: unknown, poolId: number, token: string | undefined) => s.api.jobRequestPage(poolId, token);
  const read = await s.run(readRequestsDownTo(s.api, s.pool.id, 'k8s-agents', jobs[1]!.requestId, 10, readPage));
  assert.equal(read.kind, 'complete');
  if (read.kind !== 'complete') return;
  assert.deepEqual(read.jobs.map((j) => j.requestId), [jobs[6]!, jobs[5]!, jobs[4]!, jobs[2]!].map((j) => j.requestId), 'the unfinished ones read, newest first');
  assert.equal(read.pages, 4, 'the fourth page holds the first request below the floor');
  assert.equal(read.floor, jobs[2]!.requestId, 'the oldest unfinished request read');
  assert.equal((await s.run(readRequestsDownTo(s.api, s.pool.id, 'k8s-agents', jobs[1]!.requestId, 2, readPage))).kind, 'gave-up', 'not within 2 pages');
  s.svc.faults = { throttle: 0, serverError: 0, unreadable: 1 };
  await assert.rejects(s.run(readRequestsDownTo(s.api, s.pool.id, 'k8s-agents', jobs[1]!.requestId, 10, readPage)), AzdoUnreadableResponseError);
});

test("the simulated service's pages are the emulator route's, page after page, at every page size", async () => {
  const s = service();
  await s.run(registerPlaceholder(s.api, s.pool.id, 'linux-placeholder', { node: '24' }));
  const jobs = Array.from({ length: 6 }, () => s.svc.scheduler.queueJob({ poolId: s.pool.id, demands: ['node -equals 24'] }));
  s.svc.scheduler.finish(jobs[2]!, 'failed');
  const route = jobRequestRoutes.find((r) => r.method === 'GET' && r.pattern === 'distributedtask/pools/{poolId}/jobrequests')!;
  const emu = { state: s.svc.state, scheduler: s.svc.scheduler, wire: s.svc.wire } as unknown as Emulator;
  for (const size of [1, 2, 4, 200]) {
    s.svc.maxPageSize = size;
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ $top: String(size), ...(token === undefined ? {} : { continuationToken: token }) });
      const served = await route.handler({ emu, params: { poolId: String(s.pool.id) }, query } as unknown as RequestContext);
      const model = await s.run(s.api.jobRequestPage(s.pool.id, token));
      assert.deepEqual(model.requests, ContractSerializer.deserialize(JSON.parse(JSON.stringify(served.body)), TypeInfo.TaskAgentJobRequest, false, true), `page size ${size}, after ${token}`);
      assert.equal(model.continuationToken, served.headers?.['X-MS-ContinuationToken'], `page size ${size}, after ${token}`);
      token = model.continuationToken;
    } while (token !== undefined);
  }
});

test("an agent lost mid-job reads offline and still on its job until the job's lock lapses; then the job is abandoned", async () => {
  const s = service();
  const t0 = s.vt.now();
  const a = registerAgent(s.svc, s.pool.id, 'linux-1', {}, {}, '4.260.0');
  const session = { sessionId: 's-1', poolId: s.pool.id, agentId: a.id, ownerName: 'linux-1', createdAt: t0, lastPollAt: t0, waiters: new Set<() => void>() };
  s.svc.state.sessions.set(session.sessionId, session);
  const job = s.svc.scheduler.queueJob({ poolId: s.pool.id, demands: [], durationMs: 60_000 });
  assert.ok(s.svc.scheduler.takeMessage(session, t0), 'the agent received the job');
  s.svc.scheduler.loseAgent(a, t0 + 10_000);
  const read = () => s.run(readAgent(s.api, s.pool.id, 'k8s-agents', a.id));
  assert.deepEqual([(await read())?.status, (await read())?.assignedRequestId], ['offline', job.requestId]);
  s.svc.scheduler.tick(t0 + 4 * 60_000);
  assert.equal(job.finishTime, undefined, 'past its planned duration, the job of a lost agent does not finish: nothing runs it');
  assert.equal((await read())?.assignedRequestId, job.requestId);
  s.svc.scheduler.tick(t0 + 10_000 + 5 * 60_000);
  assert.equal(job.result, 'abandoned');
  assert.deepEqual([(await read())?.status, (await read())?.assignedRequestId], ['offline', undefined]);
});

test('an agent lost between jobs simply goes offline', async () => {
  const s = service();
  const a = registerAgent(s.svc, s.pool.id, 'linux-1', {}, {}, '4.260.0');
  const t0 = s.vt.now();
  s.svc.state.sessions.set('s-1', { sessionId: 's-1', poolId: s.pool.id, agentId: a.id, ownerName: 'linux-1', createdAt: t0, lastPollAt: t0, waiters: new Set() });
  s.svc.scheduler.loseAgent(a, t0);
  assert.equal(s.svc.state.sessionOfAgent(a.id), undefined);
  assert.equal((await s.run(readAgent(s.api, s.pool.id, 'k8s-agents', a.id)))?.status, 'offline');
});

// The simulated service answers the product's Azure DevOps adapter as the REST routes do: the
// adapter's own readers (reconciler/azdo/) read it, a duplicate name is a 409, a missing agent null.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deleteAgent, disableAgent, listAgents, readAgent, registerPlaceholder } from '../../reconciler/azdo/agents.ts';
import { streamJobRequests } from '../../reconciler/azdo/jobRequests.ts';
import { complete } from '../helpers/completeListing.ts';
import { AzdoRequestError, AzdoThrottledError, AzdoUnreadableResponseError } from '../../reconciler/errors/azdoErrors.ts';
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

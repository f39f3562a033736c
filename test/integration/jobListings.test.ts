// The two listings of a pool's job requests against the emulator through the published client:
// the paged `$top` read down to the floor sees exactly what the unfinished-only listing sees.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ITaskAgentApi } from 'azure-devops-node-api/TaskAgentApi.js';
import { JobListingMemory } from '../../reconciler/azdo/jobListingFloor.ts';
import { readJobRequestPage, readRequestsDownTo, type ReadJobRequestPage } from '../../reconciler/azdo/jobRequestPages.ts';
import { streamJobRequests } from '../../reconciler/azdo/jobRequests.ts';
import { PoolDirectory } from '../../reconciler/azdo/pools.ts';
import { readPendingJobs } from '../../reconciler/azdo/readPendingJobs.ts';
import { startAzdoEmulator, type AzdoEmulator } from '../../sandbox/azdo/index.ts';
import { admin, queueJob, taskAgentApi } from '../helpers/azdoClient.ts';
import { complete } from '../helpers/completeListing.ts';

const POOL = 1;
const ids = (jobs: readonly { requestId: number }[]) => jobs.map((j) => j.requestId).sort((a, b) => a - b);

describe('job listings against the emulator', () => {
  let emu: AzdoEmulator;
  let api: ITaskAgentApi;
  before(async () => {
    emu = await startAzdoEmulator();
    api = await taskAgentApi(emu);
    // An offline agent offering docker: the service accepts the jobs, nobody runs them.
    await api.addAgent({ name: 'placeholder', version: '4.250.0', enabled: true, userCapabilities: { docker: '' } } as never, POOL);
  });
  after(() => emu.close());

  it('a paged read down to the floor sees the same requests as the unfinished-only listing, across pages and finished requests', async () => {
    const first: number[] = [];
    for (let i = 0; i < 450; i++) first.push(await queueJob(emu, { pool: 'k8s-agents', demands: ['docker'] }));
    // The oldest one finishes: the floor is the next.
    await admin(emu, 'POST', `/jobs/${first[0]}/cancel`);
    const streamed = await complete(streamJobRequests(api, POOL, 'k8s-agents'));
    assert.equal(streamed.oldestUnfinished, first[1]);
    assert.equal(streamed.jobs.length, 449);

    // Later: 300 more queued, every third of all finished: a long history above the floor.
    for (let i = 0; i < 300; i++) first.push(await queueJob(emu, { pool: 'k8s-agents', demands: ['docker'] }));
    for (const [i, id] of first.entries()) if (i % 3 === 2) await admin(emu, 'POST', `/jobs/${id}/cancel`);
    let pages = 0;
    const counting: ReadJobRequestPage = (a, p, t) => {
      pages++;
      return readJobRequestPage(a, p, t);
    };
    const paged = await readRequestsDownTo(api, POOL, 'k8s-agents', streamed.oldestUnfinished!, 10, counting);
    assert.equal(paged.kind, 'complete');
    assert.equal(pages, 4, '749 requests at or above the floor, 200 a page');
    const now = await complete(streamJobRequests(api, POOL, 'k8s-agents'));
    assert.deepEqual(ids(paged.kind === 'complete' ? paged.jobs : []), ids(now.jobs));
    assert.equal(now.jobs.length, 750 - 1 - 250);
    assert.equal(paged.kind === 'complete' && paged.floor, now.oldestUnfinished);
    for (const id of ids(now.jobs)) await admin(emu, 'POST', `/jobs/${id}/cancel`);
  });

  it('a session reads a large pool paged from its second pass on, and sees every new request', async () => {
    const session = { api, pools: new PoolDirectory(api), jobListings: new JobListingMemory({ pagedFromBytes: 1, pagedFromRequestBytes: 1, pageBytes: 1 }) };
    const queued = [await queueJob(emu, { pool: 'k8s-agents', demands: ['docker'] })];
    assert.deepEqual(ids(await readPendingJobs(session, POOL, 'k8s-agents')), queued);
    assert.equal(session.jobListings.reads(POOL)[0]?.kind, 'paged');
    for (let i = 0; i < 250; i++) queued.push(await queueJob(emu, { pool: 'k8s-agents', demands: ['docker'] }));
    assert.deepEqual(ids(await readPendingJobs(session, POOL, 'k8s-agents')), queued);
    assert.equal(session.jobListings.get(POOL)?.floor, queued[0]);
  });
});

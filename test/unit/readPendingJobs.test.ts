import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskAgentJobRequest } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import type { TaskAgentApi } from '../../reconciler/azdo/connection.ts';
import { JobListingMemory } from '../../reconciler/azdo/jobListingFloor.ts';
import type { JobRequestPage } from '../../reconciler/azdo/jobRequestPages.ts';
import type { JobRequestListing } from '../../reconciler/azdo/jobRequests.ts';
import type { PoolDirectory } from '../../reconciler/azdo/pools.ts';
import { readPendingJobs } from '../../reconciler/azdo/readPendingJobs.ts';
import type { AzdoSession } from '../../reconciler/azdo/session.ts';

const QUEUED = '2026-01-01T00:00:00Z';
type State = 'queued' | 'running' | 'finished';

/** One pool's requests as both listings show them: the unfinished-only body (with matchedAgents) and `$top` pages of `pageSize`. */
class Pool {
  readonly requests = new Map<number, State>();
  readonly reads = { streamed: 0, pages: 0 };
  pageSize = 2;
  #next = 1;

  queue(n: number): number[] {
    return Array.from({ length: n }, () => {
      const id = this.#next++;
      this.requests.set(id, 'queued');
      return id;
    });
  }

  #wire(id: number, state: State): Record<string, unknown> {
    return { requestId: id, queueTime: QUEUED, ...(state !== 'queued' ? { assignTime: QUEUED, reservedAgent: { id: 1 } } : {}), ...(state === 'finished' ? { result: 'succeeded', finishTime: QUEUED } : {}) };
  }

  session(memory?: JobListingMemory): AzdoSession {
    const unfinishedBody = () => {
      const value = [...this.requests].filter(([, s]) => s !== 'finished').map(([id, s]) => ({ ...this.#wire(id, s), matchedAgents: [{ id: 1, name: 'a' }] }));
      return JSON.stringify({ count: value.length, value });
    };
    return {
      api: {} as TaskAgentApi,
      pools: {} as PoolDirectory,
      ...(memory ? { jobListings: memory } : {}),
      openJobRequestListing: async (): Promise<JobRequestListing> => {
        this.reads.streamed++;
        const body = unfinishedBody();
        return { statusCode: 200, headers: {}, destroy: () => {}, async *[Symbol.asyncIterator]() { yield body; } };
      },
      readJobRequestPage: async (_api, _pool, token): Promise<JobRequestPage> => {
        this.reads.pages++;
        const newestFirst = [...this.requests.keys()].sort((a, b) => b - a).filter((id) => token === undefined || id < Number(token));
        const page = newestFirst.slice(0, this.pageSize);
        // Dates as the client's deserializer gives them.
        const requests = page.map((id) => ({ ...this.#wire(id, this.requests.get(id)!), queueTime: new Date(QUEUED) }) as unknown as TaskAgentJobRequest);
        return { requests, continuationToken: newestFirst.length > page.length ? String(page[page.length - 1]) : undefined };
      },
    };
  }
}

const ids = (jobs: readonly { requestId: number }[]) => jobs.map((j) => j.requestId).sort((a, b) => a - b);
const paging = () => new JobListingMemory({ pagedFromBytes: 0, pagedFromRequestBytes: 0, pageBytes: 1, maxPages: 10 });

test('the first read of a pool is the unfinished-only listing, later ones page down to its oldest unfinished request', async () => {
  const pool = new Pool();
  const [a, b, c] = pool.queue(3) as [number, number, number];
  const memory = paging();
  const session = pool.session(memory);
  assert.deepEqual(ids(await readPendingJobs(session, 1, 'p')), [a, b, c]);
  assert.deepEqual(pool.reads, { streamed: 1, pages: 0 });
  assert.equal(memory.get(1)?.floor, a);

  pool.requests.set(a, 'finished');
  pool.requests.set(b, 'running');
  const [d] = pool.queue(7);
  assert.deepEqual(ids(await readPendingJobs(session, 1, 'p')), [c, d!, d! + 1, d! + 2, d! + 3, d! + 4, d! + 5, d! + 6]);
  assert.equal(pool.reads.streamed, 1, 'no second unfinished-only listing');
  assert.equal(pool.reads.pages, 5, '10 requests, 2 a page, down to request 1');
  assert.equal(memory.get(1)?.floor, b, 'a running request is unfinished: the floor stops at it');
});

test('a request that needs an agent below the first pages is still seen (a long-queued job among many finished)', async () => {
  const pool = new Pool();
  const [old] = pool.queue(1);
  const memory = paging();
  const session = pool.session(memory);
  await readPendingJobs(session, 1, 'p');
  for (const id of pool.queue(8)) pool.requests.set(id, 'finished');
  assert.deepEqual(ids(await readPendingJobs(session, 1, 'p')), [old!]);
  assert.equal(pool.reads.pages, 5);
});

test('once nothing is unfinished the floor moves past the newest request: the next read is one page', async () => {
  const pool = new Pool();
  const [a, b] = pool.queue(2) as [number, number];
  const memory = paging();
  const session = pool.session(memory);
  await readPendingJobs(session, 1, 'p');
  pool.requests.set(a, 'finished');
  pool.requests.set(b, 'finished');
  assert.deepEqual(await readPendingJobs(session, 1, 'p'), []);
  assert.equal(memory.get(1)?.floor, b + 1);
  const [c] = pool.queue(1);
  const before = pool.reads.pages;
  assert.deepEqual(ids(await readPendingJobs(session, 1, 'p')), [c!]);
  assert.equal(pool.reads.pages - before, 1);
});

test('a paged read that cannot reach the floor within its budget reads the unfinished-only listing in the same pass, and keeps to it until the floor moves', async () => {
  const pool = new Pool();
  const [old] = pool.queue(1);
  const memory = new JobListingMemory({ pagedFromBytes: 0, pagedFromRequestBytes: 0, pageBytes: 1, maxPages: 2 });
  const session = pool.session(memory);
  await readPendingJobs(session, 1, 'p');
  for (const id of pool.queue(10)) pool.requests.set(id, 'finished');
  assert.deepEqual(ids(await readPendingJobs(session, 1, 'p')), [old!]);
  assert.deepEqual(pool.reads, { streamed: 2, pages: 2 });
  await readPendingJobs(session, 1, 'p');
  assert.deepEqual(pool.reads, { streamed: 3, pages: 2 }, 'not paged again at the same floor');
  pool.requests.set(old!, 'finished');
  const [next] = pool.queue(1);
  await readPendingJobs(session, 1, 'p');
  assert.equal(memory.get(1)?.floor, next, 'the floor moved with the listing');
  assert.deepEqual(ids(await readPendingJobs(session, 1, 'p')), [next!]);
  assert.deepEqual(pool.reads, { streamed: 4, pages: 3 }, 'paged again once the floor moved');
});

test('a pool whose unfinished-only listing is small stays on it', async () => {
  const pool = new Pool();
  pool.queue(3);
  const session = pool.session(new JobListingMemory());
  for (let i = 0; i < 3; i++) await readPendingJobs(session, 1, 'p');
  assert.deepEqual(pool.reads, { streamed: 3, pages: 0 });
});

test('without a listing memory every read is the unfinished-only listing', async () => {
  const pool = new Pool();
  pool.queue(3);
  const session = pool.session();
  for (let i = 0; i < 2; i++) await readPendingJobs(session, 1, 'p');
  assert.deepEqual(pool.reads, { streamed: 2, pages: 0 });
});

test('a first unfinished-only listing past its size limit is dropped for the whole paged listing, which sets the floor', async () => {
  const pool = new Pool();
  const [a, b] = pool.queue(2) as [number, number];
  pool.requests.set(a, 'finished');
  const memory = new JobListingMemory({ pagedFromBytes: 0, pagedFromRequestBytes: 0, pageBytes: 1, maxPages: 10, firstReadMaxBytes: 10 });
  const session = pool.session(memory);
  assert.deepEqual(ids(await readPendingJobs(session, 1, 'p')), [b]);
  assert.deepEqual(pool.reads, { streamed: 1, pages: 1 });
  assert.equal(memory.get(1)?.floor, b);
  await readPendingJobs(session, 1, 'p');
  assert.deepEqual(pool.reads, { streamed: 1, pages: 2 }, 'paged from then on');
});

test('a first read whose paged listing is too long too ends with the whole unfinished-only listing', async () => {
  const pool = new Pool();
  const [old] = pool.queue(1);
  for (const id of pool.queue(10)) pool.requests.set(id, 'finished');
  const memory = new JobListingMemory({ pagedFromBytes: 0, pagedFromRequestBytes: 0, pageBytes: 1, maxPages: 2, firstReadMaxBytes: 10 });
  const session = pool.session(memory);
  assert.deepEqual(ids(await readPendingJobs(session, 1, 'p')), [old!]);
  assert.deepEqual(pool.reads, { streamed: 2, pages: 2 });
  assert.equal(memory.get(1)?.floor, old);
});

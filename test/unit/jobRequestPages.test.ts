import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskAgentJobRequest } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import type { TaskAgentApi } from '../../reconciler/azdo/connection.ts';
import { readRequestsDownTo, type JobRequestPage, type ReadJobRequestPage } from '../../reconciler/azdo/jobRequestPages.ts';
import { AzdoThrottledError, AzdoUnreadableResponseError } from '../../reconciler/errors/azdoErrors.ts';

const T = new Date('2026-01-01T00:00:00Z');
const api = {} as TaskAgentApi;

/** A listing of requests `ids` (newest first), `size` per page, tokens naming the last id of a page; `finished` ids carry a result. */
function pagesOf(ids: number[], size: number, finished: ReadonlySet<number> = new Set()): ReadJobRequestPage & { asked: (string | undefined)[] } {
  const asked: (string | undefined)[] = [];
  const read = async (_api: TaskAgentApi, _pool: number, token: string | undefined): Promise<JobRequestPage> => {
    asked.push(token);
    const from = token === undefined ? 0 : ids.indexOf(Number(token)) + 1;
    const page = ids.slice(from, from + size);
    const more = from + size < ids.length;
    return {
      requests: page.map((id): TaskAgentJobRequest => ({ requestId: id, queueTime: T, ...(finished.has(id) ? { result: 0, finishTime: T } : {}) }) as TaskAgentJobRequest),
      continuationToken: more ? String(page[page.length - 1]) : undefined,
    };
  };
  return Object.assign(read, { asked });
}

const ids = (jobs: readonly { requestId: number }[]) => jobs.map((j) => j.requestId);

test('reads pages newest first until one reaches below the floor, and no further', async () => {
  const listing = pagesOf([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 3, new Set([9, 6]));
  const read = await readRequestsDownTo(api, 1, 'p', 5, 10, listing);
  assert.equal(read.kind, 'complete');
  assert.deepEqual(ids(read.kind === 'complete' ? read.jobs : []), [10, 8, 7, 5], 'those at or above the floor that need an agent');
  assert.deepEqual(listing.asked, [undefined, '8', '5'], 'the page holding 4 ends the read');
  assert.equal(read.kind === 'complete' && read.floor, 5);
});

test('a floor older than every request is read to the last page', async () => {
  const read = await readRequestsDownTo(api, 1, 'p', 1, 10, pagesOf([30, 20, 10], 2, new Set([30, 10])));
  assert.deepEqual(read.kind === 'complete' && ids(read.jobs), [20]);
  assert.equal(read.kind === 'complete' && read.floor, 20, 'the oldest unfinished request');
});

test('with every request at or above the floor finished, the floor moves past the newest', async () => {
  const read = await readRequestsDownTo(api, 1, 'p', 8, 10, pagesOf([9, 8, 7], 5, new Set([9, 8])));
  assert.equal(read.kind === 'complete' && read.floor, 10);
});

test('a floor not reached within the budget gives up, having read only the budget', async () => {
  const listing = pagesOf(Array.from({ length: 20 }, (_, i) => 20 - i), 2);
  const read = await readRequestsDownTo(api, 1, 'p', 3, 4, listing);
  assert.deepEqual(read, { kind: 'gave-up', reason: 'request 3 not reached within 4 pages', pages: 4 });
  assert.equal(listing.asked.length, 4);
});

test('pages that are not newest first give up: the floor says nothing about them', async () => {
  const read = await readRequestsDownTo(api, 1, 'p', 1, 10, pagesOf([5, 6, 4], 5));
  assert.deepEqual(read, { kind: 'gave-up', reason: 'request 6 listed after 5: not newest first', pages: 1 });
  const acrossPages = await readRequestsDownTo(api, 1, 'p', 1, 10, pagesOf([5, 4, 4, 3], 2));
  assert.equal(acrossPages.kind, 'gave-up');
});

test('a continuation token handed out twice gives up instead of looping', async () => {
  let n = 0;
  const looping: ReadJobRequestPage = async () => ({ requests: [{ requestId: 100 - n++, queueTime: T }], continuationToken: 'same' });
  const read = await readRequestsDownTo(api, 1, 'p', 1, 10, looping);
  assert.deepEqual(read, { kind: 'gave-up', reason: 'continuation token "same" repeated', pages: 2 });
});

test('an unreadable page is unavailable (the pass changes nothing), never the end of the listing', async () => {
  const unreadable: ReadJobRequestPage = async () => ({ requests: null, continuationToken: undefined });
  await assert.rejects(readRequestsDownTo(api, 1, 'p', 1, 10, unreadable), AzdoUnreadableResponseError);
});

test('a throttled page is classified like every other call', async () => {
  const throttled: ReadJobRequestPage = async () => {
    throw Object.assign(new Error('slow down'), { statusCode: 429, responseHeaders: { 'retry-after': '9' } });
  };
  await assert.rejects(readRequestsDownTo(api, 1, 'p', 1, 10, throttled), AzdoThrottledError);
});

test('a page refused as a bad request (a server or proxy without the paged form) gives up: the unfinished-only listing is read instead', async () => {
  const refused: ReadJobRequestPage = async () => {
    throw Object.assign(new Error('The $top parameter is not supported'), { statusCode: 400, result: { typeKey: 'ArgumentException', message: 'The $top parameter is not supported' } });
  };
  const read = await readRequestsDownTo(api, 1, 'p', 1, 10, refused);
  assert.equal(read.kind, 'gave-up');
  assert.match(read.kind === 'gave-up' ? read.reason : '', /not supported/);
});

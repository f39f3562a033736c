import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterPaged, afterPagedGaveUp, afterStreamed, afterStreamedTooLarge, floorAfterRead, listingReads, type PoolListingState } from '../../reconciler/azdo/jobListingFloor.ts';

const MiB = 1024 * 1024;
const t = { pagedFromBytes: 1 * MiB, pagedFromRequestBytes: 4096, pageBytes: 256 * 1024, maxPages: 100, firstReadMaxBytes: 64 * MiB };
const WHOLE = { kind: 'streamed', maxBytes: undefined } as const;
const first = (s: PoolListingState | undefined) => listingReads(s, t)[0];
const state = (init: Partial<PoolListingState>): PoolListingState => ({ floor: undefined, streamedBytes: undefined, streamedRequests: undefined, pagedGaveUpAt: undefined, ...init });

test('a pool read for the first time: the unfinished-only listing up to a size, else the whole paged listing, else the whole unfinished-only listing', () => {
  assert.deepEqual(listingReads(undefined, t), [{ kind: 'streamed', maxBytes: 64 * MiB }, { kind: 'paged', floor: 1, maxPages: 100 }, WHOLE]);
});

test('a first read stopped short whose paged read then failed (a 503 on a page) pages the whole listing again, not the large listing', () => {
  const stopped = afterStreamedTooLarge(undefined, 64 * MiB + 10);
  assert.deepEqual(listingReads(stopped, t), [{ kind: 'paged', floor: 1, maxPages: 100 }, WHOLE]);
  assert.deepEqual(listingReads(afterPagedGaveUp(stopped, 1), t), [WHOLE], 'once that gave up, the large listing');
});

test('every list of reads ends with the whole unfinished-only listing, which always completes', () => {
  const states = [undefined, state({}), afterStreamedTooLarge(undefined, 9 * MiB), state({ floor: 4, streamedBytes: 1 }), state({ floor: 4, streamedBytes: 9 * MiB }), state({ floor: 4, streamedBytes: 9 * MiB, pagedGaveUpAt: 4 })];
  for (const s of states) assert.deepEqual(listingReads(s, t).at(-1), WHOLE, JSON.stringify(s));
});

test('an unfinished-only listing stopped short records its size and no floor: the whole paged listing comes next', () => {
  const stopped = afterStreamedTooLarge(undefined, 64 * MiB + 10);
  assert.deepEqual(stopped, { floor: undefined, streamedBytes: 64 * MiB + 10, streamedRequests: undefined, pagedGaveUpAt: undefined });
  const found = afterPaged(stopped, 900);
  assert.deepEqual(first(found), { kind: 'paged', floor: 900, maxPages: 100 });
});

test('a pool whose unfinished-only listing was small stays on it (one call is cheaper than pages)', () => {
  assert.deepEqual(listingReads(state({ floor: 40, streamedBytes: MiB - 1 }), t), [WHOLE]);
});

test('a pool whose listing was large is paged down to its floor, with a budget of its bytes in pages', () => {
  assert.deepEqual(listingReads(state({ floor: 40, streamedBytes: 3 * MiB }), t), [{ kind: 'paged', floor: 40, maxPages: 12 }, WHOLE]);
  assert.deepEqual(first(state({ floor: 40, streamedBytes: 10_000 * MiB })), { kind: 'paged', floor: 40, maxPages: 100 }, 'the budget is capped');
});

test('a listing whose requests carry few matchedAgents stays unpaged: pages would read as many bytes in more calls', () => {
  assert.deepEqual(listingReads(state({ floor: 40, streamedBytes: 3 * MiB, streamedRequests: 1000 }), t), [WHOLE], '3 KiB a request');
  assert.equal(first(state({ floor: 40, streamedBytes: 3 * MiB, streamedRequests: 500 }))?.kind, 'paged', '6 KiB a request');
});

test('no floor (no unfinished request ever listed) means the unfinished-only listing, whatever its size', () => {
  assert.deepEqual(listingReads(state({ streamedBytes: 50 * MiB, streamedRequests: 0 }), t), [WHOLE]);
});

test('a paged read that gave up at a floor is not tried again until the floor moves', () => {
  const gaveUp = afterPagedGaveUp(state({ floor: 40, streamedBytes: 3 * MiB }), 40);
  assert.deepEqual(listingReads(gaveUp, t), [WHOLE]);
  const moved = afterStreamed(gaveUp, 41, 3 * MiB, 100);
  assert.equal(first(moved)?.kind, 'paged');
  assert.equal(first(afterStreamed(gaveUp, 40, 3 * MiB, 100))?.kind, 'streamed', 'same floor: still streamed');
});

test('an unfinished-only listing sets the floor to its oldest request; an empty one keeps the floor there was', () => {
  assert.deepEqual(afterStreamed(undefined, 12, 500, 2), { floor: 12, streamedBytes: 500, streamedRequests: 2, pagedGaveUpAt: undefined });
  assert.deepEqual(afterStreamed(state({ floor: 12, streamedBytes: 500 }), undefined, 30, 0), { floor: 12, streamedBytes: 30, streamedRequests: 0, pagedGaveUpAt: undefined });
});

test('a paged read that reached the floor moves it and clears a give-up', () => {
  assert.deepEqual(afterPaged(state({ floor: 12, streamedBytes: 5 * MiB, streamedRequests: 9, pagedGaveUpAt: 10 }), 30), { floor: 30, streamedBytes: 5 * MiB, streamedRequests: 9, pagedGaveUpAt: undefined });
});

test('the floor after a complete read is its oldest unfinished request', () => {
  const read = [
    { requestId: 90, finished: false },
    { requestId: 70, finished: true },
    { requestId: 55, finished: false },
    { requestId: 50, finished: true },
  ];
  assert.equal(floorAfterRead(50, read), 55);
});

test('with nothing unfinished the floor is one past the newest request read', () => {
  assert.equal(floorAfterRead(50, [{ requestId: 80, finished: true }, { requestId: 60, finished: true }]), 81);
});

test('a read that saw nothing at or above the floor keeps it', () => {
  assert.equal(floorAfterRead(50, []), 50);
  assert.equal(floorAfterRead(50, [{ requestId: 49, finished: false }]), 50, 'below the floor is not this read\'s to judge');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterPaged, afterPagedGaveUp, afterStreamed, chooseListing, floorAfterRead, type PoolListingState } from '../../reconciler/azdo/jobListingFloor.ts';

const MiB = 1024 * 1024;
const t = { pagedFromBytes: 1 * MiB, pageBytes: 256 * 1024, maxPages: 100 };
const state = (init: Partial<PoolListingState>): PoolListingState => ({ floor: undefined, streamedBytes: undefined, pagedGaveUpAt: undefined, ...init });

test('a pool read for the first time is read from the unfinished-only listing', () => {
  assert.deepEqual(chooseListing(undefined, t), { kind: 'streamed' });
});

test('a pool whose unfinished-only listing was small stays on it (one call is cheaper than pages)', () => {
  assert.deepEqual(chooseListing(state({ floor: 40, streamedBytes: MiB - 1 }), t), { kind: 'streamed' });
});

test('a pool whose listing was large is paged down to its floor, with a budget of its bytes in pages', () => {
  assert.deepEqual(chooseListing(state({ floor: 40, streamedBytes: 3 * MiB }), t), { kind: 'paged', floor: 40, maxPages: 12 });
  assert.deepEqual(chooseListing(state({ floor: 40, streamedBytes: 10_000 * MiB }), t), { kind: 'paged', floor: 40, maxPages: 100 }, 'the budget is capped');
});

test('no floor (no unfinished request ever listed) means the unfinished-only listing, whatever its size', () => {
  assert.deepEqual(chooseListing(state({ streamedBytes: 50 * MiB }), t), { kind: 'streamed' });
});

test('a paged read that gave up at a floor is not tried again until the floor moves', () => {
  const gaveUp = afterPagedGaveUp(state({ floor: 40, streamedBytes: 3 * MiB }), 40);
  assert.deepEqual(chooseListing(gaveUp, t), { kind: 'streamed' });
  const moved = afterStreamed(gaveUp, 41, 3 * MiB);
  assert.equal(chooseListing(moved, t).kind, 'paged');
  assert.equal(chooseListing(afterStreamed(gaveUp, 40, 3 * MiB), t).kind, 'streamed', 'same floor: still streamed');
});

test('an unfinished-only listing sets the floor to its oldest request; an empty one keeps the floor there was', () => {
  assert.deepEqual(afterStreamed(undefined, 12, 500), { floor: 12, streamedBytes: 500, pagedGaveUpAt: undefined });
  assert.deepEqual(afterStreamed(state({ floor: 12, streamedBytes: 500 }), undefined, 30), { floor: 12, streamedBytes: 30, pagedGaveUpAt: undefined });
});

test('a paged read that reached the floor moves it and clears a give-up', () => {
  assert.deepEqual(afterPaged(state({ floor: 12, streamedBytes: 5 * MiB, pagedGaveUpAt: 10 }), 30), { floor: 30, streamedBytes: 5 * MiB, pagedGaveUpAt: undefined });
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

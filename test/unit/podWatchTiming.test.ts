import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FRESH_FOR_MS, isPodViewFresh, WATCH_TIMEOUT_SECONDS, watchRetryDelayMs } from '../../reconciler/cluster/podWatchTiming.ts';

test('a view never synced is not fresh', () => {
  assert.equal(isPodViewFresh(undefined, 1_000), false);
});

test('a view heard from within the bound is fresh, up to the bound itself', () => {
  assert.equal(isPodViewFresh(10_000, 10_000), true);
  assert.equal(isPodViewFresh(10_000, 10_000 + FRESH_FOR_MS), true);
});

test('a view silent for longer than the bound is not fresh, however complete it looked', () => {
  assert.equal(isPodViewFresh(10_000, 10_000 + FRESH_FOR_MS + 1), false);
  assert.equal(isPodViewFresh(10_000, 10_000 + 60_000), false);
});

test('the bound covers one server-side watch timeout, so a healthy quiet watch stays fresh', () => {
  assert.ok(FRESH_FOR_MS > WATCH_TIMEOUT_SECONDS * 1000);
  // ...and is well below the 10 s renew deadline: the view goes stale before writes stop.
  assert.ok(FRESH_FOR_MS < 10_000);
});

test('watch retries back off from 1 s, doubling, capped at 10 s', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 20].map(watchRetryDelayMs), [1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFailure, nextDelayMs } from '../../reconciler/loop/scheduler.ts';
import { GitAuthError, GitPushRetriesExhaustedError } from '../../reconciler/errors/gitErrors.ts';
import { AzdoAuthError, AzdoThrottledError, AzdoUnavailableError, AzdoUnreadableResponseError } from '../../reconciler/errors/azdoErrors.ts';

const MAX = 5 * 60_000;
const mid = (): number => 0.5; // jitter factor 1.0
const low = (): number => 0;   // jitter factor 0.8
const high = (): number => 0.999999; // jitter factor → 1.2

test('after a success the next pass runs one interval later', () => {
  assert.equal(nextDelayMs(15_000, 0, undefined, low), 15_000);
  assert.equal(nextDelayMs(15_000, 3, undefined, low), 15_000);
});

test('Retry-After is honoured when longer than the interval', () => {
  assert.equal(nextDelayMs(15_000, 1, new AzdoThrottledError('list', 120), high), 120_000);
});

test('Retry-After shorter than the interval still waits the interval', () => {
  assert.equal(nextDelayMs(15_000, 1, new AzdoThrottledError('list', 2), high), 15_000);
});

test('throttling is not jittered nor grown with the failure count', () => {
  const e = new AzdoThrottledError('list', 60);
  assert.equal(nextDelayMs(1000, 1, e, low), 60_000);
  assert.equal(nextDelayMs(1000, 9, e, high), 60_000);
});

test('an outage is retried within one poll interval, however long it lasts', () => {
  const e = new AzdoUnavailableError('list', 503, 'down');
  for (const failures of [1, 2, 6, 500]) {
    assert.equal(nextDelayMs(15_000, failures, e, high) <= 15_000, true);
    assert.equal(nextDelayMs(15_000, failures, e, low), 12_000);
  }
});

test('an unreadable 2xx body is retried like a 5xx', () => {
  const unreadable = new AzdoUnreadableResponseError('list job requests of pool "p"', 'an empty object {}');
  const outage = new AzdoUnavailableError('list job requests of pool "p"', 503, 'down');
  for (const failures of [1, 2, 3]) assert.equal(nextDelayMs(15_000, failures, unreadable, mid), nextDelayMs(15_000, failures, outage, mid));
});

test('any thrown value counts as a failure, not only Errors', () => {
  assert.equal(isFailure('boom'), true);
  assert.equal(nextDelayMs(1000, 1, 'boom', low), 800);
});

test('losing every push to another writer is contention, not failure: the next pass starts at once', () => {
  const e = new GitPushRetriesExhaustedError('https://git.example/repo', 'main', 5);
  assert.equal(isFailure(e), false);
  assert.equal(nextDelayMs(15_000, 0, e, low), 0);
  assert.ok(nextDelayMs(15_000, 3, e, high) <= 1000);
  assert.ok(nextDelayMs(200, 3, e, high) <= 50, 'a quarter of a short interval at most');
});

test('a refused token backs off exponentially to five minutes, jittered ±20%', () => {
  assert.equal(nextDelayMs(1000, 1, new AzdoAuthError('list', 401), mid), 2000);
  assert.equal(nextDelayMs(1000, 3, new GitAuthError('push', 'https://git.example/repo', 403), mid), 8000);
  assert.equal(nextDelayMs(15_000, 20, new AzdoAuthError('list', 401), mid), MAX);
  assert.equal(nextDelayMs(15_000, 20, new AzdoAuthError('list', 401), low), MAX * 0.8);
  assert.ok(nextDelayMs(15_000, 20, new AzdoAuthError('list', 401), high) <= MAX * 1.2);
});

test('zero consecutive failures with an error runs at the interval', () => {
  assert.equal(nextDelayMs(1000, 0, new Error('x'), high), 1000);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextDelayMs } from '../../reconciler/loop/scheduler.ts';
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

test('failures back off exponentially from the interval', () => {
  const e = new AzdoUnavailableError('list', 503, 'down');
  assert.equal(nextDelayMs(1000, 1, e, mid), 2000);
  assert.equal(nextDelayMs(1000, 2, e, mid), 4000);
  assert.equal(nextDelayMs(1000, 3, e, mid), 8000);
  assert.equal(nextDelayMs(1000, 6, e, mid), 64_000);
});

test('an unreadable 2xx body backs off like a 5xx', () => {
  const unreadable = new AzdoUnreadableResponseError('list job requests of pool "p"', 'an empty object {}');
  const outage = new AzdoUnavailableError('list job requests of pool "p"', 503, 'down');
  for (const failures of [1, 2, 3]) assert.equal(nextDelayMs(15_000, failures, unreadable, mid), nextDelayMs(15_000, failures, outage, mid));
});

test('any thrown value counts as a failure, not only Errors', () => {
  assert.equal(nextDelayMs(1000, 1, 'boom', mid), 2000);
});

test('backoff is capped at five minutes', () => {
  const e = new Error('git down');
  assert.equal(nextDelayMs(15_000, 5, e, mid), MAX);
  assert.equal(nextDelayMs(15_000, 500, e, mid), MAX);
});

test('jitter stays within ±20% of the backoff', () => {
  const e = new Error('x');
  assert.equal(nextDelayMs(1000, 2, e, low), 3200);
  assert.ok(nextDelayMs(1000, 2, e, high) <= 4800);
  assert.ok(nextDelayMs(1000, 2, e, high) > 4790);
  for (let i = 0; i <= 10; i++) {
    const d = nextDelayMs(1000, 3, e, () => i / 10.0001);
    assert.ok(d >= 6400 && d <= 9600, `delay ${d} out of bounds`);
  }
});

test('jitter on the cap stays within ±20% of five minutes', () => {
  const e = new Error('x');
  assert.equal(nextDelayMs(15_000, 20, e, low), MAX * 0.8);
  assert.ok(nextDelayMs(15_000, 20, e, high) <= MAX * 1.2);
});

test('an auth failure waits the cap at once (a bad token does not fix itself quickly)', () => {
  const e = new AzdoAuthError('list', 401);
  assert.equal(nextDelayMs(1000, 1, e, mid), MAX);
  assert.equal(nextDelayMs(1000, 1, e, low), MAX * 0.8);
});

test('zero consecutive failures with an error runs at the interval', () => {
  assert.equal(nextDelayMs(1000, 0, new Error('x'), high), 1000);
});

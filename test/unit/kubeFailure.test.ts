import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { kubeFailure } from '../../reconciler/cluster/kubeFailure.ts';

const headers = { 'content-type': 'application/json', date: 'Wed, 02 Dec 2026 03:52:00 GMT' };

test('a 401 from client-node is its status and message, not the multi-line header dump', () => {
  // Its message is "HTTP-Code: 401\nMessage: Unauthorized\nBody: undefined\nHeaders: {…}".
  const err = new ApiException(401, 'Unauthorized', undefined, headers);
  assert.deepEqual(kubeFailure(err), { status: 401, reason: '401 Unauthorized' });
});

test("a 403 carries the API server's Status message", () => {
  const body = JSON.stringify({ kind: 'Status', message: 'pods is forbidden: User "system:serviceaccount:x:y" cannot list resource "pods"', code: 403 });
  const f = kubeFailure(new ApiException(403, 'Forbidden', body, {}));
  assert.equal(f.status, 403);
  assert.equal(f.reason, '403 pods is forbidden: User "system:serviceaccount:x:y" cannot list resource "pods"');
});

test('no answer: the cause of "fetch failed", or a timeout', () => {
  const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }) });
  assert.deepEqual(kubeFailure(refused), { status: undefined, reason: 'fetch failed: ECONNREFUSED' });
  assert.deepEqual(kubeFailure(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), { status: undefined, reason: 'no answer in time' });
});

test('every reason is one line', () => {
  for (const err of [new Error('a\nb'), new ApiException(500, 'boom', 'x\ny', {})]) {
    assert.doesNotMatch(kubeFailure(err).reason, /\n/);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeApiError } from '../../reconciler/cluster/kubeApiError.ts';
import { kubeFailure } from '../../reconciler/cluster/kubeFailure.ts';

test('a 401 without a Status body is its status and the body line', () => {
  assert.deepEqual(kubeFailure(new KubeApiError(401, 'Unauthorized\n', 'GET /api/v1/namespaces/x/pods')), { status: 401, reason: '401 Unauthorized' });
  assert.deepEqual(kubeFailure(new KubeApiError(401, '', 'GET /api/v1/namespaces/x/pods')), { status: 401, reason: '401 no message' });
});

test("a 403 carries the API server's Status message", () => {
  const body = JSON.stringify({ kind: 'Status', message: 'pods is forbidden: User "system:serviceaccount:x:y" cannot list resource "pods"', code: 403 });
  const f = kubeFailure(new KubeApiError(403, body, 'GET /api/v1/namespaces/x/pods'));
  assert.equal(f.status, 403);
  assert.equal(f.reason, '403 pods is forbidden: User "system:serviceaccount:x:y" cannot list resource "pods"');
});

test('no answer: the network error, its cause, or a timeout', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
  assert.deepEqual(kubeFailure(refused), { status: undefined, reason: 'connect ECONNREFUSED 127.0.0.1:6443' });
  const wrapped = Object.assign(new TypeError('fetch failed'), { cause: refused });
  assert.deepEqual(kubeFailure(wrapped), { status: undefined, reason: 'fetch failed: ECONNREFUSED' });
  assert.deepEqual(kubeFailure(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), { status: undefined, reason: 'no answer in time' });
});

test('every reason is one line', () => {
  for (const err of [new Error('a\nb'), new KubeApiError(500, 'x\ny', 'GET /')]) {
    assert.doesNotMatch(kubeFailure(err).reason, /\n/);
  }
});

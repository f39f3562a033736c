import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentMatches, isSubset, objectId, parseQuantity, podSpecForbiddenMessage, refOf, validateObject } from '../../sandbox/cluster/syncer/objects.ts';
import type { ManifestObject } from '../../sandbox/cluster/syncer/objects.ts';
import { redactUrl } from '../../sandbox/cluster/syncer/gitSource.ts';

const pod = (image: string, extra: Record<string, unknown> = {}): ManifestObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'agent-a1' },
  spec: { restartPolicy: 'Never', containers: [{ name: 'agent', image, env: [{ name: 'AZP_POOL', value: 'k8s-agents' }] }], ...extra },
});

test('validateObject accepts a pod and reports what is missing or invalid', () => {
  assert.deepEqual(validateObject(pod('agent:1')), []);
  assert.match(validateObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name' }, spec: { containers: [] } }).join('\n'), /Invalid value: "Bad_Name"[\s\S]*spec.containers: Required/);
  assert.match(validateObject({ kind: 'ConfigMap', metadata: {} }).join('\n'), /apiVersion is missing[\s\S]*name is required/);
  assert.match(validateObject('text').join(''), /not a Kubernetes object/);
});

test('isSubset ignores server defaults and injected volumes but sees changed or removed fields', () => {
  const live = pod('agent:1', { dnsPolicy: 'ClusterFirst', volumes: [{ name: 'kube-api-access-x' }] }) as ManifestObject;
  (live.spec as { containers: Array<Record<string, unknown>> }).containers[0]!.terminationMessagePath = '/dev/termination-log';
  assert.equal(isSubset(pod('agent:1').spec, live.spec, 'spec'), true);
  assert.equal(isSubset(pod('agent:2').spec, live.spec, 'spec'), false);
  const fewerEnv = pod('agent:1');
  (fewerEnv.spec as { containers: Array<{ env: unknown[] }> }).containers[0]!.env = [];
  assert.equal(isSubset(fewerEnv.spec, live.spec, 'spec'), false);
});

test('resource quantities compare by value, as the API server canonicalizes them', () => {
  assert.equal(parseQuantity('500m'), 0.5);
  assert.equal(parseQuantity('1Gi'), 2 ** 30);
  assert.equal(isSubset({ resources: { requests: { cpu: '0.5', memory: '1024Mi' } } }, { resources: { requests: { cpu: '500m', memory: '1Gi' } } }), true);
  assert.equal(isSubset({ resources: { requests: { cpu: '1' } } }, { resources: { requests: { cpu: '500m' } } }), false);
});

test('contentMatches compares stringData with the base64 data the server keeps', () => {
  const desired = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { token: 'abc' } } as ManifestObject;
  const live = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { token: Buffer.from('abc').toString('base64') } } as ManifestObject;
  assert.equal(contentMatches(desired, live), true);
  assert.equal(contentMatches({ ...desired, stringData: { token: 'xyz' } }, live), false);
});

test('ids, the Flux-style pod error and URL redaction', () => {
  assert.equal(objectId(refOf(pod('x'), 'agents')), 'Pod/agents/agent-a1');
  assert.match(podSpecForbiddenMessage('agent-a1'), /^Pod "agent-a1" is invalid: spec: Forbidden: pod updates may not change fields other than/);
  assert.equal(redactUrl('http://user:secret@127.0.0.1:1/r.git'), 'http://127.0.0.1:1/r.git');
});

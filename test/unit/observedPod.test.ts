import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { isFinished, toObservedPod } from '../../reconciler/cluster/observedPod.ts';
import { SPEC_LABEL } from '../../reconciler/manifests/labels.ts';

const T = new Date('2026-01-01T00:00:00Z');

function pod(status: V1Pod['status'] = {}, meta: Partial<NonNullable<V1Pod['metadata']>> = {}): V1Pod {
  return { metadata: { name: 'linux-abc12', creationTimestamp: T, labels: { [SPEC_LABEL]: 'linux' }, ...meta }, status };
}

test('name, creation time and spec label are kept', () => {
  const p = toObservedPod(pod({ phase: 'Running' }));
  assert.deepEqual(p, {
    name: 'linux-abc12', phase: 'Running', createdAt: T, waitingReason: undefined, waitingMessage: undefined, terminated: undefined,
    statusReason: undefined, statusMessage: undefined, unschedulable: false, deleting: false, specName: 'linux',
  });
});

test('each Kubernetes phase is kept', () => {
  for (const phase of ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']) assert.equal(toObservedPod(pod({ phase })).phase, phase);
});

test('a missing or unknown phase counts as Pending', () => {
  assert.equal(toObservedPod(pod()).phase, 'Pending');
  assert.equal(toObservedPod({ metadata: { name: 'x' } }).phase, 'Pending');
  assert.equal(toObservedPod(pod({ phase: 'Terminating' })).phase, 'Pending');
});

test('a creation time as a string is parsed; none is the epoch', () => {
  assert.equal(toObservedPod(pod({}, { creationTimestamp: '2026-01-01T00:00:00Z' as unknown as Date })).createdAt.getTime(), T.getTime());
  assert.equal(toObservedPod(pod({}, { creationTimestamp: undefined })).createdAt.getTime(), 0);
});

test('the waiting reason of a container is reported', () => {
  const p = toObservedPod(pod({ phase: 'Pending', containerStatuses: [{ name: 'agent', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } }] }));
  assert.equal(p.waitingReason, 'ImagePullBackOff');
});

test('an init container waiting reason counts first; empty reasons are skipped', () => {
  const p = toObservedPod(pod({
    phase: 'Pending',
    initContainerStatuses: [{ name: 'init', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: '' } } }, { name: 'init2', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull' } } }],
    containerStatuses: [{ name: 'agent', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
  }));
  assert.equal(p.waitingReason, 'ErrImagePull');
});

test('the waiting message comes with its reason (a missing Secret names the Secret)', () => {
  const p = toObservedPod(pod({
    phase: 'Pending',
    containerStatuses: [{ name: 'agent', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "azdo-agent-token" not found' } } }],
  }));
  assert.equal(p.waitingReason, 'CreateContainerConfigError');
  assert.equal(p.waitingMessage, 'secret "azdo-agent-token" not found');
});

test('a terminated container reports exit code, reason and message; a non-zero exit wins over a zero one', () => {
  const ended = (name: string, exitCode: number, reason?: string, message?: string) => ({
    name, image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, ...(reason ? { reason } : {}), ...(message ? { message } : {}) } },
  });
  const p = toObservedPod(pod({ phase: 'Failed', containerStatuses: [ended('sidecar', 0, 'Completed'), ended('agent', 137, 'OOMKilled', '')] }));
  assert.deepEqual(p.terminated, { container: 'agent', exitCode: 137, reason: 'OOMKilled', message: undefined });
  assert.deepEqual(toObservedPod(pod({ phase: 'Succeeded', containerStatuses: [ended('agent', 0, 'Completed', 'done')] })).terminated, { container: 'agent', exitCode: 0, reason: 'Completed', message: 'done' });
});

test("the pod's own status reason and message are kept (an evicted pod has no container status to explain it)", () => {
  const p = toObservedPod(pod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }));
  assert.equal(p.statusReason, 'Evicted');
  assert.equal(p.statusMessage, 'The node was low on resource: memory.');
});

test('running containers have no waiting reason', () => {
  const p = toObservedPod(pod({ phase: 'Running', containerStatuses: [{ name: 'agent', image: 'i', imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: T } } }] }));
  assert.equal(p.waitingReason, undefined);
});

test('PodScheduled=False with reason Unschedulable marks the pod unschedulable', () => {
  const p = toObservedPod(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] }));
  assert.equal(p.unschedulable, true);
});

test('other scheduling conditions do not', () => {
  assert.equal(toObservedPod(pod({ conditions: [{ type: 'PodScheduled', status: 'True' }] })).unschedulable, false);
  assert.equal(toObservedPod(pod({ conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulerError' }] })).unschedulable, false);
  assert.equal(toObservedPod(pod({ conditions: [{ type: 'Ready', status: 'False', reason: 'Unschedulable' }] })).unschedulable, false);
});

test('a deletionTimestamp marks the pod deleting', () => {
  assert.equal(toObservedPod(pod({ phase: 'Running' }, { deletionTimestamp: T })).deleting, true);
  assert.equal(toObservedPod(pod({ phase: 'Running' }, { deletionTimestamp: null as unknown as undefined })).deleting, false);
});

test('a pod without the spec label has no spec name', () => {
  assert.equal(toObservedPod(pod({}, { labels: {} })).specName, undefined);
});

test('only Succeeded and Failed pods are finished', () => {
  assert.equal(isFinished(pod({ phase: 'Succeeded' })), true);
  assert.equal(isFinished(pod({ phase: 'Failed' })), true);
  for (const phase of ['Pending', 'Running', 'Unknown', undefined]) assert.equal(isFinished(pod({ phase })), false);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isNonTransientWaiting, podProblem } from '../../reconciler/plan/podProblem.ts';
import { aPod } from '../helpers/fixtures.ts';

test('a waiting pod says its reason and the kubelet message', () => {
  const p = aPod('gpu-a1', { phase: 'Pending', waitingReason: 'CreateContainerConfigError', waitingMessage: 'secret "azdo-agent-token" not found' });
  assert.equal(podProblem(p, 'pod-start-error'), 'CreateContainerConfigError: secret "azdo-agent-token" not found');
  assert.equal(podProblem(aPod('gpu-a1', { phase: 'Pending', waitingReason: 'InvalidImageName' }), 'pod-start-error'), 'InvalidImageName');
});

test('a failed pod says which container exited, with its exit code, reason and message', () => {
  const p = aPod('gpu-a1', { phase: 'Failed', terminated: { container: 'agent', exitCode: 1, reason: 'Error', message: undefined } });
  assert.equal(podProblem(p, 'pod-failed'), 'container agent exited with code 1 (Error)');
  const oom = aPod('gpu-a1', { phase: 'Failed', terminated: { container: 'agent', exitCode: 137, reason: 'OOMKilled', message: 'out of memory' } });
  assert.equal(podProblem(oom, 'pod-failed'), 'container agent exited with code 137 (OOMKilled): out of memory');
});

test('an evicted pod says the reason and message of the pod itself', () => {
  const p = aPod('gpu-a1', { phase: 'Failed', statusReason: 'Evicted', statusMessage: 'The node was low on resource: ephemeral-storage.' });
  assert.equal(podProblem(p, 'pod-failed'), 'Evicted: The node was low on resource: ephemeral-storage.');
  assert.equal(podProblem(aPod('gpu-a1', { phase: 'Failed' }), 'pod-failed'), 'pod Failed without a container status');
});

test('a pod given up on at a deadline says what it waited for and which deadline passed', () => {
  const pull = aPod('gpu-a1', { phase: 'Pending', waitingReason: 'ImagePullBackOff', waitingMessage: 'Back-off pulling image "x:1"' });
  assert.equal(podProblem(pull, 'image-pull-deadline'), 'ImagePullBackOff: Back-off pulling image "x:1"; image not pulled before the image-pull deadline');
  assert.equal(podProblem(aPod('gpu-a1', { phase: 'Pending', unschedulable: true }), 'unschedulable-deadline'), 'Unschedulable; not scheduled before the unschedulable deadline');
  assert.equal(podProblem(aPod('gpu-a1'), 'registration-deadline'), 'agent not registered before the registration deadline');
  assert.match(podProblem(undefined, 'sync-deadline'), /^no pod appeared for the manifest before the sync deadline/);
});

test('only waiting reasons no retry cures are non-transient', () => {
  const waits = (reason: string) => isNonTransientWaiting(aPod('gpu-a1', { phase: 'Pending', waitingReason: reason }));
  for (const r of ['CreateContainerConfigError', 'CreateContainerError', 'InvalidImageName', 'ErrImageNeverPull', 'ImageInspectError', 'SignatureValidationFailed']) assert.equal(waits(r), true, r);
  for (const r of ['ErrImagePull', 'ImagePullBackOff', 'RegistryUnavailable', 'ContainerCreating', 'PodInitializing']) assert.equal(waits(r), false, r);
  assert.equal(isNonTransientWaiting(aPod('gpu-a1')), false);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyManifest } from '../../reconciler/plan/agentStates.ts';
import { DEFAULT_DEADLINES } from '../../reconciler/agentspec/agentSpec.ts';
import { aManifest, aPod, aSpec, anAgent, busyAgent, minutes, offlineAgent } from '../helpers/fixtures.ts';

const spec = aSpec('linux');
const m = aManifest(spec, 'linux-abc12');
const early = minutes(2);
const late = minutes(30);
const classify = (agent: Parameters<typeof classifyManifest>[1], pod: Parameters<typeof classifyManifest>[2], now = early, observed = true) =>
  classifyManifest(m, agent, pod, observed, now, DEFAULT_DEADLINES);

test('an agent with a job assigned is busy', () => {
  assert.deepEqual(classify(busyAgent('linux-abc12', 9), aPod('linux-abc12')), { kind: 'busy', removeReason: undefined });
});

test('a registered online enabled agent without a job is idle', () => {
  assert.equal(classify(anAgent('linux-abc12'), aPod('linux-abc12'), late).kind, 'idle');
});

test('an online but disabled agent is disabled (not available)', () => {
  assert.equal(classify(anAgent('linux-abc12', { enabled: false }), aPod('linux-abc12')).kind, 'disabled');
});

test('a pending pod without an agent within its deadlines is starting', () => {
  assert.equal(classify(undefined, aPod('linux-abc12', { phase: 'Pending' })).kind, 'starting');
});

test('a Succeeded or Failed pod is finished, even if the service still shows a job', () => {
  assert.deepEqual(classify(undefined, aPod('linux-abc12', { phase: 'Succeeded' })), { kind: 'finished', removeReason: 'pod-succeeded' });
  assert.deepEqual(classify(busyAgent('linux-abc12', 3), aPod('linux-abc12', { phase: 'Failed' })), { kind: 'finished', removeReason: 'pod-failed' });
});

test('image pull errors past the imagePull deadline are stuck; before it, starting', () => {
  const pod = aPod('linux-abc12', { phase: 'Pending', waitingReason: 'ImagePullBackOff' });
  assert.equal(classify(undefined, pod, minutes(9)).kind, 'starting');
  assert.deepEqual(classify(undefined, pod, minutes(11)), { kind: 'stuck', removeReason: 'image-pull-deadline' });
  assert.equal(classify(undefined, aPod('linux-abc12', { phase: 'Pending', waitingReason: 'ErrImagePull' }), minutes(11)).removeReason, 'image-pull-deadline');
});

test('a waiting reason no retry cures fails the pod at once, not at a deadline', () => {
  for (const reason of ['CreateContainerConfigError', 'CreateContainerError', 'InvalidImageName', 'ErrImageNeverPull', 'ImageInspectError', 'SignatureValidationFailed']) {
    assert.deepEqual(classify(undefined, aPod('linux-abc12', { phase: 'Pending', waitingReason: reason }), minutes(0)), { kind: 'stuck', removeReason: 'pod-start-error' }, reason);
  }
});

test('transient waits (image pull, registry down, container creating) wait for their deadline', () => {
  for (const reason of ['ErrImagePull', 'ImagePullBackOff', 'RegistryUnavailable', 'ContainerCreating', 'PodInitializing']) {
    assert.equal(classify(undefined, aPod('linux-abc12', { phase: 'Pending', waitingReason: reason }), early).kind, 'starting', reason);
  }
});

test('an unschedulable pod past its deadline is stuck', () => {
  const pod = aPod('linux-abc12', { phase: 'Pending', unschedulable: true });
  assert.equal(classify(undefined, pod, minutes(14)).kind, 'starting');
  assert.equal(classify(undefined, pod, minutes(16)).removeReason, 'unschedulable-deadline');
});

test('a running pod whose agent never registered within the registration deadline is stuck', () => {
  assert.equal(classify(undefined, aPod('linux-abc12'), minutes(9)).kind, 'starting');
  assert.equal(classify(undefined, aPod('linux-abc12'), minutes(11)).removeReason, 'registration-deadline');
  assert.equal(classify(offlineAgent('linux-abc12'), aPod('linux-abc12'), minutes(11)).removeReason, 'registration-deadline');
});

test('a manifest with no pod is starting until the sync deadline, then stuck', () => {
  assert.equal(classify(undefined, undefined, minutes(9)).kind, 'starting');
  assert.deepEqual(classify(undefined, undefined, minutes(11)), { kind: 'stuck', removeReason: 'sync-deadline' });
});

test('a pod missing (or being deleted) although its agent registered was deleted outside git', () => {
  assert.deepEqual(classify(anAgent('linux-abc12'), undefined), { kind: 'pod-deleted', removeReason: 'pod-deleted' });
  assert.equal(classify(offlineAgent('linux-abc12'), aPod('linux-abc12', { deleting: true })).kind, 'pod-deleted');
  assert.equal(classify(busyAgent('linux-abc12', 4), undefined).kind, 'busy');
});

test('with the cluster unobservable nothing is judged from pods', () => {
  assert.equal(classify(undefined, undefined, late, false).kind, 'starting');
  assert.equal(classify(anAgent('linux-abc12'), undefined, late, false).kind, 'idle');
  assert.equal(classify(busyAgent('linux-abc12', 1), undefined, late, false).kind, 'busy');
  assert.equal(classify(offlineAgent('linux-abc12'), undefined, late, false).removeReason, undefined);
});

test('deadlines come from the spec', () => {
  const short = { ...DEFAULT_DEADLINES, imagePullSeconds: 60 };
  const pod = aPod('linux-abc12', { phase: 'Pending', waitingReason: 'ImagePullBackOff' });
  assert.equal(classifyManifest(m, undefined, pod, true, minutes(2), short).removeReason, 'image-pull-deadline');
});

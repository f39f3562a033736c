import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { failedStatus, failsByShare, imagePullStatus, isUnpullable, nameFraction, runningStatus } from '../../sandbox/cluster/kubelet/index.ts';

const pod: V1Pod = { metadata: { name: 'agent-a1', uid: 'u1' }, spec: { containers: [{ name: 'agent', image: 'ghcr.io/x/agent:1' }] } };

test('failShare picks pods deterministically by name hash', () => {
  const names = Array.from({ length: 400 }, (_, i) => `agent-${i}`);
  assert.equal(names.filter((n) => failsByShare(n, 0)).length, 0);
  assert.equal(names.filter((n) => failsByShare(n, 1)).length, 400);
  const half = names.filter((n) => failsByShare(n, 0.5)).length;
  assert.ok(half > 150 && half < 250, `about half fail: ${half}`);
  assert.equal(nameFraction('agent-7'), nameFraction('agent-7'));
});

test('unpullable images match by name or substring', () => {
  assert.equal(isUnpullable('ghcr.io/x/agent:broken', ['agent:broken']), true);
  assert.equal(isUnpullable('ghcr.io/x/agent:1', ['agent:broken', '']), false);
});

test('status bodies look like a kubelet wrote them', () => {
  const at = new Date('2025-01-01T00:00:00Z');
  const run = runningStatus(pod, at, '10.0.0.10');
  assert.equal(run.phase, 'Running');
  assert.deepEqual(run.conditions!.filter((c) => c.status === 'True').map((c) => c.type).sort(), ['ContainersReady', 'Initialized', 'PodReadyToStartContainers', 'PodScheduled', 'Ready']);
  assert.deepEqual(run.containerStatuses![0]!.state!.running!.startedAt, at);
  assert.ok(run.podIP && run.hostIP && run.startTime);
  const pull = imagePullStatus(pod, at, '10.0.0.10', 'ImagePullBackOff', ['agent:1']);
  assert.equal(pull.phase, 'Pending');
  assert.equal(pull.containerStatuses![0]!.state!.waiting!.reason, 'ImagePullBackOff');
  const failed = failedStatus(pod, at, '10.0.0.10');
  assert.equal(failed.phase, 'Failed');
  assert.equal(failed.containerStatuses![0]!.state!.terminated!.exitCode, 1);
});

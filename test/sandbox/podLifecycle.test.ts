// The kubelet's steps without an API server: what the sandbox's kubelet and the simulator's
// cluster both run for a Pending pod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import {
  fateFromOptions,
  nextStep,
  pullStep,
  sandboxKubeletTimings,
  startStep,
  stepStatus,
  succeededStatus,
  type KubeletNode,
  type PodFate,
} from '../../sandbox/cluster/kubelet/podLifecycle.ts';

const pod: V1Pod = { metadata: { name: 'linux-a1' }, spec: { containers: [{ name: 'agent', image: 'registry.example.com/agent:1' }, { name: 'sidecar', image: 'busybox:1' }] } };
const at = new Date('2026-03-02T08:00:00Z');
let n = 0;
const node: KubeletNode = { hostIP: '10.0.0.10', newId: () => String(++n).padStart(64, '0') };
const runs: PodFate = { unpullable: () => false, crashExitCode: () => undefined };
const waiting = (p: V1Pod, fate: PodFate, step: Parameters<typeof stepStatus>[1]) => stepStatus(p, step, at, node, fate).containerStatuses!.map((c) => c.state?.waiting);

test('image pull first: an unpullable image is ErrImagePull with containerd\'s message, then ImagePullBackOff with the kubelet\'s', () => {
  const fate = fateFromOptions('linux-a1', { unpullableImages: ['agent:1'] });
  const step = pullStep(pod, fate);
  assert.deepEqual(step, { kind: 'ErrImagePull' });
  assert.deepEqual(waiting(pod, fate, step!), [
    {
      reason: 'ErrImagePull',
      message: 'rpc error: code = NotFound desc = failed to pull and unpack image "registry.example.com/agent:1": failed to resolve reference "registry.example.com/agent:1": registry.example.com/agent:1: not found',
    },
    { reason: 'PodInitializing' },
  ]);
  assert.deepEqual(nextStep(step!, sandboxKubeletTimings(300)), { afterMs: 300, next: 'ImagePullBackOff' });
  assert.deepEqual(waiting(pod, fate, { kind: 'ImagePullBackOff' })[0], { reason: 'ImagePullBackOff', message: 'Back-off pulling image "registry.example.com/agent:1"' });
  assert.equal(stepStatus(pod, { kind: 'ImagePullBackOff' }, at, node, fate).phase, 'Pending');
});

test('then the configuration: a missing Secret waits in CreateContainerConfigError and is retried, before any crash', () => {
  const crashing = fateFromOptions('linux-a1', { crashingImages: { 'agent:1': 3 } });
  assert.equal(pullStep(pod, crashing), undefined);
  const step = startStep(pod, crashing, { container: 'agent', message: 'secret "azdo-agent-token" not found' });
  assert.deepEqual(step, { kind: 'CreateContainerConfigError', container: 'agent', message: 'secret "azdo-agent-token" not found' });
  assert.deepEqual(nextStep(step, sandboxKubeletTimings(300, 1000)), { afterMs: 1000, next: 'retry-start' });
  assert.deepEqual(waiting(pod, crashing, step), [{ reason: 'CreateContainerConfigError', message: 'secret "azdo-agent-token" not found' }, { reason: 'ContainerCreating' }]);
});

test('then start: a crashing entrypoint is Failed with its exit code and reason Error; else Running, and nothing follows either', () => {
  const failed = startStep(pod, fateFromOptions('linux-a1', { crashingImages: { 'agent:1': 3 } }), undefined);
  assert.deepEqual(failed, { kind: 'Failed', exitCode: 3 });
  const st = stepStatus(pod, failed, at, node, runs);
  assert.equal(st.phase, 'Failed');
  assert.deepEqual(st.containerStatuses!.map((c) => [c.state!.terminated!.exitCode, c.state!.terminated!.reason]), [[3, 'Error'], [1, 'Error']]);
  assert.equal(nextStep(failed, sandboxKubeletTimings()), undefined);
  const running = startStep(pod, runs, undefined);
  assert.deepEqual(running, { kind: 'Running' });
  const r = stepStatus(pod, running, at, node, runs);
  assert.equal(r.phase, 'Running');
  assert.match(r.containerStatuses![0]!.containerID!, /^containerd:\/\/0{6}\d/);
});

test('failShare fails pods by a hash of the name with exit code 1; the simulator\'s fate is whatever it drew', () => {
  assert.deepEqual(startStep(pod, fateFromOptions('linux-a1', { failShare: 1 }), undefined), { kind: 'Failed', exitCode: 1 });
  assert.deepEqual(startStep(pod, fateFromOptions('linux-a1', { failShare: 0 }), undefined), { kind: 'Running' });
  const drawn: PodFate = { unpullable: () => true, crashExitCode: () => undefined };
  assert.deepEqual(pullStep(pod, drawn), { kind: 'ErrImagePull' });
});

test('a Running pod whose agent exited 0 is Succeeded, its containers Completed from when they started', () => {
  const running = { ...pod, status: stepStatus(pod, { kind: 'Running' }, at, node, runs) };
  const done = succeededStatus(running, new Date(at.getTime() + 60_000));
  assert.equal(done.phase, 'Succeeded');
  assert.deepEqual(done.containerStatuses!.map((c) => [c.state!.terminated!.exitCode, c.state!.terminated!.reason, c.state!.terminated!.startedAt]), [[0, 'Completed', at], [0, 'Completed', at]]);
});

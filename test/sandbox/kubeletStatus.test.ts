import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { configErrorStatus, crashExitCode, failedStatus, failsByShare, fullImageRef, imagePullStatus, isUnpullable, nameFraction, runningStatus } from '../../sandbox/cluster/kubelet/index.ts';
import { containerConfigError, type ConfigLookup } from '../../sandbox/cluster/kubelet/containerConfig.ts';

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

test('image pull messages read as a kubelet over containerd writes them', () => {
  const at = new Date('2025-01-01T00:00:00Z');
  const p: V1Pod = { metadata: { name: 'agent-a1' }, spec: { containers: [{ name: 'agent', image: 'registry.example.com/no-such-agent:1' }] } };
  assert.equal(
    imagePullStatus(p, at, '10.0.0.10', 'ErrImagePull', ['no-such-agent']).containerStatuses![0]!.state!.waiting!.message,
    'rpc error: code = NotFound desc = failed to pull and unpack image "registry.example.com/no-such-agent:1": failed to resolve reference "registry.example.com/no-such-agent:1": registry.example.com/no-such-agent:1: not found',
  );
  assert.equal(imagePullStatus(p, at, '10.0.0.10', 'ImagePullBackOff', ['no-such-agent']).containerStatuses![0]!.state!.waiting!.message, 'Back-off pulling image "registry.example.com/no-such-agent:1"');
  assert.equal(fullImageRef('agent'), 'docker.io/library/agent:latest');
  assert.equal(fullImageRef('myorg/agent:2'), 'docker.io/myorg/agent:2');
  assert.equal(fullImageRef('localhost:5000/agent'), 'localhost:5000/agent:latest');
  assert.equal(fullImageRef('ghcr.io/x/agent@sha256:ab'), 'ghcr.io/x/agent@sha256:ab');
});

test('a container whose configuration cannot be built waits in CreateContainerConfigError with the message; the pod stays Pending', () => {
  const at = new Date('2025-01-01T00:00:00Z');
  const two: V1Pod = { metadata: { name: 'agent-a1' }, spec: { containers: [{ name: 'agent', image: 'a:1' }, { name: 'sidecar', image: 'b:1' }] } };
  const st = configErrorStatus(two, at, '10.0.0.10', { container: 'agent', message: 'secret "azdo-agent-token" not found' });
  assert.equal(st.phase, 'Pending');
  assert.deepEqual(st.containerStatuses!.map((c) => c.state!.waiting), [
    { reason: 'CreateContainerConfigError', message: 'secret "azdo-agent-token" not found' },
    { reason: 'ContainerCreating' },
  ]);
  assert.equal(st.conditions!.find((c) => c.type === 'Ready')!.reason, 'ContainersNotReady');
});

test('a crashing entrypoint: Failed, the container terminated with its exit code and reason Error', () => {
  const at = new Date('2025-01-01T00:00:00Z');
  const st = failedStatus(pod, at, '10.0.0.10', 3);
  assert.equal(st.phase, 'Failed');
  const t = st.containerStatuses![0]!.state!.terminated!;
  assert.deepEqual({ exitCode: t.exitCode, reason: t.reason }, { exitCode: 3, reason: 'Error' });
  assert.equal(t.containerID, st.containerStatuses![0]!.containerID);
  assert.equal(crashExitCode('ghcr.io/x/crashing-agent:1', { 'crashing-agent': 3 }), 3);
  assert.equal(crashExitCode('ghcr.io/x/agent:1', { 'crashing-agent': 3 }), undefined);
});

const lookup = (secrets: Record<string, string[]>, configMaps: Record<string, string[]> = {}): ConfigLookup => ({
  secretKeys: async (n) => (secrets[n] ? new Set(secrets[n]) : undefined),
  configMapKeys: async (n) => (configMaps[n] ? new Set(configMaps[n]) : undefined),
});
const withEnv = (env: NonNullable<V1Pod['spec']>['containers'][number]['env'], envFrom?: NonNullable<V1Pod['spec']>['containers'][number]['envFrom']): V1Pod => ({
  metadata: { name: 'agent-a1' },
  spec: { containers: [{ name: 'agent', image: 'a:1', env, ...(envFrom ? { envFrom } : {}) }] },
});
const tokenRef = { name: 'AZP_TOKEN', valueFrom: { secretKeyRef: { name: 'azdo-agent-token', key: 'token' } } };

test('the kubelet messages for a missing Secret, a missing key, a missing ConfigMap; optional references are skipped', async () => {
  assert.deepEqual(await containerConfigError(withEnv([tokenRef]), 'azdo-agents', lookup({})), { container: 'agent', message: 'secret "azdo-agent-token" not found' });
  assert.deepEqual(await containerConfigError(withEnv([tokenRef]), 'azdo-agents', lookup({ 'azdo-agent-token': ['pat'] })), {
    container: 'agent',
    message: "couldn't find key token in Secret azdo-agents/azdo-agent-token",
  });
  assert.equal(await containerConfigError(withEnv([tokenRef]), 'azdo-agents', lookup({ 'azdo-agent-token': ['token'] })), undefined);
  const cm = { name: 'X', valueFrom: { configMapKeyRef: { name: 'agent-settings', key: 'x' } } };
  assert.equal((await containerConfigError(withEnv([cm]), 'ns', lookup({})))!.message, 'configmap "agent-settings" not found');
  assert.equal((await containerConfigError(withEnv([cm]), 'ns', lookup({}, { 'agent-settings': ['y'] })))!.message, "couldn't find key x in ConfigMap ns/agent-settings");
  const optional = { name: 'AZP_TOKEN', valueFrom: { secretKeyRef: { name: 'nope', key: 'token', optional: true } } };
  assert.equal(await containerConfigError(withEnv([optional]), 'ns', lookup({})), undefined);
  assert.equal((await containerConfigError(withEnv([], [{ secretRef: { name: 'bulk' } }]), 'ns', lookup({})))!.message, 'secret "bulk" not found');
  assert.equal(await containerConfigError(withEnv([], [{ secretRef: { name: 'bulk', optional: true } }]), 'ns', lookup({})), undefined);
});

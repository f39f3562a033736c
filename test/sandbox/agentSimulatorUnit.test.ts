import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { agentConfigFromPod } from '../../sandbox/cluster/agents/podAgentConfig.ts';
import { succeededStatus } from '../../sandbox/cluster/agents/agentRun.ts';
import { envCapabilities } from '../../sandbox/cluster/agents/envCapabilities.ts';
import { backoffMs, retryAfterMs } from '../../sandbox/cluster/agents/retry.ts';

const pod = (env: NonNullable<NonNullable<V1Pod['spec']>['containers'][0]['env']>): V1Pod => ({
  metadata: { name: 'linux-docker-a1b2', uid: 'u1' },
  spec: { containers: [{ name: 'sidecar', image: 'busybox' }, { name: 'agent', image: 'agent:1', env }] },
});

test('agent config comes from the agent container env: literal values and Secret keys, in order', () => {
  const cfg = agentConfigFromPod(pod([
    { name: 'AZP_URL', value: 'http://127.0.0.1:1/org/' },
    { name: 'AZP_POOL', value: 'k8s-agents' },
    { name: 'AZP_TOKEN', valueFrom: { secretKeyRef: { name: 'azp', key: 'token' } } },
    { name: 'docker', value: 'true' },
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
  ]));
  assert.ok(cfg);
  assert.equal(cfg.containerName, 'agent');
  assert.equal(cfg.orgUrl, 'http://127.0.0.1:1/org');
  assert.equal(cfg.agentName, 'linux-docker-a1b2');
  assert.deepEqual(cfg.token, { secretName: 'azp', key: 'token' });
  assert.deepEqual(cfg.env, [
    { name: 'AZP_URL', value: 'http://127.0.0.1:1/org/' },
    { name: 'AZP_POOL', value: 'k8s-agents' },
    { name: 'AZP_TOKEN', secretKeyRef: { name: 'azp', key: 'token' } },
    { name: 'docker', value: 'true' },
  ]);
  assert.equal(agentConfigFromPod(pod([{ name: 'AZP_URL', value: 'http://x/org' }])), null, 'no token → not an agent');
  assert.equal(agentConfigFromPod(pod([{ name: 'docker', value: 'true' }])), null);
});

test('Retry-After is honoured before exponential backoff', () => {
  assert.equal(retryAfterMs({ statusCode: 429, rateLimit: { retryAfter: 2 } }), 2000);
  assert.equal(retryAfterMs({ statusCode: 429, responseHeaders: { 'retry-after': '1' } }), 1000);
  assert.equal(backoffMs({ statusCode: 429, responseHeaders: { 'retry-after': '3' } }, 0), 3000);
  const b = backoffMs({ statusCode: 503 }, 20);
  assert.ok(b >= 2500 && b <= 5000);
});

test('a finished agent terminates every container with exit code 0', () => {
  const at = new Date('2025-01-01T00:00:00Z');
  const s = succeededStatus({ ...pod([]), status: { phase: 'Running', containerStatuses: [{ name: 'agent', image: 'agent:1', imageID: '', ready: true, restartCount: 0, containerID: 'containerd://1', state: { running: { startedAt: at } } }] } }, at);
  assert.equal(s.phase, 'Succeeded');
  assert.deepEqual(s.containerStatuses!.map((c) => [c.name, c.state!.terminated!.exitCode, c.state!.terminated!.reason]), [['sidecar', 0, 'Completed'], ['agent', 0, 'Completed']]);
});

test('the env is published as capabilities except VSO_AGENT_IGNORE entries, shell vars and long values', () => {
  const env = new Map([
    ['AZP_URL', 'http://x/org'], ['AZP_TOKEN', 'the-pat'], ['AZP_TOKEN_FILE', '/azp/.token'], ['AZDO_GITOPS_SPEC', 'linux'],
    ['VSO_AGENT_IGNORE', ' AZP_TOKEN , AZP_TOKEN_FILE,,MY_SECRET'], ['MY_SECRET', 's'], ['my_secret', 'other case'],
    ['SHLVL', '1'], ['LONG', 'x'.repeat(1024)], ['docker', 'true'],
  ]);
  assert.deepEqual(envCapabilities(env), {
    AZDO_GITOPS_SPEC: 'linux', AZP_URL: 'http://x/org', docker: 'true', my_secret: 'other case', VSO_AGENT_IGNORE: ' AZP_TOKEN , AZP_TOKEN_FILE,,MY_SECRET',
  });
});

test('without VSO_AGENT_IGNORE the agent publishes the PAT, as the real agent would', () => {
  assert.deepEqual(envCapabilities(new Map([['AZP_TOKEN', 'the-pat'], ['docker', 'true']])), { AZP_TOKEN: 'the-pat', docker: 'true' });
});

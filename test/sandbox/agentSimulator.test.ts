// Agent simulator over real sockets: sandbox API server + kubelet simulator + Azure DevOps emulator.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { startKubeApiServer } from '../../sandbox/cluster/apiserver/index.ts';
import type { KubeApiServer } from '../../sandbox/cluster/apiserver/index.ts';
import { startAzdoEmulator } from '../../sandbox/azdo/index.ts';
import type { AzdoEmulator } from '../../sandbox/azdo/index.ts';
import { startKubelet } from '../../sandbox/cluster/kubelet/index.ts';
import type { Kubelet } from '../../sandbox/cluster/kubelet/index.ts';
import { startAgentSimulator } from '../../sandbox/cluster/agents/index.ts';
import type { AgentSimulator } from '../../sandbox/cluster/agents/index.ts';
import { parse } from 'yaml';
import { toPoolAgent } from '../../reconciler/azdo/agents.ts';
import { renderPod } from '../../reconciler/manifests/renderPod.ts';
import { taskAgentApi } from '../helpers/azdoClient.ts';
import { eventually } from '../helpers/eventually.ts';
import { aSpec } from '../helpers/fixtures.ts';

const NS = 'azdo-agents';
let api: KubeApiServer;
let emu: AzdoEmulator;
let kubelet: Kubelet;
let sim: AgentSimulator;
let core: CoreV1Api;
const logs: string[] = [];

interface AdminAgent { id: number; name: string; status: string; systemCapabilities?: Record<string, string>; sessionId?: string }
interface AdminJob { requestId: number; state: string; result?: string; receiveTime?: string; finishTime?: string; reservedAgent?: { name: string } }
interface AdminState { agents: AdminAgent[]; jobs: AdminJob[] }

async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emu.adminUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
const state = () => admin<AdminState>('GET', '/state');

/** Like eventually(), with the simulator's last log lines in the error. */
async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  try {
    return await eventually(what, fn, timeoutMs, 100);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${logs.slice(-15).join('\n')}`);
  }
}

const agentPod = (name: string): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS, labels: { 'app.kubernetes.io/managed-by': 'azdo-gitops' } },
  spec: {
    restartPolicy: 'Never',
    containers: [{
      name: 'agent',
      image: 'azp-agent:sim',
      env: [
        { name: 'AZP_URL', value: emu.orgUrl },
        { name: 'AZP_POOL', value: 'k8s-agents' },
        { name: 'AZP_AGENT_NAME', value: name },
        { name: 'AZP_TOKEN', valueFrom: { secretKeyRef: { name: 'azp-token', key: 'token' } } },
        { name: 'docker', value: 'true' },
      ],
    }],
  },
});

before(async () => {
  api = await startKubeApiServer();
  emu = await startAzdoEmulator({ agentCooldownMs: 100 });
  const kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedSecret({
    namespace: NS,
    body: { metadata: { name: 'azp-token' }, type: 'Opaque', data: { token: Buffer.from(emu.token).toString('base64') } },
  });
  kubelet = await startKubelet({ kubeconfigPath: api.kubeconfigPath, namespace: NS, runDelayMs: 100 });
  sim = await startAgentSimulator({ kubeconfigPath: api.kubeconfigPath, namespace: NS, pollMs: 100, log: (l) => logs.push(l) });
});

after(async () => {
  await sim?.close();
  await kubelet?.close();
  await emu?.close();
  await api?.close();
});

test('registers from pod env with the Secret token, takes exactly one job, goes offline, pod Succeeded, agent kept', async () => {
  // The service throttles the first calls: the simulator must wait (Retry-After) and carry on.
  await admin('POST', '/faults', { throttle: { retryAfterSeconds: 1 }, count: 2 });
  await core.createNamespacedPod({ namespace: NS, body: agentPod('agent-one') });
  const online = await waitFor('agent online', async () => (await state()).agents.find((a) => a.name === 'agent-one' && a.status === 'online'));
  assert.equal(online.systemCapabilities?.docker, 'true');
  // This hand-written pod has no VSO_AGENT_IGNORE: like the real agent, the simulator publishes
  // the PAT (what rendered pods prevent, see the last test).
  assert.equal(online.systemCapabilities?.AZP_TOKEN, emu.token);

  const first = await admin<{ requestId: number }>('POST', '/jobs', { pool: 'k8s-agents', demands: ['docker'], durationMs: 300 });
  const second = await admin<{ requestId: number }>('POST', '/jobs', { pool: 'k8s-agents', demands: ['docker'], durationMs: 300 });

  const pod = await waitFor('pod Succeeded', async () => {
    const p = await core.readNamespacedPod({ name: 'agent-one', namespace: NS });
    return p.status?.phase === 'Succeeded' ? p : undefined;
  });
  const term = pod.status?.containerStatuses?.[0]?.state?.terminated;
  assert.equal(term?.exitCode, 0);
  assert.equal(term?.reason, 'Completed');

  const s = await state();
  const jobs = s.jobs.filter((j) => j.requestId === first.requestId || j.requestId === second.requestId);
  const taken = jobs.filter((j) => j.reservedAgent?.name === 'agent-one');
  assert.equal(taken.length, 1, `exactly one job: ${JSON.stringify(jobs)}`);
  assert.equal(taken[0]!.result, 'succeeded');
  const other = jobs.find((j) => j !== taken[0])!;
  assert.equal(other.finishTime, undefined, 'the other job is still waiting for an agent');
  const agent = s.agents.find((a) => a.name === 'agent-one');
  assert.ok(agent, 'the agent stays registered (the real agent never deregisters itself)');
  assert.equal(agent.status, 'offline');
  assert.equal(agent.sessionId, undefined);
  assert.equal(sim.agents().filter((a) => a.agentName === 'agent-one').length, 1);
  assert.ok(!logs.join('\n').includes(emu.token), 'the token is never logged');
  assert.ok(logs.some((l) => /\(429: .*retrying in \d{4} ms/.test(l)), `honours Retry-After:\n${logs.join('\n')}`);
  await admin('POST', `/jobs/${other.requestId}/cancel`);
});

test('a pod deleted mid-job deletes the session: the job ends abandoned', async () => {
  await core.createNamespacedPod({ namespace: NS, body: agentPod('agent-two') });
  await waitFor('agent-two online', async () => (await state()).agents.find((a) => a.name === 'agent-two' && a.status === 'online'));
  const job = await admin<{ requestId: number }>('POST', '/jobs', { pool: 'k8s-agents', demands: ['agent.name -equals agent-two'], durationMs: 60_000 });
  await waitFor('job running', async () => (await state()).jobs.find((j) => j.requestId === job.requestId && j.receiveTime));
  await core.deleteNamespacedPod({ name: 'agent-two', namespace: NS });
  const done = await waitFor('job abandoned', async () => (await state()).jobs.find((j) => j.requestId === job.requestId && j.finishTime));
  assert.equal(done.result, 'abandoned');
  const agent = (await state()).agents.find((a) => a.name === 'agent-two');
  assert.equal(agent?.status, 'offline');
});

test('a restarted simulator skips finished pods', async () => {
  const again = await startAgentSimulator({ kubeconfigPath: api.kubeconfigPath, namespace: NS, pollMs: 100 });
  try {
    await sleep(500);
    assert.deepEqual(again.agents(), []);
  } finally {
    await again.close();
  }
});

test('a wrong token (401) is retried with backoff, never logged, and the agent stops with its pod', async () => {
  await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'azp-bad' }, data: { token: Buffer.from('not-the-pat-zzz').toString('base64') } } });
  const pod = agentPod('agent-bad');
  pod.spec!.containers[0]!.env = pod.spec!.containers[0]!.env!.map((e) =>
    e.name === 'AZP_TOKEN' ? { name: 'AZP_TOKEN', valueFrom: { secretKeyRef: { name: 'azp-bad', key: 'token' } } } : e,
  );
  await core.createNamespacedPod({ namespace: NS, body: pod });
  await waitFor('401 retried', async () => (logs.some((l) => l.startsWith('[agents] agent-bad:') && /\(401: .*retrying/.test(l)) ? true : undefined));
  assert.equal((await state()).agents.find((a) => a.name === 'agent-bad'), undefined);
  await core.deleteNamespacedPod({ name: 'agent-bad', namespace: NS });
  await waitFor('agent stopped', async () => (sim.agents().find((a) => a.agentName === 'agent-bad')?.state === 'stopped' ? true : undefined));
  assert.ok(!logs.join('\n').includes('not-the-pat-zzz'));
});

test("a rendered pod's agent shows the AZDO_GITOPS_SPEC marker and never the PAT", async () => {
  const spec = aSpec('linux', { capabilities: ['docker'], namespace: NS, tokenSecretRef: { name: 'azp-token', key: 'token' } });
  const body = parse(renderPod(spec, 'linux-abc123', { orgUrl: emu.orgUrl, createdAt: new Date(), jobRequestIds: [] })) as V1Pod;
  await core.createNamespacedPod({ namespace: NS, body });
  const online = await waitFor('rendered agent online', async () => (await state()).agents.find((a) => a.name === 'linux-abc123' && a.status === 'online'));
  const caps = online.systemCapabilities ?? {};
  assert.equal(caps['AZDO_GITOPS_SPEC'], 'linux');
  assert.equal(caps['docker'], 'true');
  assert.equal(caps['AZP_TOKEN'], undefined);
  assert.equal(caps['AZP_TOKEN_FILE'], undefined);
  assert.ok(!JSON.stringify(caps).includes(emu.token), 'the PAT is in no capability');
  // What the reconciler reads back through the published client (includeCapabilities=true).
  const api = await taskAgentApi(emu);
  const [agent] = (await api.getAgents(1, 'linux-abc123', true)) ?? [];
  assert.ok(agent);
  const seen = toPoolAgent(agent, 'k8s-agents');
  assert.equal(seen.specMarker, 'linux');
  assert.ok(!('systemCapabilities' in seen));
});

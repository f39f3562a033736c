// AgentSpec status on a real kube-apiserver with the example Role: the reconciler's own
// ServiceAccount lists AgentSpecs and patches only their status subresource, `kubectl get
// agentspecs` shows the columns with the pass's numbers, `kubectl describe` the Events, and a
// pod waiting on a missing Secret turns Ready false with the Secret's name after one pass.
// (kwok runs no containers, so the waiting pod is the pass's observation, not a kubelet's.)
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadKubeClient } from '../../reconciler/cluster/kubeConfig.ts';
import { createAgentSpecResources } from '../../reconciler/cluster/agentSpecResources.ts';
import { createEventRecorder } from '../../reconciler/cluster/events.ts';
import { AgentSpecStatusSync } from '../../reconciler/loop/agentSpecStatusSync.ts';
import { plan } from '../../reconciler/plan/plan.ts';
import type { ObservedState } from '../../reconciler/plan/observed.ts';
import type { PassReport } from '../../reconciler/plan/passReport.ts';
import { createLogger } from '../../reconciler/support/logger.ts';
import { PROJECT_ROOT } from '../../sandbox/index.ts';
import { aJob, aPod, aSpec, busyOf, idleOf, minutes, world } from '../helpers/fixtures.ts';
import { startRealCluster, type RealCluster } from '../helpers/realCluster.ts';

const START_TIMEOUT = 120 * 60_000;
const NS = 'azdo-agents';

function reportOf(o: ObservedState, commit?: string): PassReport {
  return {
    passId: o.now.toISOString(),
    mode: 'apply',
    startedAt: o.now,
    durationMs: 1,
    tip: 'c'.repeat(40),
    plan: plan(o, { nameSeed: 'seed' }),
    specErrors: o.specErrors,
    podsObserved: true,
    commit,
    pushAttempts: commit ? 1 : 0,
    disabled: [],
    keptBusy: [],
    unregistered: [],
    placeholdersRegistered: [],
    failures: [],
    holdsStarted: [],
    observed: { pendingJobs: o.pendingJobs.length, agents: o.agents.length, manifests: o.manifests.length, pods: o.pods?.length },
  };
}

describe('AgentSpec status on a real API server with the example Role', { timeout: START_TIMEOUT }, () => {
  let cluster: RealCluster;
  let sync: AgentSpecStatusSync;
  const logs: string[] = [];
  before(async () => {
    cluster = await startRealCluster();
    const kc = await loadKubeClient(cluster.reconcilerKubeconfigPath);
    const log = createLogger({ level: 'debug', write: (l) => logs.push(l) });
    sync = new AgentSpecStatusSync(createAgentSpecResources(kc, NS), createEventRecorder(kc, NS, (err) => logs.push(`event failed: ${(err as Error).message}`)), log);
  }, { timeout: START_TIMEOUT });
  after(async () => {
    await cluster?.stop();
  });

  it('without the CRD the reconciler says so once and writes nothing', async () => {
    const o = world([], { specs: [aSpec('linux')] });
    assert.deepEqual(await sync.sync(reportOf(o), o.pods), { patched: [], unchanged: [], failed: [] });
    await sync.sync(reportOf(o), o.pods);
    assert.equal(logs.filter((l) => l.includes('AgentSpec CRD is not installed')).length, 1, logs.join('\n'));
  });

  it('writes the pass numbers through the status subresource; kubectl get shows them in the columns', async () => {
    await cluster.applyCrds([join(PROJECT_ROOT, 'cluster-repo-example/crds/agentspec.yaml')]);
    await cluster.kubectl(['apply', '-n', NS, '-f', join(PROJECT_ROOT, 'cluster-repo-example/agentspecs')]);
    const linux = aSpec('linux', { maxAgents: 5 });
    const docker = aSpec('docker', { maxAgents: 1, capabilities: ['docker'] });
    const o = world([idleOf(linux, 'linux-a'), busyOf(linux, 'linux-b', 7)], { specs: [linux, docker], pendingJobs: [aJob(8), aJob(9), aJob(10)], now: minutes(1) });
    const r = reportOf(o, 'd'.repeat(40));
    const out = await sync.sync(r, o.pods);
    assert.deepEqual([...out.patched].sort(), ['docker', 'linux']);
    const summary = r.plan.summaries.find((s) => s.specName === 'linux')!;

    const table = (await cluster.kubectl(['get', 'agentspecs', '-n', NS])).stdout;
    assert.match(table, /NAME\s+POOL\s+DESIRED\s+BUSY\s+IDLE\s+PENDING\s+READY\s+AGE/);
    const row = table.split('\n').find((l) => l.startsWith('linux '))!;
    const cells = row.trim().split(/\s+/);
    assert.deepEqual(cells.slice(2, 7), [String(summary.desired), String(summary.busy), String(summary.idle), String(summary.pendingJobs), 'True'], table);

    // The spec is git's: the status write left it as applied, and the reconciler may not change it.
    const pool = (await cluster.kubectl(['get', 'agentspec', 'linux', '-n', NS, '-o', 'jsonpath={.spec.pool}'])).stdout;
    assert.equal(pool, 'k8s-agents');
    const denied = await cluster.kubectl(['patch', 'agentspec', 'linux', '-n', NS, '--type=merge', '-p', '{"spec":{"maxAgents":9}}'], { as: 'reconciler', allowFail: true });
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /forbidden/);
    const canPatchStatus = await cluster.kubectl(['auth', 'can-i', 'patch', 'agentspecs', '--subresource=status', '-n', NS], { as: 'reconciler', allowFail: true });
    assert.equal(canPatchStatus.stdout.trim(), 'yes');

    const described = (await cluster.kubectl(['describe', 'agentspec', 'linux', '-n', NS])).stdout;
    assert.ok(r.plan.add.some((a) => a.specName === 'linux'), 'the pass scales linux up');
    assert.match(described, /Normal\s+ScaledUp/, `${described}\n${logs.join('\n')}`);
    assert.match(described, /job requests? [0-9,]*\b(9|10)\b/, described);
  });

  it('a status that did not change is not written again', async () => {
    const linux = aSpec('linux', { maxAgents: 5 });
    const docker = aSpec('docker', { maxAgents: 1, capabilities: ['docker'] });
    const rv = async () => (await cluster.kubectl(['get', 'agentspec', 'linux', '-n', NS, '-o', 'jsonpath={.metadata.resourceVersion}'])).stdout;
    const before = await rv();
    const o = world([idleOf(linux, 'linux-a'), busyOf(linux, 'linux-b', 7)], { specs: [linux, docker], pendingJobs: [aJob(8), aJob(9), aJob(10)], now: minutes(2) });
    const r = { ...reportOf(o), tip: 'd'.repeat(40) };
    const out = await sync.sync(r, o.pods);
    assert.deepEqual(out.patched, []);
    assert.equal(await rv(), before);
  });

  it('a pod waiting on a missing Secret turns Ready false with the Secret named, after one pass', async () => {
    const linux = aSpec('linux', { maxAgents: 5 });
    const docker = aSpec('docker', { maxAgents: 1, capabilities: ['docker'] });
    const o = world([], {
      specs: [linux, docker],
      pods: [aPod('linux-x', { specName: 'linux', phase: 'Pending', waitingReason: 'CreateContainerConfigError', waitingMessage: 'secret "azdo-agent-token" not found' })],
      now: minutes(3),
    });
    await sync.sync(reportOf(o), o.pods);
    const ready = (await cluster.kubectl(['get', 'agentspec', 'linux', '-n', NS, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")]}'])).stdout;
    const c = JSON.parse(ready) as { status: string; reason: string; message: string };
    assert.equal(c.status, 'False');
    assert.equal(c.reason, 'CreateContainerConfigError');
    assert.match(c.message, /azdo-agent-token/);
    const table = (await cluster.kubectl(['get', 'agentspecs', '-n', NS])).stdout;
    assert.match(table.split('\n').find((l) => l.startsWith('linux '))!, /\bFalse\b/);
    const described = (await cluster.kubectl(['describe', 'agentspec', 'linux', '-n', NS])).stdout;
    assert.match(described, /Warning\s+CreateContainerConfigError/, described);
  });
});

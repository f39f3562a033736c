import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentSpecListing, AgentSpecResources } from '../../reconciler/cluster/agentSpecResources.ts';
import { AgentSpecStatusSync } from '../../reconciler/loop/agentSpecStatusSync.ts';
import type { AgentSpecStatus } from '../../reconciler/plan/agentSpecStatus.ts';
import { plan } from '../../reconciler/plan/plan.ts';
import type { PassReport } from '../../reconciler/plan/passReport.ts';
import { createLogger } from '../../reconciler/support/logger.ts';
import { parseAgentSpecs } from '../../reconciler/agentspec/loadSpecs.ts';
import { aJob, aSpec, idleOf, minutes, world } from '../helpers/fixtures.ts';
import { DEFAULT_SPEC_DEFAULTS } from '../../reconciler/agentspec/specDefaults.ts';

function report(now: Date, pending = 0): PassReport {
  const linux = aSpec('linux');
  const o = world([idleOf(linux, 'linux-a')], { specs: [linux], pendingJobs: Array.from({ length: pending }, (_, i) => aJob(i + 1)), now });
  return {
    passId: now.toISOString(), mode: 'apply', startedAt: now, durationMs: 1, tip: 'e'.repeat(40), plan: plan(o, { nameSeed: 's' }), specErrors: [],
    podsObserved: true, commit: undefined, pushAttempts: 0, disabled: [], keptBusy: [], unregistered: [], placeholdersRegistered: [], failures: [], holdsStarted: [],
    observed: { pendingJobs: pending, agents: 1, manifests: 1, pods: 1 },
  };
}

/** The cluster side in memory: what a real API server would hold and refuse. */
class InMemoryAgentSpecs implements AgentSpecResources {
  status: Partial<AgentSpecStatus> | undefined;
  patches = 0;
  failPatch: Error | undefined;
  failList: Error | undefined;
  async list(): Promise<AgentSpecListing> {
    if (this.failList) throw this.failList;
    return { kind: 'listed', items: [{ name: 'linux', uid: 'u1', status: this.status }] };
  }
  async patchStatus(_name: string, status: AgentSpecStatus): Promise<void> {
    if (this.failPatch) throw this.failPatch;
    this.patches++;
    this.status = status;
  }
}

test('a status patch happens once per change; a pass with the same state writes nothing', async () => {
  const cluster = new InMemoryAgentSpecs();
  const sync = new AgentSpecStatusSync(cluster, undefined, createLogger({ write: () => {} }));
  assert.deepEqual((await sync.sync(report(minutes(1)), [])).patched, ['linux']);
  assert.deepEqual((await sync.sync(report(minutes(2)), [])).unchanged, ['linux']);
  assert.deepEqual((await sync.sync(report(minutes(3), 3), [])).patched, ['linux']);
  assert.equal(cluster.patches, 2);
});

test('a failing status write or list is logged once, never thrown, and the write resumes once the cluster answers', async () => {
  const cluster = new InMemoryAgentSpecs();
  const lines: string[] = [];
  const sync = new AgentSpecStatusSync(cluster, undefined, createLogger({ write: (l) => lines.push(l) }));
  cluster.failPatch = new Error('connect ECONNREFUSED');
  for (let i = 1; i <= 3; i++) {
    sync.start(report(minutes(i)), []);
    await sync.settled();
  }
  assert.equal(lines.filter((l) => l.includes('could not write AgentSpec status')).length, 1, lines.join('\n'));
  cluster.failPatch = undefined;
  cluster.failList = new Error('socket hang up');
  for (let i = 4; i <= 5; i++) assert.deepEqual(await sync.sync(report(minutes(i)), []), { patched: [], unchanged: [], failed: [] });
  assert.equal(lines.filter((l) => l.includes('cannot list AgentSpecs')).length, 1);
  cluster.failList = undefined;
  assert.deepEqual((await sync.sync(report(minutes(6)), [])).patched, ['linux']);
});

test('an error of a spec document carries its metadata.name, so its AgentSpec in the cluster can say why', () => {
  const doc = 'apiVersion: azdo.gitops.dev/v1alpha1\nkind: AgentSpec\nmetadata: {name: gpu, namespace: azdo-agents}\nspec: {pool: k8s-agents, maxAgents: ten}\n';
  const parsed = parseAgentSpecs([{ path: 'agentspecs/gpu.yaml', content: doc }], new Map(), DEFAULT_SPEC_DEFAULTS);
  assert.ok(parsed.errors.length > 0);
  for (const e of parsed.errors) assert.equal(e.specName, 'gpu');
});

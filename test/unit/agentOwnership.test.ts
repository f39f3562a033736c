// Ownership: only an agent proven ours (marker, placeholder capability, or our manifest + pod) is
// ever disabled, unregistered, bound to a manifest or counted; every other agent is foreign.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ownership } from '../../reconciler/plan/agentOwnership.ts';
import { manifestStates } from '../../reconciler/plan/agentStates.ts';
import { PLACEHOLDER_CAPABILITY } from '../../reconciler/agentspec/placeholderCapabilities.ts';
import { plan } from '../../reconciler/plan/plan.ts';
import { placeholderCapabilities } from '../../reconciler/plan/placeholders.ts';
import { planUnregister } from '../../reconciler/plan/unregister.ts';
import {
  aJob, aManifest, aPod, aSpec, anAgent, busyOf, foreignAgent, idleOf, minutes, offlineAgent, world,
} from '../helpers/fixtures.ts';

const opts = { nameSeed: 'pass-1' };
const linux = aSpec('linux', { capabilities: ['docker'] });
const docker = aSpec('docker', { capabilities: ['docker'] });
const ourPlaceholder = (spec = linux) =>
  offlineAgent(`${spec.prefix}-placeholder`, { poolName: spec.pool, userCapabilities: placeholderCapabilities(spec), specMarker: undefined });
/** A person's offline agents: two ordinary names and one exactly like our pod names. */
const people = () => [
  foreignAgent('linux-agent1', { status: 'offline' }),
  foreignAgent('docker-buildvm', { status: 'offline' }),
  foreignAgent('linux-abc123', { status: 'offline' }),
];
/** An agent our pod registered before the marker existed (same name as its manifest and pod). */
const preMarker = (b: ReturnType<typeof idleOf>) => ({ ...b, agent: { ...b.agent!, specMarker: undefined } });

// --- who is ours -------------------------------------------------------------------------

test('the marker makes an agent ours wherever it is; a name never does', () => {
  const marked = anAgent('whatever-name', { specMarker: 'linux' });
  const named = foreignAgent('linux-abc123');
  const o = new Ownership([marked, named], [], []);
  assert.equal(o.of(marked), 'marked');
  assert.equal(o.of(named), 'foreign');
  assert.ok(o.isPodAgent(marked));
  assert.ok(!o.isPodAgent(named));
});

test('the placeholder capability makes a placeholder, never a pod agent; the placeholder name alone does not', () => {
  const ph = ourPlaceholder();
  const fake = foreignAgent('linux-placeholder');
  const both = anAgent('docker-placeholder', { specMarker: 'docker', userCapabilities: { [PLACEHOLDER_CAPABILITY]: 'docker' } });
  const o = new Ownership([ph, fake, both], [], []);
  assert.equal(o.of(ph), 'placeholder');
  assert.equal(o.of(fake), 'foreign');
  assert.equal(o.of(both), 'placeholder');
  assert.ok(!o.isPodAgent(ph) && !o.isPodAgent(both));
});

test('an unmarked agent is ours only while our manifest names it in its pool AND the cluster shows the pod', () => {
  const m = aManifest(linux, 'linux-old001');
  const agent = foreignAgent('linux-old001');
  const pod = aPod('linux-old001');
  assert.equal(new Ownership([agent], [m], [pod]).of(agent), 'pod-bound');
  const upper = foreignAgent('LINUX-OLD001', { poolName: 'K8S-AGENTS' });
  assert.equal(new Ownership([upper], [m], [pod]).of(upper), 'pod-bound', 'names and pools compare case-insensitively');
  assert.equal(new Ownership([agent], [m], []).of(agent), 'foreign', 'pod gone');
  assert.equal(new Ownership([agent], [m], undefined).of(agent), 'foreign', 'cluster not observed');
  assert.equal(new Ownership([agent], [], [pod]).of(agent), 'foreign', 'manifest gone');
  const otherPool = foreignAgent('linux-old001', { poolName: 'windows' });
  assert.equal(new Ownership([otherPool], [m], [pod]).of(otherPool), 'foreign', 'same name in another pool');
});

test('foreign agents are listed by pool, name and id', () => {
  const o = new Ownership([...people(), foreignAgent('a-vm', { poolName: 'zz', id: 7 }), anAgent('linux-ours01'), ourPlaceholder()], [], []);
  assert.deepEqual(o.foreign().map((f) => [f.poolName, f.name]), [['k8s-agents', 'docker-buildvm'], ['k8s-agents', 'linux-abc123'], ['k8s-agents', 'linux-agent1'], ['zz', 'a-vm']]);
  assert.deepEqual(Object.keys(o.foreign()[0]!), ['agentId', 'name', 'poolName', 'status', 'enabled']);
});

// --- unregister ----------------------------------------------------------------------------

test("a person's offline agents, one named exactly like our pods, are never unregistered and are reported", () => {
  const p = plan(world([], { specs: [linux, docker], extraAgents: [...people(), ourPlaceholder(linux), ourPlaceholder(docker)] }), opts);
  assert.deepEqual(p.unregister, []);
  assert.deepEqual(p.foreignAgents.map((f) => f.name), ['docker-buildvm', 'linux-abc123', 'linux-agent1']);
});

test('they stay untouched whatever the cluster shows: no pods, no cluster, a finished pod of another name', () => {
  for (const pods of [[], null, [aPod('linux-zzz999', { phase: 'Succeeded' })]]) {
    const p = plan(world([], { specs: [linux, docker], pods, extraAgents: people() }), opts);
    assert.deepEqual(p.unregister.filter((u) => !u.name.startsWith('linux-zzz')), [], JSON.stringify(pods));
    assert.equal(p.foreignAgents.length, 3);
  }
});

test('our marked offline leftover (no manifest, no pod) is still swept; an unmarked one of the same shape is not', () => {
  const ours = offlineAgent('linux-orph01');
  const theirs = foreignAgent('linux-orph02', { status: 'offline' });
  const p = plan(world([], { specs: [linux], extraAgents: [ours, theirs, ourPlaceholder()] }), opts);
  assert.deepEqual(p.unregister.map((u) => [u.name, u.reason]), [['linux-orph01', 'offline-orphan']]);
  assert.deepEqual(p.foreignAgents.map((f) => f.name), ['linux-orph02']);
});

test('a marked agent whose manifest is gone and pod finished is unregistered; unmarked, it is left (nothing proves it ours)', () => {
  const pods = [aPod('linux-done01', { phase: 'Succeeded' }), aPod('linux-done02', { phase: 'Succeeded' })];
  const p = plan(world([], { specs: [linux], pods, extraAgents: [offlineAgent('linux-done01'), foreignAgent('linux-done02', { status: 'offline' })] }), opts);
  assert.deepEqual(p.unregister.map((u) => u.name), ['linux-done01']);
});

test('planUnregister on its own never returns a foreign agent or a placeholder', () => {
  const agents = [...people(), ourPlaceholder(), foreignAgent('linux-placeholder', { poolName: 'other', status: 'offline' })];
  assert.deepEqual(planUnregister({ agents, manifests: [], remove: [], pods: [], specs: [linux, docker] }), []);
});

// --- manifests and their agents ----------------------------------------------------------

test('after an upgrade, a pod rendered without the marker keeps its agent: it finishes, is pruned and unregistered', () => {
  const b = preMarker(idleOf(linux, 'linux-old001'));
  const done = { ...b, pod: { ...b.pod!, phase: 'Succeeded' as const }, agent: { ...b.agent, status: 'offline' as const } };
  const p = plan(world([done], { specs: [linux] }), opts);
  assert.deepEqual(p.remove.map((r) => [r.podName, r.reason]), [['linux-old001', 'pod-succeeded']]);
  assert.deepEqual(p.unregister.map((u) => [u.name, u.reason]), [['linux-old001', 'pod-finished']]);
  assert.deepEqual(p.foreignAgents, []);
});

test('a pre-marker agent counts as idle or busy, and leaves by scale-down or rotation through the drain', () => {
  const idle = preMarker(idleOf(linux, 'linux-old001'));
  const busy = { ...busyOf(linux, 'linux-old002', 5), agent: { ...busyOf(linux, 'linux-old002', 5).agent!, specMarker: undefined } };
  const p = plan(world([idle, busy], { specs: [linux] }), opts);
  assert.deepEqual(p.summaries.map((s) => [s.idle, s.busy]), [[1, 1]]);
  assert.deepEqual(p.remove.map((r) => [r.podName, r.reason, r.agentId]), [['linux-old001', 'scale-down', idle.agent.id]]);
  const old = preMarker(idleOf(aSpec('linux', { capabilities: ['docker'], standby: 1 }), 'linux-old003', { revision: 'before' }));
  const r = plan(world([old], { specs: [aSpec('linux', { capabilities: ['docker'], standby: 1 })] }), opts);
  assert.deepEqual(r.remove.map((x) => [x.podName, x.reason, x.agentId]), [['linux-old003', 'rotation', old.agent.id]]);
});

test('while the cluster is not observed, an unmarked agent is not bound: no scale-down, no unregister, its manifest kept', () => {
  const idle = preMarker(idleOf(linux, 'linux-old001'));
  const p = plan(world([idle], { specs: [linux], pods: null }), opts);
  assert.deepEqual(p.remove, []);
  assert.deepEqual(p.unregister, []);
  assert.deepEqual(p.summaries.map((s) => [s.idle, s.starting]), [[0, 1]]);
  const marked = plan(world([idleOf(linux, 'linux-new001')], { specs: [linux], pods: null }), opts);
  assert.deepEqual(marked.remove.map((r) => [r.podName, r.reason]), [['linux-new001', 'scale-down']], 'a marked agent is ours without the cluster');
});

test('a foreign agent named like our manifest whose pod is gone is never bound: the manifest is judged without it', () => {
  // A person's agent took the name (or a pre-marker pod was deleted outside git): the pod is
  // gone, so nothing ties the agent to us. The manifest goes at its sync deadline; the agent stays.
  const m = aManifest(linux, 'linux-abc123');
  const agent = foreignAgent('linux-abc123');
  const young = plan(world([], { specs: [linux], manifests: [m], agents: [agent], pods: [], now: minutes(1) }), opts);
  assert.deepEqual(young.remove, [], 'within the sync deadline the manifest is starting');
  assert.deepEqual(young.summaries.map((s) => s.starting), [1]);
  const late = plan(world([], { specs: [linux], manifests: [m], agents: [agent], pods: [], now: minutes(11) }), opts);
  assert.deepEqual(late.remove.map((r) => [r.podName, r.reason, r.agentId]), [['linux-abc123', 'sync-deadline', undefined]]);
  assert.deepEqual(late.unregister, []);
  assert.deepEqual(late.foreignAgents.map((f) => f.name), ['linux-abc123']);
});

test('a foreign disabled or busy agent named like our manifest gives no disabled-removal and no busy count', () => {
  const m = aManifest(linux, 'linux-abc123');
  for (const agent of [foreignAgent('linux-abc123', { enabled: false }), foreignAgent('linux-abc123', { assignedRequestId: 9 })]) {
    const states = manifestStates([m], [linux], [agent], [], minutes(1));
    assert.equal(states[0]!.agent, undefined);
    assert.equal(states[0]!.kind, 'starting');
  }
});

test('a marked agent is bound to its manifest; a foreign one of the same name in the pool is not', () => {
  const m = aManifest(linux, 'linux-new001');
  const marked = anAgent('linux-new001');
  assert.equal(manifestStates([m], [linux], [marked], [aPod('linux-new001')], minutes(1))[0]!.agent, marked);
  assert.equal(manifestStates([m], [linux], [marked], [], minutes(1))[0]!.kind, 'pod-deleted');
});

test('a spec removed: its manifests go, but a same-named foreign agent is neither drained nor unregistered', () => {
  const m = aManifest(docker, 'docker-abc123');
  const agent = foreignAgent('docker-abc123');
  const p = plan(world([], { specs: [linux], manifests: [m], agents: [agent], pods: [] }), opts);
  assert.deepEqual(p.remove.map((r) => [r.podName, r.reason, r.agentId]), [['docker-abc123', 'spec-removed', undefined]]);
  assert.deepEqual(p.unregister, []);
});

// --- scaling and capacity ------------------------------------------------------------------

test('foreign idle online agents are not capacity: standby and pending jobs still get our pods', () => {
  const spec = aSpec('linux', { capabilities: ['docker'], standby: 1 });
  const online = [foreignAgent('linux-agent1'), foreignAgent('linux-abc123')];
  const p = plan(world([], { specs: [spec], agents: online, pendingJobs: [aJob(1, { demands: ['docker'] })] }), opts);
  assert.deepEqual(p.add.map((a) => a.reason), ['pending-jobs', 'standby']);
  assert.deepEqual(p.summaries.map((s) => [s.idle, s.busy]), [[0, 0]]);
  assert.deepEqual(p.remove, []);
  assert.ok(!p.add.some((a) => online.some((o) => o.name === a.podName)), 'new names avoid foreign agents');
});

test("a job running on a foreign agent is not pending (it runs), and that agent is not ours to count", () => {
  const p = plan(world([], { specs: [linux], agents: [foreignAgent('docker-buildvm', { assignedRequestId: 3 })], pendingJobs: [aJob(3, { demands: ['docker'] })] }), opts);
  assert.deepEqual(p.add, []);
  assert.deepEqual(p.summaries.map((s) => [s.pendingJobs, s.busy]), [[0, 0]]);
});

test('scale-down removes only our idle agents (with their agent ids for the drain)', () => {
  const ours = idleOf(linux, 'linux-ours01');
  const p = plan(world([ours], { specs: [linux], extraAgents: [foreignAgent('linux-agent1'), foreignAgent('linux-abc123')] }), opts);
  assert.deepEqual(p.remove.map((r) => [r.podName, r.agentId]), [['linux-ours01', ours.agent.id]]);
  for (const r of p.remove) assert.ok(r.agentId === undefined || r.agentId === ours.agent.id);
});

// --- placeholders --------------------------------------------------------------------------

test("a person's agent named <prefix>-placeholder is neither replaced nor unregistered; the other spec's placeholder is registered", () => {
  const theirs = foreignAgent('linux-placeholder', { status: 'offline' });
  const p = plan(world([], { specs: [linux, docker], agents: [theirs] }), opts);
  assert.deepEqual(p.unregister, []);
  assert.deepEqual(p.registerPlaceholders.map((r) => r.name), ['docker-placeholder']);
  assert.deepEqual(p.foreignAgents.map((f) => f.name), ['linux-placeholder']);
});

test('our placeholder with outdated capabilities is still re-registered', () => {
  const stale = anAgent('linux-placeholder', { status: 'offline', specMarker: undefined, userCapabilities: { [PLACEHOLDER_CAPABILITY]: 'linux' } });
  const p = plan(world([], { specs: [linux], agents: [stale] }), opts);
  assert.deepEqual(p.unregister.map((u) => [u.name, u.reason]), [['linux-placeholder', 'placeholder-obsolete']]);
  assert.deepEqual(p.registerPlaceholders.map((r) => r.name), ['linux-placeholder']);
  assert.deepEqual(p.foreignAgents, []);
});

test('spec errors withhold spec removals but not the foreign report', () => {
  const specError = { file: 'agentspecs/bad.yaml', field: 'spec', message: 'x', hint: 'y' };
  const p = plan(world([], { specs: [linux], specErrors: [specError], extraAgents: people() }), opts);
  assert.equal(p.foreignAgents.length, 3);
  assert.deepEqual(p.unregister, []);
});

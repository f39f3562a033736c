import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../reconciler/plan/plan.ts';
import { PLACEHOLDER_CAPABILITY } from '../../reconciler/agentspec/placeholderCapabilities.ts';
import { placeholderCapabilities } from '../../reconciler/plan/placeholders.ts';
import {
  aJob, aManifest, aPod, aSpec, anAgent, busyOf, foreignAgent, idleOf, minutes, offlineAgent, startingOf, world,
} from '../helpers/fixtures.ts';

const opts = { nameSeed: 'pass-1' };
const linux = aSpec('linux');
const placeholderOf = (spec = linux, init = {}) => offlineAgent(`${spec.prefix}-placeholder`, { poolName: spec.pool, userCapabilities: placeholderCapabilities(spec), specMarker: undefined, ...init });

test('a Succeeded pod is pruned and its agent unregistered in the same plan', () => {
  const b = idleOf(linux, 'linux-done1');
  const p = plan(world([{ ...b, pod: { ...b.pod, phase: 'Succeeded' }, agent: { ...b.agent, status: 'offline' } }], { specs: [linux] }), opts);
  assert.deepEqual(p.remove.map((r) => [r.podName, r.reason, r.agentId]), [['linux-done1', 'pod-succeeded', undefined]]);
  assert.deepEqual(p.unregister.map((u) => [u.name, u.reason]), [['linux-done1', 'pod-finished']]);
});

test('a finished pod\'s removal names the job its agent ran (the pool\'s last completed request)', () => {
  const b = idleOf(linux, 'linux-done1');
  const p = plan(world([{ ...b, pod: { ...b.pod, phase: 'Succeeded' }, agent: { ...b.agent, status: 'offline', lastCompletedRequestId: 42 } }], { specs: [linux] }), opts);
  assert.deepEqual(p.remove.map((r) => [r.podName, r.reason, r.ranJobRequestId]), [['linux-done1', 'pod-succeeded', 42]]);
});

test('a Failed pod is pruned', () => {
  const s = startingOf(linux, 'linux-fail1');
  const p = plan(world([{ ...s, pod: { ...s.pod, phase: 'Failed' } }], { specs: [linux] }), opts);
  assert.deepEqual(p.remove.map((r) => r.reason), ['pod-failed']);
});

test('a finished pod whose agent is still listed on a job is pruned, and its agent planned for unregistering (apply re-reads it)', () => {
  const b = busyOf(linux, 'linux-done1', 7);
  const p = plan(world([{ ...b, pod: { ...b.pod, phase: 'Succeeded' } }], { specs: [linux] }), opts);
  assert.deepEqual(p.remove.map((r) => r.reason), ['pod-succeeded']);
  assert.deepEqual(p.unregister.map((u) => [u.name, u.reason]), [['linux-done1', 'pod-finished']]);
});

test('an agent listed on a job is never planned for unregistering while its pod runs, is deleted, or is unseen', () => {
  const b = busyOf(linux, 'linux-busy1', 7);
  assert.deepEqual(plan(world([b], { specs: [linux] }), opts).unregister, [], 'pod running');
  assert.deepEqual(plan(world([{ ...b, pod: undefined }], { specs: [linux] }), opts).unregister, [], 'pod gone: its exit is not seen');
  assert.deepEqual(plan(world([{ ...b, pod: { ...b.pod, deleting: true } }], { specs: [linux] }), opts).unregister, [], 'pod deleting');
  assert.deepEqual(plan({ ...world([{ ...b, pod: { ...b.pod, phase: 'Succeeded' } }], { specs: [linux] }), pods: undefined }, opts).unregister, [], 'cluster unobserved');
});

test('a pod that exited while its agent was still listed on a job names that job as the one it ran', () => {
  const b = busyOf(linux, 'linux-done1', 7);
  const p = plan(world([{ ...b, pod: { ...b.pod, phase: 'Succeeded' } }], { specs: [linux] }), opts);
  assert.deepEqual(p.remove.map((r) => [r.podName, r.ranJobRequestId]), [['linux-done1', 7]]);
});

test('a pod deleted outside git is pruned (its agent registered) and the agent unregistered', () => {
  const b = idleOf(linux, 'linux-gone1');
  const p = plan(world([{ ...b, pod: undefined, agent: { ...b.agent, status: 'offline' } }], { specs: [linux] }), opts);
  assert.deepEqual(p.remove.map((r) => r.reason), ['pod-deleted']);
  assert.deepEqual(p.unregister.map((u) => u.name), ['linux-gone1']);
});

test('a manifest whose pod never appeared is pruned after the sync deadline, not before', () => {
  const s = { ...startingOf(linux, 'linux-nosync'), pod: undefined };
  assert.deepEqual(plan(world([s], { specs: [linux], now: minutes(5) }), opts).remove, []);
  assert.deepEqual(plan(world([s], { specs: [linux], now: minutes(11) }), opts).remove.map((r) => r.reason), ['sync-deadline']);
});

test('a pod stuck in ImagePullBackOff past its deadline is pruned', () => {
  const s = startingOf(linux, 'linux-pull1');
  const p = plan(world([{ ...s, pod: { ...s.pod, waitingReason: 'ImagePullBackOff' } }], { specs: [linux], now: minutes(11) }), opts);
  assert.deepEqual(p.remove.map((r) => r.reason), ['image-pull-deadline']);
});

test('an unschedulable pod past its deadline is pruned', () => {
  const s = startingOf(linux, 'linux-nonode');
  const p = plan(world([{ ...s, pod: { ...s.pod, unschedulable: true } }], { specs: [linux], now: minutes(16) }), opts);
  assert.deepEqual(p.remove.map((r) => r.reason), ['unschedulable-deadline']);
});

test('a running pod whose agent never registered is pruned after the registration deadline', () => {
  const s = startingOf(linux, 'linux-noreg');
  const p = plan(world([{ ...s, pod: { ...s.pod, phase: 'Running' } }], { specs: [linux], now: minutes(11) }), opts);
  assert.deepEqual(p.remove.map((r) => r.reason), ['registration-deadline']);
});

test('when the cluster is unobservable nothing is pruned for pod reasons and nothing is unregistered from pods', () => {
  const s = startingOf(linux, 'linux-noreg');
  const gone = idleOf(linux, 'linux-gone1');
  const orphan = offlineAgent('linux-orph1');
  const p = plan(world([s, { ...gone, agent: { ...gone.agent, status: 'offline' } }], { specs: [linux], pods: null, now: minutes(60), extraAgents: [orphan] }), opts);
  assert.deepEqual(p.remove, []);
  assert.deepEqual(p.unregister, []);
});

test('an unobservable cluster still counts manifests without agents as starting (no over-scaling)', () => {
  const p = plan(world([startingOf(linux, 'linux-start', { jobRequestIds: [1] })], { specs: [linux], pods: null, pendingJobs: [aJob(1)], now: minutes(60) }), opts);
  assert.deepEqual(p.add, []);
});

test('manifests of a removed spec are removed when not busy; idle ones are disabled first and unregistered', () => {
  const gone = aSpec('gone');
  const idle = idleOf(gone, 'gone-idle1');
  const busy = busyOf(gone, 'gone-busy1', 3);
  const starting = startingOf(gone, 'gone-start');
  const p = plan(world([idle, busy, starting], { specs: [linux] }), opts);
  assert.deepEqual(p.remove.map((r) => [r.podName, r.reason, r.agentId]), [
    ['gone-idle1', 'spec-removed', idle.agent.id],
    ['gone-start', 'spec-removed', undefined],
  ]);
  assert.deepEqual(p.unregister.filter((u) => u.name.startsWith('gone')).map((u) => [u.name, u.reason]), [['gone-idle1', 'spec-removed']]);
});

test('an idle agent scaled down is not unregistered while its pod still runs (git removes it first)', () => {
  const p = plan(world([idleOf(linux, 'linux-idle1')], { specs: [linux] }), opts);
  assert.deepEqual(p.remove.map((r) => r.reason), ['scale-down']);
  assert.deepEqual(p.unregister, []);
});

test('an offline agent with no manifest and no pod whose name has a spec prefix is an orphan', () => {
  const p = plan(world([], { specs: [linux], extraAgents: [offlineAgent('linux-orph1'), placeholderOf()] }), opts);
  assert.deepEqual(p.unregister.map((u) => [u.name, u.reason]), [['linux-orph1', 'offline-orphan']]);
});

test('an online agent with no manifest is not unregistered', () => {
  assert.deepEqual(plan(world([], { specs: [linux], extraAgents: [anAgent('linux-orph1'), placeholderOf()] }), opts).unregister, []);
});

test('a busy agent without a manifest is never unregistered', () => {
  assert.deepEqual(plan(world([], { specs: [linux], extraAgents: [offlineAgent('linux-orph1', { assignedRequestId: 4 }), placeholderOf()] }), opts).unregister, []);
});

test('an agent that is not ours is never unregistered and a foreign pod is never touched', () => {
  const p = plan(world([], {
    specs: [linux],
    extraAgents: [foreignAgent('build-server-01', { status: 'offline' }), foreignAgent('windows-abc12', { status: 'offline' }), foreignAgent('linux_x', { status: 'offline' }), placeholderOf()],
    extraPods: [aPod('unrelated-pod', { specName: undefined, phase: 'Succeeded' })],
  }), opts);
  assert.deepEqual(p.unregister, []);
  assert.deepEqual(p.remove, []);
});

test('an agent whose manifest is gone and whose pod finished is unregistered', () => {
  const p = plan(world([], { specs: [linux], extraAgents: [anAgent('linux-done1'), placeholderOf()], extraPods: [aPod('linux-done1', { phase: 'Succeeded' })] }), opts);
  assert.deepEqual(p.unregister.map((u) => [u.name, u.reason]), [['linux-done1', 'pod-finished']]);
});

test('an agent whose manifest is gone, listed on a job although its pod finished, is planned for unregistering (apply re-reads it)', () => {
  const p = plan(world([], { specs: [linux], extraAgents: [anAgent('linux-done1', { assignedRequestId: 4 }), placeholderOf()], extraPods: [aPod('linux-done1', { phase: 'Succeeded' })] }), opts);
  assert.deepEqual(p.unregister.map((u) => [u.name, u.reason]), [['linux-done1', 'pod-finished']]);
});

test('an agent whose manifest is gone but whose pod still runs (GitOps prune lag) is left alone', () => {
  assert.deepEqual(plan(world([], { specs: [linux], extraAgents: [offlineAgent('linux-lag01'), placeholderOf()], extraPods: [aPod('linux-lag01')] }), opts).unregister, []);
});

test('each spec gets a placeholder agent with its capabilities when missing', () => {
  const spec = aSpec('linux', { capabilities: ['docker', 'java=17'] });
  const p = plan(world([], { specs: [spec] }), opts);
  assert.deepEqual(p.registerPlaceholders, [{
    name: 'linux-placeholder', poolName: 'k8s-agents', specName: 'linux',
    capabilities: { docker: 'true', java: '17', [PLACEHOLDER_CAPABILITY]: 'linux' },
  }]);
});

test('an existing placeholder is kept and never unregistered', () => {
  const p = plan(world([], { specs: [linux], extraAgents: [placeholderOf()] }), opts);
  assert.deepEqual(p.registerPlaceholders, []);
  assert.deepEqual(p.unregister, []);
});

test('a placeholder whose spec is gone is unregistered', () => {
  const gone = aSpec('gone');
  const p = plan(world([], { specs: [linux], extraAgents: [placeholderOf(), placeholderOf(gone)] }), opts);
  assert.deepEqual(p.unregister.map((u) => [u.name, u.reason]), [['gone-placeholder', 'placeholder-obsolete']]);
});

test('a placeholder with outdated capabilities is re-registered', () => {
  const spec = aSpec('linux', { capabilities: ['docker'] });
  const stale = placeholderOf(linux);
  const p = plan(world([], { specs: [spec], extraAgents: [stale] }), opts);
  assert.deepEqual(p.unregister.map((u) => [u.agentId, u.reason]), [[stale.id, 'placeholder-obsolete']]);
  assert.deepEqual(p.registerPlaceholders.map((r) => r.capabilities), [{ docker: 'true', [PLACEHOLDER_CAPABILITY]: 'linux' }]);
});

test('a spec moved to another pool gets a placeholder there and the old one goes', () => {
  const moved = aSpec('linux', { pool: 'new-pool' });
  const p = plan(world([], { specs: [moved], extraAgents: [placeholderOf(linux)] }), opts);
  assert.deepEqual(p.registerPlaceholders.map((r) => r.poolName), ['new-pool']);
  assert.deepEqual(p.unregister.map((u) => [u.poolName, u.name]), [['k8s-agents', 'linux-placeholder']]);
});

test('placeholders are never counted as idle agents', () => {
  const spec = aSpec('linux', { standby: 1 });
  const p = plan(world([], { specs: [spec], extraAgents: [anAgent('linux-placeholder', { userCapabilities: placeholderCapabilities(spec) })] }), opts);
  assert.deepEqual(p.add.map((a) => a.reason), ['standby']);
});

test('the same input gives the same plan, whatever the input order', () => {
  const spec = aSpec('linux', { standby: 1, maxAgents: 4 });
  const other = aSpec('other', { capabilities: ['docker'], standby: 2 });
  const bundles = [idleOf(spec, 'linux-idle1', { revision: 'old' }), busyOf(spec, 'linux-busy1', 1), startingOf(other, 'other-start'), idleOf(aSpec('gone'), 'gone-aaaaa')];
  const jobs = [aJob(2), aJob(3, { demands: ['docker'] }), aJob(4, { demands: ['gpu'] })];
  const agents = [offlineAgent('linux-orph1'), offlineAgent('other-placeholder', { userCapabilities: { [PLACEHOLDER_CAPABILITY]: 'other' } })];
  const w1 = world(bundles, { specs: [spec, other], pendingJobs: jobs, extraAgents: agents });
  const w2 = world([...bundles].reverse(), { specs: [other, spec], pendingJobs: [...jobs].reverse(), extraAgents: [...agents].reverse() });
  const p1 = plan(w1, opts);
  assert.deepEqual(plan(w1, opts), p1);
  assert.deepEqual(plan(w2, opts), p1);
  assert.ok(p1.add.length > 0 && p1.remove.length > 0 && p1.unregister.length > 0);
});

test('a removed manifest of a deleted spec is removed when the spec file is gone, even if the manifest path is elsewhere', () => {
  const gone = aSpec('gone');
  const m = aManifest(gone, 'gone-abcde', { agentsPath: 'clusters/prod/agents' });
  const p = plan(world([], { specs: [], manifests: [m], pods: [] }), opts);
  assert.deepEqual(p.remove.map((r) => r.path), ['clusters/prod/agents/pods/gone/gone-abcde.yaml']);
});

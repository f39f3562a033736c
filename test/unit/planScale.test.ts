import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../reconciler/plan/plan.ts';
import { aJob, aSpec, anAgent, at, busyOf, idleOf, minutes, startingOf, world } from '../helpers/fixtures.ts';

const opts = { nameSeed: 'pass-1' };
const linux = aSpec('linux');
const old = { revision: 'oldrev0000' };

test('one pending job and no agents adds one agent carrying that job id', () => {
  const p = plan(world([], { specs: [linux], pendingJobs: [aJob(42)] }), opts);
  assert.equal(p.add.length, 1);
  assert.deepEqual({ ...p.add[0], podName: undefined }, { podName: undefined, specName: 'linux', reason: 'pending-jobs', jobRequestIds: [42] });
  assert.match(p.add[0]!.podName, /^linux-[a-z0-9]{5,8}$/);
  assert.equal(p.summaries[0]!.pendingJobs, 1);
});

test('a job whose demands match two specs scales exactly one', () => {
  const a = aSpec('a', { capabilities: ['docker'] });
  const b = aSpec('b', { capabilities: ['docker', 'java=17'] });
  const p = plan(world([], { specs: [a, b], pendingJobs: [aJob(1, { demands: ['docker'] })] }), opts);
  assert.deepEqual(p.add.map((x) => x.specName), ['a']);
});

test('a job whose demands no spec meets adds nothing and is reported unmatched', () => {
  const p = plan(world([], { specs: [linux], pendingJobs: [aJob(1, { demands: ['gpu'] })] }), opts);
  assert.deepEqual(p.add, []);
  assert.equal(p.unmatchedJobs[0]!.requestId, 1);
});

test('a cancelled request adds no agent', () => {
  const p = plan(world([], { specs: [linux], pendingJobs: [aJob(1, { result: 'canceled', finishTime: at(2) })] }), opts);
  assert.deepEqual(p.add, []);
});

test('a job already running on a busy agent does not add another agent', () => {
  const b = busyOf(linux, 'linux-busy1', 5);
  const p = plan(world([b], { specs: [linux], pendingJobs: [aJob(5)] }), opts);
  assert.deepEqual(p.add, []);
});

test('a starting agent covers a pending job: no second agent while the first is starting', () => {
  const s = startingOf(linux, 'linux-start', { jobRequestIds: [1] });
  const p = plan(world([s], { specs: [linux], pendingJobs: [aJob(1)] }), opts);
  assert.deepEqual(p.add, []);
  assert.equal(p.summaries[0]!.starting, 1);
});

test('an idle agent covers a pending job', () => {
  const p = plan(world([idleOf(linux, 'linux-idle1')], { specs: [linux], pendingJobs: [aJob(1)] }), opts);
  assert.deepEqual(p.add, []);
  assert.deepEqual(p.remove, []);
});

test('new jobs not covered by starting pods get their own agents, with their ids', () => {
  const s = startingOf(linux, 'linux-start', { jobRequestIds: [2] });
  const p = plan(world([s], { specs: [linux], pendingJobs: [aJob(1), aJob(2), aJob(3)] }), opts);
  assert.deepEqual(p.add.map((a) => a.jobRequestIds), [[1], [3]]);
});

test('standby means idle agents on top of busy ones, not a floor on total pods', () => {
  const spec = aSpec('linux', { standby: 1 });
  const p = plan(world([busyOf(spec, 'linux-busy1', 1), busyOf(spec, 'linux-busy2', 2)], { specs: [spec] }), opts);
  assert.deepEqual(p.add.map((a) => a.reason), ['standby']);
  assert.deepEqual(p.add[0]!.jobRequestIds, []);
});

test('standby is on top of pending jobs', () => {
  const spec = aSpec('linux', { standby: 1 });
  const p = plan(world([], { specs: [spec], pendingJobs: [aJob(1)] }), opts);
  assert.deepEqual(p.add.map((a) => a.reason), ['pending-jobs', 'standby']);
});

test('an idle standby agent already present adds nothing', () => {
  const spec = aSpec('linux', { standby: 1 });
  assert.deepEqual(plan(world([idleOf(spec, 'linux-idle1')], { specs: [spec] }), opts).add, []);
});

test('idle agents above pending plus standby are removed, oldest first, with their agent id', () => {
  const spec = aSpec('linux', { standby: 1 });
  const a = idleOf(spec, 'linux-aaaaa', { createdAt: minutes(0) });
  const b = idleOf(spec, 'linux-bbbbb', { createdAt: minutes(-5) });
  const c = idleOf(spec, 'linux-ccccc', { createdAt: minutes(-1) });
  const p = plan(world([a, b, c], { specs: [spec], now: minutes(1) }), opts);
  assert.deepEqual(p.remove.map((r) => [r.podName, r.reason, r.agentId]), [
    ['linux-bbbbb', 'scale-down', b.agent.id],
    ['linux-ccccc', 'scale-down', c.agent.id],
  ]);
  assert.deepEqual(p.add, []);
});

test('scale-down removes old-revision idle agents before newer-revision ones', () => {
  const spec = aSpec('linux');
  const young = idleOf(spec, 'linux-aaaaa', { createdAt: minutes(-10) });
  const oldRev = idleOf(spec, 'linux-bbbbb', { createdAt: minutes(0), ...old });
  const p = plan(world([young, oldRev], { specs: [spec], pendingJobs: [aJob(1)], now: minutes(1) }), opts);
  assert.deepEqual(p.remove.map((r) => [r.podName, r.reason]), [['linux-bbbbb', 'scale-down']]);
  assert.deepEqual(p.add, []);
});

test('a busy agent above standby is never removed', () => {
  const p = plan(world([busyOf(linux, 'linux-busy1', 1), busyOf(linux, 'linux-busy2', 2)], { specs: [linux] }), opts);
  assert.deepEqual(p.remove, []);
  assert.deepEqual(p.unregister, []);
});

test('a starting agent is never scaled down', () => {
  const p = plan(world([startingOf(linux, 'linux-start')], { specs: [linux] }), opts);
  assert.deepEqual(p.remove, []);
});

test('an idle agent of an old revision is rotated: removed (agent id set) and replaced', () => {
  const spec = aSpec('linux', { standby: 1 });
  const o = idleOf(spec, 'linux-olddd', old);
  const p = plan(world([o], { specs: [spec] }), opts);
  assert.deepEqual(p.remove.map((r) => [r.podName, r.reason, r.agentId]), [['linux-olddd', 'rotation', o.agent.id]]);
  assert.deepEqual(p.add.map((a) => a.reason), ['rotation']);
});

test('a disabled old-revision agent (drained in this pass) is replaced as a rotation, not as standby', () => {
  const spec = aSpec('linux', { standby: 1 });
  const o = idleOf(spec, 'linux-olddd', old);
  const drained = { ...o, agent: { ...o.agent, enabled: false } };
  const p = plan(world([drained], { specs: [spec] }), opts);
  assert.deepEqual(p.remove.map((r) => [r.podName, r.reason]), [['linux-olddd', 'rotation']]);
  assert.deepEqual(p.add.map((a) => a.reason), ['rotation']);
});

test('rotation never touches a busy or starting agent of an old revision', () => {
  const p = plan(world([busyOf(linux, 'linux-busy1', 1, old), startingOf(linux, 'linux-start', old)], { specs: [linux] }), opts);
  assert.deepEqual(p.remove, []);
});

test('a rotated agent needed for a pending job is replaced for that job', () => {
  const o = idleOf(linux, 'linux-olddd', old);
  const p = plan(world([o], { specs: [linux], pendingJobs: [aJob(9)] }), opts);
  assert.deepEqual(p.remove.map((r) => r.reason), ['rotation']);
  assert.deepEqual(p.add.map((a) => [a.reason, a.jobRequestIds]), [['pending-jobs', [9]]]);
});

test('maxAgents caps scale-out and the summary says by how much', () => {
  const spec = aSpec('linux', { maxAgents: 2 });
  const p = plan(world([busyOf(spec, 'linux-busy1', 1)], { specs: [spec], pendingJobs: [aJob(2), aJob(3), aJob(4)] }), opts);
  assert.deepEqual(p.add.map((a) => a.jobRequestIds), [[2]]);
  assert.equal(p.summaries[0]!.cappedBy, 2);
  assert.equal(p.summaries[0]!.max, 2);
});

test('globalMaxAgents caps across specs, oldest jobs first', () => {
  const a = aSpec('a', { capabilities: ['x'] });
  const b = aSpec('b', { capabilities: ['y'] });
  const jobs = [aJob(1, { demands: ['y'], queueTime: at(1) }), aJob(2, { demands: ['x'], queueTime: at(2) }), aJob(3, { demands: ['x'], queueTime: at(3) })];
  const p = plan(world([], { specs: [a, b], pendingJobs: jobs, globalMaxAgents: 2 }), opts);
  assert.deepEqual(p.add.map((x) => [x.specName, x.jobRequestIds[0]]), [['a', 2], ['b', 1]]);
  assert.equal(p.summaries.find((s) => s.specName === 'a')!.cappedBy, 1);
  assert.equal(p.summaries.find((s) => s.specName === 'b')!.cappedBy, 0);
});

test('pending jobs win the global cap over standby', () => {
  const a = aSpec('a', { standby: 2 });
  const b = aSpec('b', { capabilities: ['y'] });
  const p = plan(world([], { specs: [a, b], pendingJobs: [aJob(1, { demands: ['y'] })], globalMaxAgents: 1 }), opts);
  assert.deepEqual(p.add.map((x) => [x.specName, x.reason]), [['b', 'pending-jobs']]);
});

test('a pod stuck in ImagePullBackOff past its deadline is pruned and no longer counts toward the cap', () => {
  const spec = aSpec('linux', { maxAgents: 1 });
  const s = startingOf(spec, 'linux-stuck');
  const stuck = { ...s, pod: { ...s.pod, waitingReason: 'ImagePullBackOff' } };
  const p = plan(world([stuck], { specs: [spec], pendingJobs: [aJob(1)], now: minutes(11) }), opts);
  assert.deepEqual(p.remove.map((r) => [r.podName, r.reason]), [['linux-stuck', 'image-pull-deadline']]);
  assert.equal(p.add.length, 1);
});

test('a disabled agent (interrupted removal) is removed and not counted as available', () => {
  const spec = aSpec('linux', { standby: 1 });
  const d = idleOf(spec, 'linux-disab');
  const disabled = { ...d, agent: { ...d.agent, enabled: false } };
  const p = plan(world([disabled], { specs: [spec] }), opts);
  assert.deepEqual(p.remove.map((r) => [r.podName, r.reason, r.agentId]), [['linux-disab', 'scale-down', d.agent.id]]);
  assert.deepEqual(p.add.map((a) => a.reason), ['standby']);
});

test('new pod names avoid existing manifests and agent names', () => {
  const spec = aSpec('linux', { standby: 3 });
  const p1 = plan(world([], { specs: [spec] }), opts);
  const taken = p1.add[0]!.podName;
  const p2 = plan(world([], { specs: [spec], agents: [anAgent(taken, { status: 'offline' })] }), opts);
  assert.ok(!p2.add.some((a) => a.podName === taken));
  assert.equal(new Set(p2.add.map((a) => a.podName)).size, 3);
});

test('the summary reports standby, pending, busy, idle, starting, desired and max', () => {
  const spec = aSpec('linux', { standby: 1, maxAgents: 5 });
  const p = plan(world([busyOf(spec, 'linux-busy1', 1), idleOf(spec, 'linux-idle1'), startingOf(spec, 'linux-start')], { specs: [spec], pendingJobs: [aJob(2)] }), opts);
  assert.deepEqual(p.summaries, [{ specName: 'linux', pool: 'k8s-agents', revision: spec.revision, standby: 1, pendingJobs: 1, busy: 1, idle: 1, starting: 1, desired: 3, max: 5, cappedBy: 0 }]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentSpecEvents, agentSpecStatus, poolMissingError, statusChanged, type AgentSpecStatus } from '../../reconciler/plan/agentSpecStatus.ts';
import { plan } from '../../reconciler/plan/plan.ts';
import type { ObservedState } from '../../reconciler/plan/observed.ts';
import type { PassReport } from '../../reconciler/plan/passReport.ts';
import type { SpecHold } from '../../reconciler/plan/podFailureBackoff.ts';
import { aJob, aPod, aSpec, busyOf, idleOf, minutes, world } from '../helpers/fixtures.ts';

const TIP = 'a'.repeat(40);

/** The report a pass would make of `o` (the plan is the real one). */
function reportOf(o: ObservedState, extra: Partial<PassReport> = {}, holds?: ReadonlyMap<string, SpecHold>): PassReport {
  return {
    passId: o.now.toISOString(),
    mode: 'apply',
    startedAt: o.now,
    durationMs: 1,
    tip: TIP,
    plan: plan(o, { nameSeed: 'seed', holds }),
    specErrors: o.specErrors,
    podsObserved: o.pods !== undefined,
    commit: undefined,
    pushAttempts: 0,
    disabled: [],
    keptBusy: [],
    unregistered: [],
    placeholdersRegistered: [],
    failures: [],
    holdsStarted: [],
    observed: { pendingJobs: o.pendingJobs.length, agents: o.agents.length, manifests: o.manifests.length, pods: o.pods?.length },
    ...extra,
  };
}

const cond = (s: AgentSpecStatus, type: string) => s.conditions.find((c) => c.type === type)!;

test('the status numbers are the pass summary of the spec (what status --json prints)', () => {
  const linux = aSpec('linux', { maxAgents: 5 });
  const o = world([idleOf(linux, 'linux-a'), busyOf(linux, 'linux-b', 7)], { specs: [linux], pendingJobs: [aJob(8), aJob(9)] });
  const r = reportOf(o);
  const summary = r.plan.summaries.find((s) => s.specName === 'linux')!;
  const s = agentSpecStatus('linux', r, o.pods, undefined);
  assert.deepEqual(
    { desired: s.desired, busy: s.busy, idle: s.idle, starting: s.starting, pendingJobs: s.pendingJobs, cappedBy: s.cappedBy, revision: s.revision },
    { desired: summary.desired, busy: summary.busy, idle: summary.idle, starting: summary.starting, pendingJobs: summary.pendingJobs, cappedBy: summary.cappedBy, revision: summary.revision },
  );
  assert.equal(s.busy, 1);
  assert.equal(s.idle, 1);
  assert.equal(s.lastCommit, TIP);
  assert.equal(s.lastPassTime, o.now.toISOString());
  assert.equal(cond(s, 'Ready').status, 'True');
  assert.equal(cond(s, 'Degraded').status, 'False');
  assert.equal(cond(s, 'CapacityCapped').status, 'False');
});

test('demand beyond maxAgents sets cappedBy and CapacityCapped', () => {
  const linux = aSpec('linux', { maxAgents: 1 });
  const o = world([], { specs: [linux], pendingJobs: [aJob(1), aJob(2), aJob(3)] });
  const s = agentSpecStatus('linux', reportOf(o), o.pods, undefined);
  assert.ok(s.cappedBy > 0);
  assert.equal(cond(s, 'CapacityCapped').status, 'True');
  assert.equal(cond(s, 'CapacityCapped').reason, 'MaxAgents');
});

test('a pod waiting on a missing Secret makes Ready false with the Secret named', () => {
  const linux = aSpec('linux');
  const o = world([], {
    specs: [linux],
    pods: [aPod('linux-x', { specName: 'linux', phase: 'Pending', waitingReason: 'CreateContainerConfigError', waitingMessage: 'secret "azdo-agent-token" not found' })],
  });
  const s = agentSpecStatus('linux', reportOf(o), o.pods, undefined);
  assert.equal(cond(s, 'Ready').status, 'False');
  assert.equal(cond(s, 'Ready').reason, 'CreateContainerConfigError');
  assert.match(cond(s, 'Ready').message, /azdo-agent-token/);
  assert.equal(cond(s, 'Degraded').status, 'True');
});

test('a hold after failing pods reports backingOff and the pull failure as ImagePullBackOff', () => {
  const linux = aSpec('linux');
  const o = world([], { specs: [linux], pendingJobs: [aJob(1)] });
  const hold: SpecHold = { specName: 'linux', revision: linux.revision, failures: 2, since: o.now, until: minutes(5), podName: 'linux-p', reason: 'ErrImagePull: manifest unknown' };
  const r = reportOf(o, { holdsStarted: [hold] }, new Map([['linux', hold]]));
  const s = agentSpecStatus('linux', r, o.pods, undefined);
  assert.equal(s.backingOff, true);
  assert.equal(cond(s, 'Ready').reason, 'ImagePullBackOff');
  const events = agentSpecEvents('linux', r, undefined, s);
  assert.deepEqual(events.map((e) => [e.type, e.reason]), [['Warning', 'BackOff'], ['Warning', 'ImagePullBackOff']]);
});

test('a spec invalid in git is reported on its AgentSpec as SpecInvalid with the file and field', () => {
  const o = world([], { specErrors: [{ file: 'agentspecs/win.yaml', field: 'spec.maxAgents', message: 'must be an integer', hint: 'e.g. 5', specName: 'win' }] });
  const s = agentSpecStatus('win', reportOf(o), o.pods, undefined);
  assert.equal(cond(s, 'Ready').status, 'False');
  assert.equal(cond(s, 'Ready').reason, 'SpecInvalid');
  assert.match(cond(s, 'Ready').message, /agentspecs\/win\.yaml: spec\.maxAgents: must be an integer/);
  assert.equal(s.revision, '');
});

test('a spec whose pool is missing is reported as PoolMissing', () => {
  const linux = aSpec('linux', { pool: 'nowhere' });
  const o = world([], { specErrors: [poolMissingError(linux)] });
  const s = agentSpecStatus('linux', reportOf(o), o.pods, undefined);
  assert.equal(cond(s, 'Ready').reason, 'PoolMissing');
  assert.match(cond(s, 'Ready').message, /nowhere/);
});

test('an AgentSpec in the cluster with no spec in git is NotInGit', () => {
  const o = world([], {});
  const s = agentSpecStatus('ghost', reportOf(o), o.pods, undefined);
  assert.equal(cond(s, 'Ready').reason, 'NotInGit');
});

test('a status that only aged is not written again; a changed number or condition is, and transition times stay', () => {
  const linux = aSpec('linux');
  const o1 = world([idleOf(linux, 'linux-a')], { specs: [linux] });
  const first = agentSpecStatus('linux', reportOf(o1), o1.pods, undefined);
  assert.equal(statusChanged(undefined, first), true);
  const o2 = { ...o1, now: minutes(2) };
  const again = agentSpecStatus('linux', reportOf(o2), o2.pods, first);
  assert.notEqual(again.lastPassTime, first.lastPassTime);
  assert.equal(statusChanged(first, again), false);
  assert.equal(cond(again, 'Ready').lastTransitionTime, cond(first, 'Ready').lastTransitionTime);
  const o3 = world([idleOf(linux, 'linux-a')], { specs: [linux], pendingJobs: [aJob(4)], now: minutes(3) });
  const busier = agentSpecStatus('linux', reportOf(o3), o3.pods, again);
  assert.equal(statusChanged(again, busier), true);
});

test('Events: scale-ups and prunes only with a pushed commit; a Ready that was already false with the same reason says nothing again', () => {
  const linux = aSpec('linux');
  const o = world([], { specs: [linux], pendingJobs: [aJob(11)] });
  const planned = reportOf(o);
  assert.ok(planned.plan.add.length > 0);
  const s = agentSpecStatus('linux', planned, o.pods, undefined);
  assert.deepEqual(agentSpecEvents('linux', planned, undefined, s), []);
  const pushed = { ...planned, commit: 'b'.repeat(40) };
  const events = agentSpecEvents('linux', pushed, undefined, s);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.reason, 'ScaledUp');
  assert.match(events[0]!.message, /job request 11 in bbbbbbbbbbbb/);

  const bad = world([], { specErrors: [{ file: 'agentspecs/win.yaml', field: '', message: 'broken', hint: 'fix', specName: 'win' }] });
  const r = reportOf(bad);
  const once = agentSpecStatus('win', r, bad.pods, undefined);
  assert.deepEqual(agentSpecEvents('win', r, undefined, once).map((e) => e.reason), ['SpecInvalid']);
  const twice = agentSpecStatus('win', r, bad.pods, once);
  assert.deepEqual(agentSpecEvents('win', r, once, twice), []);
});

// The simulator's invariants catch what they are for: each rule is broken by hand once here,
// through the same models a run uses, and must be reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterModel } from '../../sim/clusterModel.ts';
import { GitRemote } from '../../sim/gitRemote.ts';
import { Invariants, type InvariantName } from '../../sim/invariants.ts';
import { Rng } from '../../sim/random.ts';
import { registerAgent, ServiceModel } from '../../sim/serviceModel.ts';
import { DEFAULT_SPECS, initialFiles, PATHS, POOL } from '../../sim/specs.ts';
import { VirtualTime } from '../../sim/virtualTime.ts';

function world() {
  const vt = new VirtualTime(0);
  const svc = new ServiceModel(vt);
  const pool = svc.state.addPool(POOL);
  const remote = new GitRemote(initialFiles(DEFAULT_SPECS), 0);
  const cluster = new ClusterModel(vt, new Rng(1), svc, remote, PATHS.agents);
  const inv = new Invariants({ remote, svc, cluster, specs: new Map(DEFAULT_SPECS.map((s) => [s.name, s])), globalMaxAgents: 6, note: () => {}, now: () => vt.now() });
  remote.onPush = (c) => {
    if (c.author === 'reconciler') inv.reconcilerPushed(c, { agentsRead: true, jobsRead: true });
  };
  const push = (edit: (files: Map<string, string>) => void) => {
    const files = new Map(remote.tipCommit().files);
    edit(files);
    return remote.push(remote.create(remote.tip, files, 'reconciler', 'test', 0).oid);
  };
  return { vt, svc, pool, remote, inv, push };
}

const names = (inv: Invariants): InvariantName[] => inv.violations.map((v) => v.invariant);
const pod = (spec: string, n: number) => `${PATHS.agents}/pods/${spec}/${spec}-${n}.yaml`;

test('a commit adding a fifth linux agent (maxAgents 4) breaks spec-cap; four do not', () => {
  const w = world();
  assert.ok(
    w.push((f) => {
      for (const i of [1, 2, 3, 4]) f.set(pod('linux', i), 'x');
    }),
  );
  assert.deepEqual(names(w.inv), []);
  w.push((f) => f.set(pod('linux', 5), 'x'));
  assert.deepEqual(names(w.inv), ['spec-cap']);
});

test('a commit adding a seventh agent in all (MAX_AGENTS 6) breaks global-cap', () => {
  const w = world();
  w.push((f) => {
    for (const i of [1, 2, 3, 4]) f.set(pod('linux', i), 'x');
    for (const i of [1, 2, 3]) f.set(pod('docker', i), 'x');
  });
  assert.deepEqual(names(w.inv), ['global-cap']);
});

test('removing the manifest of an agent that runs a job breaks busy-agent-removed', () => {
  const w = world();
  w.push((f) => f.set(pod('linux', 1), 'x'));
  const a = registerAgent(w.svc, w.pool.id, 'linux-1', { 'Agent.Version': '4.260.0' }, {}, '4.260.0');
  a.assignedRequestId = 42;
  w.push((f) => f.delete(pod('linux', 1)));
  assert.deepEqual(names(w.inv), ['busy-agent-removed']);
});

test('unregistering an agent whose manifest is still on the remote, or that holds a job, is reported', () => {
  const w = world();
  w.push((f) => f.set(pod('linux', 1), 'x'));
  const a = registerAgent(w.svc, w.pool.id, 'linux-1', {}, {}, '4.260.0');
  w.inv.unregistering(a, { agentsRead: true, jobsRead: true });
  assert.deepEqual(names(w.inv), ['unregistered-before-commit']);
  const b = registerAgent(w.svc, w.pool.id, 'linux-2', {}, {}, '4.260.0');
  b.assignedRequestId = 7;
  w.inv.unregistering(b, { agentsRead: false, jobsRead: true });
  assert.deepEqual(names(w.inv), ['unregistered-before-commit', 'busy-agent-unregistered', 'removed-without-reading']);
});

test("a reconciler commit that reverts a person's file breaks person-commit-lost", () => {
  const w = world();
  const c = w.remote.commitAsPerson((f) => {
    f.set('notes/1.md', 'mine\n');
    return 'note';
  }, 0);
  w.inv.personCommitted(c);
  w.push((f) => f.set(pod('linux', 1), 'x'));
  assert.deepEqual(names(w.inv), []);
  w.push((f) => f.delete('notes/1.md'));
  assert.deepEqual(names(w.inv), ['person-commit-lost']);
});

test('a push on a tip that moved is rejected (non-fast-forward)', () => {
  const w = world();
  const stale = w.remote.tip;
  w.remote.commitAsPerson(() => 'someone else', 0);
  const mine = w.remote.create(stale, new Map(), 'reconciler', 'late', 0);
  assert.equal(w.remote.push(mine.oid), false);
});

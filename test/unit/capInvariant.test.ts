import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Plan } from '../../reconciler/plan/changes.ts';
import { isOwnReplan, observedAfterDrain, type DrainOutcome } from '../../reconciler/plan/drainOutcome.ts';
import type { ObservedState } from '../../reconciler/plan/observed.ts';
import { plan } from '../../reconciler/plan/plan.ts';
import type { AgentSpec } from '../../reconciler/agentspec/agentSpec.ts';
import type { SpecError } from '../../reconciler/agentspec/specError.ts';
import { capViolations, countBy } from '../helpers/capInvariant.ts';
import { aJob, aSpec, busyOf, idleOf, startingOf, world } from '../helpers/fixtures.ts';
import { seededRandom } from '../helpers/seededRandom.ts';

const opts = { nameSeed: 'pass-1' };
const old = { revision: 'oldrev0000' };

/** The re-plan apply makes after its drain, from the same observation. */
function replan(o: ObservedState, outcome: DrainOutcome): Plan {
  return plan(observedAfterDrain(o, outcome), { ...opts, drained: outcome.confirmedIdle });
}

function violations(o: ObservedState, p: Plan, where: string): string[] {
  const before = countBy(o.manifests, (m) => m.specName);
  const after = new Map(before);
  for (const r of p.remove) after.set(r.specName, (after.get(r.specName) ?? 0) - 1);
  for (const a of p.add) after.set(a.specName, (after.get(a.specName) ?? 0) + 1);
  return capViolations({
    where,
    before,
    after,
    added: countBy(p.add, (a) => a.specName),
    maxAgents: new Map(o.specs.map((s) => [s.name, s.maxAgents])),
    globalMaxAgents: o.globalMaxAgents,
  });
}

const drainable = (p: Plan) => p.remove.filter((r) => r.agentId !== undefined).map((r) => r.podName);

test('a rotation whose disable failed adds no replacement beside the agent it would replace', () => {
  const spec = aSpec('linux', { standby: 1, maxAgents: 1 });
  const o = world([idleOf(spec, 'linux-olddd', old)], { specs: [spec] });
  const first = plan(o, opts);
  assert.deepEqual(first.add.map((a) => a.reason), ['rotation']);
  const p = replan(o, { confirmedIdle: new Set(), tookAJob: [] });
  assert.deepEqual(p.remove, []);
  assert.deepEqual(p.add, []);
});

test('a scale-down whose agent took a job keeps the agent and adds nothing in its place', () => {
  const spec = aSpec('linux', { standby: 0, maxAgents: 2 });
  const o = world([idleOf(spec, 'linux-idle1'), busyOf(spec, 'linux-busy1', 1)], { specs: [spec] });
  assert.deepEqual(drainable(plan(o, opts)), ['linux-idle1']);
  const p = replan(o, { confirmedIdle: new Set(), tookAJob: [{ agent: 'linux-idle1', requestId: 2 }] });
  assert.deepEqual(p.remove, []);
  assert.deepEqual(p.add, []);
});

test('only drained agents leave in the re-plan, and their room is what the adds use', () => {
  const spec = aSpec('linux', { standby: 2, maxAgents: 2 });
  const o = world([idleOf(spec, 'linux-olda1', old), idleOf(spec, 'linux-oldb2', old)], { specs: [spec] });
  const p = replan(o, { confirmedIdle: new Set(['linux-olda1']), tookAJob: [] });
  assert.deepEqual(p.remove.map((r) => r.podName), ['linux-olda1']);
  assert.equal(p.add.length, 1);
  assert.deepEqual(violations(o, p, 'partial drain'), []);
});

test('an agent whose pod was seen deleted is drained before its manifest goes', () => {
  const spec = aSpec('linux');
  const b = idleOf(spec, 'linux-gone1');
  const o = world([{ ...b, pod: undefined }], { specs: [spec] });
  const first = plan(o, opts);
  assert.deepEqual(first.remove.map((r) => [r.reason, r.agentId]), [['pod-deleted', b.agent.id]]);
  assert.deepEqual(replan(o, { confirmedIdle: new Set(), tookAJob: [] }).remove, []);
  assert.deepEqual(replan(o, { confirmedIdle: new Set(), tookAJob: [] }).unregister, []);
  const confirmed = replan(o, { confirmedIdle: new Set(['linux-gone1']), tookAJob: [] });
  assert.deepEqual(confirmed.remove.map((r) => r.reason), ['pod-deleted']);
  assert.deepEqual(confirmed.unregister.map((u) => u.name), ['linux-gone1']);
});


function randomWorld(r: () => number): ObservedState {
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const specs: AgentSpec[] = ['a', 'b', 'c'].slice(0, 1 + int(3)).map((n) =>
    aSpec(n, { capabilities: [n], standby: int(3), maxAgents: 1 + int(4) }),
  );
  const bundles = [];
  let job = 1;
  for (const s of specs) {
    // Up to one above the cap: a person may have lowered maxAgents.
    for (let i = 0, n = int(s.maxAgents + 2); i < n; i++) {
      const name = `${s.prefix}-x${s.name}${i}yz`;
      const rev = r() < 0.4 ? old : {};
      const kind = pick(['idle', 'idle', 'busy', 'starting', 'disabled', 'finished', 'pod-deleted'] as const);
      const b = kind === 'busy' ? busyOf(s, name, 1000 + job++, rev) : kind === 'starting' ? startingOf(s, name, rev) : idleOf(s, name, rev);
      if (kind === 'disabled') bundles.push({ ...b, agent: { ...b.agent!, enabled: false } });
      else if (kind === 'finished') bundles.push({ ...b, pod: { ...b.pod!, phase: 'Succeeded' as const } });
      else if (kind === 'pod-deleted') bundles.push({ ...b, pod: undefined });
      else bundles.push(b);
    }
  }
  const pendingJobs = Array.from({ length: int(6) }, () => aJob(job++, { demands: [pick(specs).name] }));
  return world(bundles, { specs, pendingJobs, globalMaxAgents: 2 + int(8) });
}

test('whatever the drain confirms, refuses or sees taken, no plan adds beyond maxAgents or MAX_AGENTS', () => {
  for (let seed = 1; seed <= 3000; seed++) {
    const r = seededRandom(seed);
    const o = randomWorld(r);
    const first = plan(o, opts);
    assert.deepEqual(violations(o, first, `seed ${seed}, first plan`), []);
    const confirmedIdle = new Set<string>();
    const tookAJob: { agent: string; requestId: number }[] = [];
    for (const name of drainable(first)) {
      const roll = r();
      if (roll < 0.5) confirmedIdle.add(name);
      else if (roll < 0.75) tookAJob.push({ agent: name, requestId: 9000 + tookAJob.length });
      // else: the disable failed; the agent is as observed
    }
    const p = replan(o, { confirmedIdle, tookAJob });
    assert.deepEqual(violations(o, p, `seed ${seed}, re-plan`), []);
    for (const rm of p.remove) {
      if (rm.agentId !== undefined) assert.ok(confirmedIdle.has(rm.podName), `seed ${seed}: ${rm.podName} removed without being drained`);
    }
  }
});

test('a plan that removes no live agent is its own re-plan after the drain (isOwnReplan)', () => {
  let ownReplans = 0;
  for (let seed = 1; seed <= 3000; seed++) {
    const r = seededRandom(seed);
    const whole = randomWorld(r);
    // Some worlds lose a spec (its manifests leave as spec-removed), some with a spec error beside.
    const dropped = r() < 0.3 ? whole.specs.slice(1) : whole.specs;
    const specErrors: SpecError[] = r() < 0.3 ? [{ file: 'agentspecs/broken.yaml', field: '', message: 'unparseable', hint: 'YAML' }] : [];
    const o: ObservedState = { ...whole, specs: dropped, specErrors };
    const first = plan(o, opts);
    if (!isOwnReplan(first, o)) continue;
    ownReplans++;
    assert.deepEqual(replan(o, { confirmedIdle: new Set(), tookAJob: [] }), first, `seed ${seed}`);
  }
  assert.ok(ownReplans > 500, `only ${ownReplans} of 3000 worlds had nothing to drain`);
});

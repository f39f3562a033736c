// The production reconcile loop and pass in virtual time, against the emulator's scheduler, an
// in-memory git remote and a cluster model, with every fault kind; the invariants are checked at
// every step (sim/invariants.ts). `npm run sim -- --seeds N` searches further.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSeeds } from '../../sim/runSeeds.ts';
import { scenario, describe as describeScenario, FAULT_KINDS, type Scenario } from '../../sim/scenario.ts';
import { runScenario } from '../../sim/world.ts';

/** Short runs: 8 active minutes with every fault kind, then a healthy world until quiescence. */
const SHORT: Partial<Omit<Scenario, 'seed'>> = { activeMs: 8 * 60_000, settleMs: 15 * 60_000, jobsPerMinute: 2 };
const SEEDS = Number(process.env.SIM_TEST_SEEDS ?? 300);

/**
 * Seeds that once broke an invariant, kept so the fix stays fixed. Each names what it found.
 * (Scenario knobs as `npm run sim` prints them in its shrunk reproduction.)
 */
const REGRESSION_SEEDS: ReadonlyArray<{ readonly name: string; readonly scenario: Scenario }> = [
  {
    // The healthy phase started a process while a crashed one's restart was pending, and two
    // reconcilers ran at once; a push was judged against the other one's reads.
    name: 'a restart pending when the world turns healthy starts no second reconciler (seed 125)',
    scenario: scenario(125, { jobsPerMinute: 4, activeMs: 15 * 60_000 }),
  },
  {
    // An idle standby agent was listed, then took a job and was OOM-killed mid-job before the pass
    // took the pods: unregistered for its Failed pod while the service still held its job.
    name: 'an agent listed idle that took a job before its pod died is not unregistered under it (seed 917)',
    scenario: scenario(917, { faults: new Set(['throttle', 'server-errors', 'unreadable', 'slow-calls', 'pod-failures']), activeMs: 2 * 60_000 }),
  },
];

test('a run is a function of its seed: the same seed replays the same trace', async () => {
  const a = await runScenario(scenario(7, SHORT));
  const b = await runScenario(scenario(7, SHORT));
  assert.ok(a.stats.passes > 10 && a.stats.commits > 0, `the run did something: ${JSON.stringify(a.stats)}`);
  assert.deepEqual(b.trace, a.trace);
  assert.equal(b.steps, a.steps);
  const c = await runScenario(scenario(8, SHORT));
  assert.notDeepEqual(c.trace, a.trace, 'another seed, another run');
});

test(`${SEEDS} seeds with every fault kind keep every invariant`, async () => {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const s = await runSeeds(Array.from({ length: SEEDS }, (_, i) => 1000 + i), SHORT);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const failures = s.failing.map((r) => `${describeScenario(r.scenario)}\n  ${r.violations.map((v) => `${v.invariant}: ${v.detail}`).join('\n  ')}\n  trace:\n    ${r.trace.slice(-40).join('\n    ')}`);
  assert.equal(s.violations, 0, failures.join('\n\n'));
  assert.equal(s.seeds, SEEDS);
  process.stdout.write(`# ${SEEDS} seeds, ${s.steps} steps in ${Math.round(ms)} ms, ${Math.round((cpu.user + cpu.system) / 1000)} ms of CPU (${((SEEDS / ms) * 1000).toFixed(1)} seeds/s); slowest ${s.slowestSeedMs} ms\n`);
});

test('the faults happen: crashes, rejected pushes, other writers and leadership moves show in the runs', async () => {
  const s = await Promise.all([11, 12, 13].map((seed) => runScenario(scenario(seed, { ...SHORT, activeMs: 20 * 60_000 }))));
  const sum = (k: keyof (typeof s)[0]['stats']) => s.reduce((n, r) => n + r.stats[k], 0);
  assert.ok(sum('crashes') > 0, 'the reconciler crashed at least once');
  assert.ok(sum('pushRejections') > 0, 'a push lost to another writer at least once');
  assert.ok(s.some((r) => r.trace.some((l) => l.includes('person commits'))), 'people committed');
  assert.ok(sum('partitions') > 0 && sum('leaderChanges') > 0, `leadership moved between the replicas: ${JSON.stringify(s.map((r) => r.stats))}`);
  assert.equal(FAULT_KINDS.length, 9);
});

for (const r of REGRESSION_SEEDS) {
  test(`regression seed: ${r.name}`, async () => {
    const run = await runScenario(r.scenario);
    assert.deepEqual(run.violations, [], run.trace.slice(-40).join('\n'));
  });
}

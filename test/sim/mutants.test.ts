// The mutation harness (sim/mutants/): each mutant still applies to today's code, and the cap race
// of issue 7 re-introduced (cap-race.patch) is caught by the cap invariants on its regression seed
// with the harness's workload, while the unmutated code keeps every invariant on the same seed.
// `npm run sim:mutants` runs every mutant over many seeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { huntArgs, listMutants, mutantNamed, mutatedCopy, parseHunt, REPO_ROOT } from '../../sim/mutants/mutants.ts';

/**
 * The first seed at which `npm run sim:mutants -- --mutant cap-race` kills the cap race. Any
 * change to the simulator or the pass shifts the random streams, so the hunt starts here and goes
 * on for a few seeds rather than failing on drift; a kill that needs more is a weaker search.
 */
const CAP_RACE_SEED = 18;
const CAP_RACE_BUDGET = 30;

test('every mutant applies to the current tree', () => {
  const mutants = listMutants();
  assert.ok(mutants.length >= 4, mutants.map((m) => m.name).join(', '));
  for (const m of mutants) {
    assert.ok(m.description.length > 0, `${m.name}.patch says what it breaks above its diff`);
    execFileSync('git', ['apply', '--check', m.patchPath], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  }
});

test(`the cap race re-introduced breaks a cap from seed ${CAP_RACE_SEED} on; the code as it is keeps every invariant on that seed`, () => {
  const hunt = (mutant: string | undefined, seed: number, budget: number) => {
    const copy = mutatedCopy(mutant === undefined ? undefined : mutantNamed(mutant));
    try {
      return parseHunt(execFileSync(process.execPath, huntArgs(copy.dir, seed, budget), { cwd: copy.dir, encoding: 'utf8' }));
    } finally {
      copy.dispose();
    }
  };
  const mutated = hunt('cap-race', CAP_RACE_SEED, CAP_RACE_BUDGET);
  assert.ok(mutated.invariant === 'spec-cap' || mutated.invariant === 'global-cap', JSON.stringify(mutated));
  const unmutated = hunt(undefined, mutated.firstSeed ?? CAP_RACE_SEED, 1);
  assert.equal(unmutated.invariant, null, JSON.stringify(unmutated));
});

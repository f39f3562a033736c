// The mutation harness (sim/mutants/): each mutant still applies to today's code, and the cap race
// of issue 7 re-introduced (cap-race.patch) is caught by the cap invariants on its regression seed
// with the harness's workload, while the unmutated code keeps every invariant on the same seed.
// `npm run sim:mutants` runs every mutant over many seeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { huntArgs, listMutants, mutantNamed, mutatedCopy, parseHunt, REPO_ROOT } from '../../sim/mutants/mutants.ts';

/** The first seed at which `npm run sim:mutants -- --mutant cap-race` kills the cap race. */
const CAP_RACE_SEED = 4;

test('every mutant applies to the current tree', () => {
  const mutants = listMutants();
  assert.ok(mutants.length >= 4, mutants.map((m) => m.name).join(', '));
  for (const m of mutants) {
    assert.ok(m.description.length > 0, `${m.name}.patch says what it breaks above its diff`);
    execFileSync('git', ['apply', '--check', m.patchPath], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  }
});

test(`the cap race re-introduced breaks a cap on seed ${CAP_RACE_SEED}; the code as it is keeps every invariant there`, () => {
  const hunt = (mutant: string | undefined) => {
    const copy = mutatedCopy(mutant === undefined ? undefined : mutantNamed(mutant));
    try {
      return parseHunt(execFileSync(process.execPath, huntArgs(copy.dir, CAP_RACE_SEED, 1), { cwd: copy.dir, encoding: 'utf8' }));
    } finally {
      copy.dispose();
    }
  };
  const mutated = hunt('cap-race');
  assert.ok(mutated.invariant === 'spec-cap' || mutated.invariant === 'global-cap', JSON.stringify(mutated));
  const unmutated = hunt(undefined);
  assert.equal(unmutated.invariant, null, JSON.stringify(unmutated));
});

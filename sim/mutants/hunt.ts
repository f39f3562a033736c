// Runs seeds of one workload in the tree it sits in and stops at the first violation; prints one
// JSON line {seedsRun, firstSeed, invariant, detail}. The mutation harness runs it inside a
// mutated copy of the repository (sim/mutants/main.ts); it knows nothing of the mutant.
// node sim/mutants/hunt.ts --seed S --budget N [--faults all] [--active-minutes M] [--jobs-per-minute R]
import { parseArgs } from 'node:util';
import { parseFaults } from '../scenario.ts';
import { scenario } from '../scenario.ts';
import { runScenario } from '../world.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    budget: { type: 'string', default: '2000' },
    faults: { type: 'string', default: 'all' },
    'active-minutes': { type: 'string', default: '20' },
    'jobs-per-minute': { type: 'string', default: '1.5' },
  },
});
const first = Number(values.seed);
const budget = Number(values.budget);
const over = { faults: parseFaults(values.faults), activeMs: Number(values['active-minutes']) * 60_000, jobsPerMinute: Number(values['jobs-per-minute']) };
let run = 0;
let found: { firstSeed: number; invariant: string; detail: string } | undefined;
for (let seed = first; seed < first + budget; seed++) {
  run++;
  let v: { invariant: string; detail: string } | undefined;
  try {
    v = (await runScenario(scenario(seed, over))).violations[0];
  } catch (err) {
    // The simulator itself failed on this tree: reported as such, not as an invariant.
    v = { invariant: 'run-threw', detail: String((err as Error)?.stack ?? err) };
  }
  if (v) {
    found = { firstSeed: seed, invariant: v.invariant, detail: v.detail };
    break;
  }
}
process.stdout.write(`${JSON.stringify({ seedsRun: run, firstSeed: found?.firstSeed ?? null, invariant: found?.invariant ?? null, detail: found?.detail ?? null })}\n`);

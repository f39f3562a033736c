// npm run sim -- --seeds N [--seed S] [--faults all|none|a,b] [--active-minutes M] [--jobs-per-minute R] [--no-shrink]
// Runs seeds S..S+N-1 and prints one JSON line {seeds, steps, violations, byInvariant, slowestSeedMs};
// for the first failing seed, its shrunk reproduction and trace go to stderr. Exit 1 on a violation.
import { parseArgs } from 'node:util';
import { parseFaults, describe } from './scenario.ts';
import { runSeeds, shrink } from './runSeeds.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    faults: { type: 'string', default: 'all' },
    'active-minutes': { type: 'string', default: '20' },
    'jobs-per-minute': { type: 'string', default: '1.5' },
    'no-shrink': { type: 'boolean', default: false },
  },
});

const count = Number(values.seeds);
const first = Number(values.seed);
if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(first)) {
  process.stderr.write('--seeds and --seed take whole numbers, e.g. --seeds 500 --seed 1\n');
  process.exit(2);
}
const over = {
  faults: parseFaults(values.faults),
  activeMs: Number(values['active-minutes']) * 60_000,
  jobsPerMinute: Number(values['jobs-per-minute']),
};
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const seeds = Array.from({ length: count }, (_, i) => first + i);
const summary = await runSeeds(seeds, over);
const wallMs = Math.round(performance.now() - t0);
const cpu = process.cpuUsage(cpu0);
const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
const { failing, ...line } = summary;
// Wall time depends on what else the machine runs; CPU time per seed does much less.
process.stdout.write(JSON.stringify({ ...line, wallMs, cpuMs, seedsPerSecond: Math.round((summary.seeds / wallMs) * 1000 * 10) / 10, seedsPerCpuSecond: Math.round((summary.seeds / cpuMs) * 1000 * 10) / 10 }) + '\n');
if (failing.length > 0) {
  const f = failing[0]!;
  const small = values['no-shrink'] ? f : await shrink(f);
  process.stderr.write(`\nfirst failing seed: ${describe(f.scenario)}\n${f.violations.map((v) => `  ${v.invariant}: ${v.detail}`).join('\n')}\n`);
  process.stderr.write(`shrunk reproduction: npm run sim -- --seeds 1 ${describe(small.scenario)}\ntrace (last lines):\n${small.trace.slice(-60).join('\n')}\n`);
  process.exitCode = 1;
}

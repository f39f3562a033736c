// npm run sim:mutants -- [--mutant a,b|none] [--budget 2000] [--seed 1] [--control] [--jobs 1]
// The mutation harness: for each mutant (sim/mutants/*.patch), a copy of the repository with the
// patch applied runs the simulator's seeds from --seed until the first violation or --budget
// seeds, and one JSON line {mutant, killed, seedsRun, firstSeed, invariant, detail, wallMs} is
// printed. Every mutant gets the same workload, faults and invariants: the simulator is not told
// where the bug is. --control also runs the unmutated tree (mutant "none", last), which must survive.
// Exit 1 when a mutant survives or the control is killed.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { huntArgs, listMutants, mutantNamed, mutatedCopy, parseHunt, type Mutant } from './mutants.ts';

const { values } = parseArgs({
  options: {
    mutant: { type: 'string' },
    budget: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    control: { type: 'boolean', default: false },
    jobs: { type: 'string', default: '1' },
  },
});
const budget = Number(values.budget);
const first = Number(values.seed);
const jobs = Number(values.jobs);
if (![budget, first, jobs].every(Number.isSafeInteger) || budget < 1 || jobs < 1) {
  process.stderr.write('--budget, --seed and --jobs take whole numbers, e.g. --budget 500 --seed 1 --jobs 2\n');
  process.exit(2);
}
// "none" is the unmutated tree (the control).
const chosen: (Mutant | undefined)[] = values.mutant ? values.mutant.split(',').map((n) => (n.trim() === 'none' ? undefined : mutantNamed(n.trim()))) : listMutants();
// The control last: mutants report first, the control runs the whole budget.
if (values.control) chosen.push(undefined);
// Every copy is taken now, so the whole run tests one tree even if the working tree changes meanwhile.
const copies = chosen.map((m) => mutatedCopy(m));

interface Line {
  readonly mutant: string;
  readonly killed: boolean;
  readonly seedsRun: number;
  readonly firstSeed: number | null;
  readonly invariant: string | null;
  readonly detail: string | null;
  readonly wallMs: number;
}

async function hunt(mutant: Mutant | undefined, copy: ReturnType<typeof mutatedCopy>): Promise<Line> {
  const t0 = performance.now();
  try {
    const out = await new Promise<string>((res, rej) => {
      const child = spawn(process.execPath, huntArgs(copy.dir, first, budget), { cwd: copy.dir, stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (b: Buffer) => (text += b.toString()));
      child.on('error', rej);
      child.on('close', (code) => (code === 0 ? res(text) : rej(new Error(`the simulator exited ${code} on mutant ${mutant?.name ?? 'none'}`))));
    });
    const r = parseHunt(out);
    return { mutant: mutant?.name ?? 'none', killed: r.invariant !== null, ...r, wallMs: Math.round(performance.now() - t0) };
  } finally {
    copy.dispose();
  }
}

let bad = false;
const queue = chosen.map((m, i) => ({ m, copy: copies[i]! }));
await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, async () => {
  while (queue.length > 0) {
    const { m, copy } = queue.shift()!;
    const line = await hunt(m, copy);
    if (line.killed === (m === undefined)) bad = true;
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}));
process.exitCode = bad ? 1 : 0;

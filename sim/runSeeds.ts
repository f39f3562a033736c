// Runs many seeds and sums them up; shrinks a failing scenario to a short reproduction.
import { INVARIANTS, type InvariantName } from './invariants.ts';
import { FAULT_KINDS, scenario, type Scenario } from './scenario.ts';
import { runScenario, type RunResult } from './world.ts';

export interface Summary {
  readonly seeds: number;
  readonly steps: number;
  readonly violations: number;
  readonly byInvariant: Partial<Record<InvariantName, number>>;
  readonly slowestSeedMs: number;
  readonly failing: readonly RunResult[];
}

export async function runSeeds(seeds: Iterable<number>, over: Partial<Omit<Scenario, 'seed'>> = {}): Promise<Summary> {
  let n = 0, steps = 0, violations = 0, slowest = 0;
  const byInvariant: Partial<Record<InvariantName, number>> = {};
  const failing: RunResult[] = [];
  for (const seed of seeds) {
    const t0 = performance.now();
    const r = await runScenario(scenario(seed, over));
    slowest = Math.max(slowest, performance.now() - t0);
    n++;
    steps += r.steps;
    if (r.violations.length > 0) {
      violations++;
      const first = r.violations[0]!.invariant;
      byInvariant[first] = (byInvariant[first] ?? 0) + 1;
      failing.push(r);
    }
  }
  return { seeds: n, steps, violations, byInvariant, slowestSeedMs: Math.round(slowest), failing };
}

/**
 * A smaller scenario that still breaks the same invariant: each fault kind off in turn, then a
 * shorter active window and fewer jobs, kept whenever the violation stays.
 */
export async function shrink(failing: RunResult): Promise<RunResult> {
  const want = failing.violations[0]!.invariant;
  let best = failing;
  const still = async (sc: Scenario) => {
    const r = await runScenario(sc);
    if (r.violations[0]?.invariant === want && r.trace.length <= best.trace.length + 50) best = r;
    return r.violations[0]?.invariant === want;
  };
  for (const f of FAULT_KINDS) {
    if (!best.scenario.faults.has(f)) continue;
    const faults = new Set(best.scenario.faults);
    faults.delete(f);
    await still({ ...best.scenario, faults });
  }
  for (let i = 0; i < 4; i++) {
    if (!(await still({ ...best.scenario, activeMs: Math.max(60_000, Math.round(best.scenario.activeMs / 2 / 60_000) * 60_000) }))) break;
  }
  for (let i = 0; i < 3; i++) {
    if (!(await still({ ...best.scenario, jobsPerMinute: best.scenario.jobsPerMinute / 2 }))) break;
  }
  return best;
}

export const ALL_INVARIANTS = INVARIANTS;

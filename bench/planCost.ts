// plan() CPU on the organization of bench/scaleWorld.ts at 1× (1,000 agents, 2,000 jobs, 50
// specs, 1,000 manifests) and 10×: pure, no I/O, so the figure is plan()'s own cost. Prints one
// JSON line per scale and the 10×/1× ratio (linear is 10). Run: npx node bench/planCost.ts
import { plan } from '../reconciler/plan/plan.ts';
import { observedAt } from './scaleWorld.ts';

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function measure(scale: number, warmUps: number, runs: number): { scale: number; meanMs: number; p50Ms: number; p95Ms: number } {
  const observed = observedAt(scale);
  // Until the optimizing compiler is done: its background threads' CPU would count otherwise.
  for (let i = 0; i < warmUps; i++) plan(observed, { nameSeed: `warm-${i}` });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    // The process's CPU, as the pass reports plan() (reconciler/loop/pass.ts).
    const t = process.cpuUsage();
    plan(observed, { nameSeed: `run-${i}` });
    const d = process.cpuUsage(t);
    times.push((d.user + d.system) / 1000);
  }
  times.sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 100) / 100;
  return { scale, meanMs: round(times.reduce((a, b) => a + b, 0) / times.length), p50Ms: round(percentile(times, 50)), p95Ms: round(percentile(times, 95)) };
}

const one = measure(1, 30, 200);
console.log(JSON.stringify(one));
const ten = measure(10, 10, 40);
console.log(JSON.stringify(ten));
console.log(JSON.stringify({ ratio10xTo1x: Math.round((ten.p50Ms / one.p50Ms) * 10) / 10 }));

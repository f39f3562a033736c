// plan() CPU on the organization of bench/scaleWorld.ts at 1× (1,000 agents, 2,000 jobs, 50
// specs, 1,000 manifests) and around it, 0.5× to 20×: pure, no I/O, so the figure is plan()'s own
// cost. Prints one JSON line per scale (with the cost per unit of scale: flat if plan() were
// linear at every size) and the 10×/1× ratio (linear is 10). Run: npx node bench/planCost.ts
import { plan } from '../reconciler/plan/plan.ts';
import { observedAt } from './scaleWorld.ts';

const SCALES = [0.5, 1, 2, 5, 10, 20] as const;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function measure(scale: number): { scale: number; meanMs: number; p50Ms: number; p95Ms: number; p50MsPerScaleUnit: number } {
  const observed = observedAt(scale);
  // Until the optimizing compiler is done: its background threads' CPU would count otherwise.
  const warmUps = Math.max(5, Math.round(30 / scale));
  const runs = Math.max(20, Math.round(200 / scale));
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
  const p50 = percentile(times, 50);
  return { scale, meanMs: round(times.reduce((a, b) => a + b, 0) / times.length), p50Ms: round(p50), p95Ms: round(percentile(times, 95)), p50MsPerScaleUnit: round(p50 / scale) };
}

const measured = new Map<number, ReturnType<typeof measure>>();
for (const scale of SCALES) {
  const m = measure(scale);
  measured.set(scale, m);
  console.log(JSON.stringify(m));
}
console.log(JSON.stringify({ ratio10xTo1x: Math.round((measured.get(10)!.p50Ms / measured.get(1)!.p50Ms) * 10) / 10 }));

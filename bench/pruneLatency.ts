// Completion → pruned at 1,000 manifests: `run` as its own process against the world of
// bench/scaleWorldServer.ts (1,000 agents, pods and manifests, 50 specs, 5 pools) with a short
// queue, so the figures are the pass's git and apply work, not the job listing. Pods complete in
// rounds (job finished, agent offline, pod Succeeded); latency is completion → manifest gone from
// the remote and agent unregistered, measured by the world. Phase figures come from the
// reconciler's own "pass done" lines (phasesMs) of the passes that removed a manifest.
// Run: npx node bench/pruneLatency.ts [--scale 1] [--queued 20] [--rounds 6] [--per-round 10]
//      [--interval 15] [--history 1000] [--entry other/reconciler/main.ts] [--cpu-prof DIR]
// Progress goes to stderr; one JSON line and a Markdown table to stdout.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { arg, pct, RECONCILER_MAIN, startReconciler, startWorld, waitPasses } from './scaleProcesses.ts';

const t0 = Date.now();
const say = (line: string): void => void process.stderr.write(`bench:prune: [${((Date.now() - t0) / 1000).toFixed(0)} s] ${line}\n`);
const PHASES = ['fetch', 'read', 'observe', 'plan', 'drain', 'commit', 'push', 'unregister'] as const;

async function main(): Promise<void> {
  const scale = Number(arg('scale', '1'));
  const rounds = Number(arg('rounds', '6'));
  const perRound = Number(arg('per-round', '10'));
  const cpuProf = arg('cpu-prof', '');

  say(`building the world at scale ${scale}`);
  const world = await startWorld(scale, Number(arg('history', '1000')), { BENCH_QUEUED: arg('queued', '20') });
  const state = await mkdtemp(join(tmpdir(), 'azdo-gitops-bench-prune-'));
  const r = startReconciler(world, state, {
    entry: arg('entry', RECONCILER_MAIN),
    intervalSeconds: arg('interval', '15'),
    nodeArgs: cpuProf ? ['--cpu-prof', '--cpu-prof-dir', resolve(cpuProf)] : [],
    say,
  });
  try {
    say('warm-up: first passes (clone, parse)');
    await waitPasses(r, 2, 600_000);
    const from = r.passes.length;
    const latencies: number[] = [];
    let timedOut = 0;
    for (let round = 0; round < rounds; round++) {
      say(`completing ${perRound} pods (round ${round + 1} of ${rounds})`);
      const c = await world.ask<{ latencies: number[]; timedOut: number }>({ op: 'complete', count: perRound });
      latencies.push(...c.latencies);
      timedOut += c.timedOut;
      say(`  round ${round + 1}: ${c.latencies.map((l) => Math.round(l)).join(' ')} ms`);
    }
    const passes = r.passes.slice(from);
    for (const p of passes) say(`pass: ${p.trigger} removed ${p.removed?.length ?? 0}, ${p.durationMs} ms: ${Object.entries(p.phasesMs ?? {}).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')}`);
    const pruning = passes.filter((p) => (p.removed?.length ?? 0) > 0);
    const phase = (name: string, p: number) => pct(pruning.map((x) => x.phasesMs?.[name] ?? 0), p);
    const result = {
      scale,
      agents: world.info.agents,
      queuedJobs: world.info.queuedJobs,
      completions: latencies.length,
      timedOut,
      pruneLatencyMs: { p50: pct(latencies, 50), p95: pct(latencies, 95), max: pct(latencies, 100) },
      passes: passes.length,
      pruningPasses: pruning.length,
      removedPerPruningPass: pct(pruning.map((p) => p.removed!.length), 50),
      pruningPassWallMs: { p50: pct(pruning.map((p) => p.durationMs), 50), p95: pct(pruning.map((p) => p.durationMs), 95) },
      pruningPassCpuMs: { p50: pct(pruning.map((p) => p.cpuMs ?? NaN), 50), p95: pct(pruning.map((p) => p.cpuMs ?? NaN), 95) },
      phasesMs: Object.fromEntries(PHASES.map((n) => [n, { p50: phase(n, 50), p95: phase(n, 95) }])),
    };
    console.log(JSON.stringify(result));
    console.log('\n| phase (pruning passes) | p50 ms | p95 ms |\n|---|---:|---:|');
    for (const n of PHASES) console.log(`| ${n} | ${phase(n, 50)} | ${phase(n, 95)} |`);
    console.log(`| pass wall | ${result.pruningPassWallMs.p50} | ${result.pruningPassWallMs.p95} |`);
    console.log(`\ncompletion → pruned + unregistered: p50 ${result.pruneLatencyMs.p50} ms, p95 ${result.pruneLatencyMs.p95} ms, max ${result.pruneLatencyMs.max} ms (${latencies.length} pods, ${timedOut} timed out)`);
  } finally {
    await r.stop();
    await world.close();
    await rm(state, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:prune: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

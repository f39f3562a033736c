// Completion → pruned at 1,000 manifests: `run` as its own process against the world of
// bench/scaleWorldServer.ts (1,000 agents, pods and manifests, 50 specs, 5 pools) with a short
// queue, so the figures are the pass's git and apply work more than the job listing. Pods
// complete in rounds (job finished, agent offline, pod Succeeded); latency is completion →
// manifest gone from the remote and agent unregistered, measured by the world. Phase figures
// come from the reconciler's own "pass done" lines (phasesMs) of the passes that removed a manifest.
//
// --entry takes one CLI or several, comma-separated (another checkout's reconciler/main.ts, for
// before/after): they take turns against the same world, --blocks turns each, a fresh process
// and cache per turn, so a loaded machine's swings fall on all of them alike.
// --running-match own: each running job demands its own agent (one matched agent each in the
// listing, not the pool's ~200: ~70 MiB less per pass at scale 1, built by the emulator).
// Run: npx node bench/pruneLatency.ts [--scale 1] [--queued 20] [--running-match pool|own] [--blocks 1] [--rounds 6]
//      [--per-round 10] [--interval 15] [--history 1000] [--entry a.ts,b.ts] [--cpu-prof DIR]
// Progress goes to stderr; one JSON line per entry and a Markdown table to stdout.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { arg, pct, RECONCILER_MAIN, startReconciler, startWorld, waitPasses, type PassLine } from './scaleProcesses.ts';

const t0 = Date.now();
const say = (line: string): void => void process.stderr.write(`bench:prune: [${((Date.now() - t0) / 1000).toFixed(0)} s] ${line}\n`);
const PHASES = ['fetch', 'read', 'observe', 'plan', 'drain', 'commit', 'push', 'unregister'] as const;

interface Measured {
  latencies: number[];
  timedOut: number;
  passes: PassLine[];
}

async function main(): Promise<void> {
  const scale = Number(arg('scale', '1'));
  const blocks = Number(arg('blocks', '1'));
  const rounds = Number(arg('rounds', '6'));
  const perRound = Number(arg('per-round', '10'));
  const cpuProf = arg('cpu-prof', '');
  const entries = arg('entry', RECONCILER_MAIN).split(',');
  const needed = entries.length * blocks * rounds * perRound;

  say(`building the world at scale ${scale}`);
  const world = await startWorld(scale, Number(arg('history', '1000')), { BENCH_QUEUED: arg('queued', '20'), BENCH_RUNNING_MATCH: arg('running-match', 'pool') });
  if (needed > world.info.agents) throw new Error(`${needed} completions need as many pods; the world has ${world.info.agents}`);
  const measured: Measured[] = entries.map(() => ({ latencies: [], timedOut: 0, passes: [] }));
  try {
    for (let block = 0; block < blocks; block++) {
      for (const [e, entry] of entries.entries()) {
        const m = measured[e]!;
        const state = await mkdtemp(join(tmpdir(), 'azdo-gitops-bench-prune-'));
        const r = startReconciler(world, state, {
          entry,
          intervalSeconds: arg('interval', '15'),
          nodeArgs: cpuProf ? ['--cpu-prof', '--cpu-prof-dir', resolve(cpuProf)] : [],
          say,
        });
        try {
          say(`${entry} (turn ${block + 1} of ${blocks}): warm-up passes (clone, parse)`);
          await waitPasses(r, 2, 600_000);
          const from = r.passes.length;
          for (let round = 0; round < rounds; round++) {
            const c = await world.ask<{ latencies: number[]; timedOut: number }>({ op: 'complete', count: perRound });
            m.latencies.push(...c.latencies);
            m.timedOut += c.timedOut;
            say(`  round ${round + 1}: ${c.latencies.map((l) => Math.round(l)).join(' ')} ms`);
          }
          const passes = r.passes.slice(from);
          for (const p of passes) say(`  pass: ${p.trigger} removed ${p.removed?.length ?? 0}, ${p.durationMs} ms: ${Object.entries(p.phasesMs ?? {}).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')}`);
          m.passes.push(...passes);
        } finally {
          await r.stop();
          await rm(state, { recursive: true, force: true });
        }
      }
    }
  } finally {
    await world.close();
  }

  const rows: string[] = [];
  for (const [e, entry] of entries.entries()) {
    const { latencies, timedOut, passes } = measured[e]!;
    const pruning = passes.filter((p) => (p.removed?.length ?? 0) > 0);
    const phase = (name: string, p: number) => (pruning.some((x) => x.phasesMs) ? pct(pruning.map((x) => x.phasesMs?.[name] ?? 0), p) : NaN);
    const result = {
      entry,
      scale,
      agents: world.info.agents,
      queuedJobs: world.info.queuedJobs,
      completions: latencies.length,
      timedOut,
      pruneLatencyMs: { p50: pct(latencies, 50), p95: pct(latencies, 95), max: pct(latencies, 100) },
      passes: passes.length,
      pruningPasses: pruning.length,
      pruningPassWallMs: { p50: pct(pruning.map((p) => p.durationMs), 50), p95: pct(pruning.map((p) => p.durationMs), 95) },
      pruningPassCpuMs: { p50: pct(pruning.map((p) => p.cpuMs ?? NaN), 50), p95: pct(pruning.map((p) => p.cpuMs ?? NaN), 95) },
      phasesMs: Object.fromEntries(PHASES.map((n) => [n, { p50: phase(n, 50), p95: phase(n, 95) }])),
    };
    console.log(JSON.stringify(result));
    const cells = [
      `${result.pruneLatencyMs.p50} / ${result.pruneLatencyMs.p95} / ${result.pruneLatencyMs.max}`,
      `${passes.length} / ${pruning.length}`,
      `${result.pruningPassWallMs.p50} / ${result.pruningPassWallMs.p95}`,
      ...PHASES.map((n) => `${phase(n, 50)} / ${phase(n, 95)}`),
    ];
    rows.push(`| ${entry} | ${cells.join(' | ')} |`);
  }
  console.log(`\n| entry | prune p50 / p95 / max ms | passes / pruning | pruning pass wall p50 / p95 ms | ${PHASES.map((n) => `${n} p50 / p95`).join(' | ')} |`);
  console.log(`|---|---|---|---|${PHASES.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(row);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:prune: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

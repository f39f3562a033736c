// The reconciler at an organization's size: `run`, unmodified, as its own process against the
// world of bench/scaleWorldServer.ts (a third process). Prints one JSON line:
//   {agents, queuedJobs, specs, pools, historyCommits, rssIdleMiB, rssSteadyMiB, rssPeakMiB,
//    passWallMs, passCpuMs, planCpuMs, pruneLatencyMs, queuedToPodMs, azdoCallsPerPass, azdoBytesPerPass,
//    azdoConnectionsPerPass}
// Run: npm run bench:scale -- --scale 0.1|1|10 [--passes N] [--timeout S] [--world-node-args "..."]
//   [--reconciler-log FILE] (the measured reconciler's whole debug log, e.g. its "pass done" phasesMs)
//   [--entry dist/reconciler/main.js] [--node-args "..."] [--node-options "..."] [--env "NAME=value ..."]
//   (the last four: the reconciler as the image runs it, e.g. its ENTRYPOINT flags and ENV).
// Progress goes to stderr.
//
// rssIdle is the same `run` against the smallest world (--idle-scale, default 0.01: 10 agents,
// 20 queued jobs); steady is the median, peak the high-water mark, of the process at --scale.
// cpuMs/planCpuMs come from the reconciler's own "pass done" log lines (absent before they
// existed: --entry of an older checkout then reports wall time and memory only).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, pct, RECONCILER_MAIN, startReconciler as startProcess, startWorld, waitPasses, type Reconciler, type World } from './scaleProcesses.ts';

/** The CLI to measure (`--entry`: another checkout's reconciler/main.ts, for before/after). */
const entry = (): string => arg('entry', RECONCILER_MAIN);
const t0 = Date.now();
const say = (line: string): void => void process.stderr.write(`bench:scale: [${((Date.now() - t0) / 1000).toFixed(0)} s] ${line}\n`);

/** `--env "A=1 B=2"`: more environment of the reconciler's process. */
const extraEnv = (): Record<string, string> =>
  Object.fromEntries(arg('env', '').split(' ').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

/** `--node-args "--a --b"`: node's flags before the entry (those NODE_OPTIONS refuses, e.g. the image's --memory-saver-mode). */
const nodeArgs = (): string[] => arg('node-args', '').split(' ').filter(Boolean);

const startReconciler = (world: World, stateDir: string, logFile?: string): Reconciler =>
  startProcess(world, stateDir, { entry: entry(), intervalSeconds: arg('interval', '2'), nodeOptions: arg('node-options', ''), nodeArgs: nodeArgs(), env: extraEnv(), say, ...(logFile ? { logFile } : {}) });

const MiB = (kib: number): number => Math.round((kib / 1024) * 10) / 10;

async function idleRss(idleScale: number): Promise<number> {
  const world = await startWorld(idleScale, 10);
  const state = await mkdtemp(join(tmpdir(), 'azdo-gitops-bench-idle-'));
  const r = startReconciler(world, state);
  try {
    await waitPasses(r, 3, 60_000);
    r.resetRss();
    await waitPasses(r, 3, 60_000);
    return pct(r.rssSamples(), 50);
  } finally {
    await r.stop();
    await world.close();
    await rm(state, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const scale = Number(arg('scale', '1'));
  const steadyPasses = Number(arg('passes', '10'));
  const history = Number(arg('history', '10000'));
  const idleScale = Number(arg('idle-scale', '0.01'));
  // --timeout: seconds to wait for the warm-up passes, and again for the steady ones.
  const passTimeoutMs = Number(arg('timeout', '600')) * 1000;

  say(`idle: run against the smallest world (scale ${idleScale})`);
  const rssIdleKiB = await idleRss(idleScale);
  if (process.argv.includes('--idle-only')) {
    console.log(JSON.stringify({ idleScale, rssIdleMiB: MiB(rssIdleKiB) }));
    return;
  }

  say(`building the world at scale ${scale}`);
  const world = await startWorld(scale, history, {}, arg('world-node-args', '').split(' ').filter(Boolean));
  const state = await mkdtemp(join(tmpdir(), 'azdo-gitops-bench-'));
  const logFile = arg('reconciler-log', '');
  const r = startReconciler(world, state, logFile || undefined);
  try {
    say('warm-up: first passes (placeholders, clone)');
    await waitPasses(r, 3, passTimeoutMs);
    await world.ask({ op: 'resetStats' });
    r.resetRss();
    const from = r.passes.length;
    say(`steady: ${steadyPasses} passes`);
    await waitPasses(r, steadyPasses, passTimeoutMs);
    const steady = r.passes.slice(from);
    const stats = (await world.ask<{ stats: { requests: number; bytes: number; connections: number } }>({ op: 'stats' })).stats;
    const passCount = r.passes.length - from;
    const rssSteadyKiB = pct(r.rssSamples(), 50);

    const perRound = Math.max(5, Math.round(world.info.agents / 100));
    const prune: number[] = [];
    for (let round = 0; round < 3; round++) {
      say(`completing ${perRound} pods (round ${round + 1} of 3)`);
      const c = await world.ask<{ latencies: number[]; timedOut: number }>({ op: 'complete', count: perRound });
      prune.push(...c.latencies);
      if (c.timedOut > 0) say(`${c.timedOut} completed pods not pruned within 120 s`);
    }
    say('queueing jobs for a spec with room, one at a time');
    const fast = await world.ask<{ latencies: number[] }>({ op: 'queueFast', count: 5 });
    const rssPeakKiB = await r.peakKiB();

    console.log(JSON.stringify({
      scale,
      agents: world.info.agents,
      queuedJobs: world.info.queuedJobs,
      specs: world.info.specs,
      pools: world.info.pools,
      historyCommits: world.info.historyCommits,
      rssIdleMiB: MiB(rssIdleKiB),
      rssSteadyMiB: MiB(rssSteadyKiB),
      rssPeakMiB: MiB(rssPeakKiB),
      passWallMs: { p50: pct(steady.map((p) => p.durationMs), 50), p95: pct(steady.map((p) => p.durationMs), 95) },
      passCpuMs: { p50: pct(steady.map((p) => p.cpuMs ?? NaN), 50), p95: pct(steady.map((p) => p.cpuMs ?? NaN), 95) },
      planCpuMs: { p50: pct(steady.map((p) => p.planCpuMs ?? NaN), 50), p95: pct(steady.map((p) => p.planCpuMs ?? NaN), 95) },
      pruneLatencyMs: { p50: pct(prune, 50), p95: pct(prune, 95), max: pct(prune, 100) },
      queuedToPodMs: { p50: pct(fast.latencies, 50), p95: pct(fast.latencies, 95) },
      azdoCallsPerPass: Math.round((stats.requests / passCount) * 10) / 10,
      azdoBytesPerPass: Math.round(stats.bytes / passCount),
      // TCP connections the emulator accepted (the world's own admin reads among them).
      azdoConnectionsPerPass: Math.round((stats.connections / passCount) * 10) / 10,
    }));
  } finally {
    await r.stop();
    await world.close();
    await rm(state, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:scale: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

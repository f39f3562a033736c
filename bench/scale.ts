// The reconciler at an organization's size: `run`, unmodified, as its own process against the
// world of bench/scaleWorldServer.ts (a third process). Prints one JSON line:
//   {agents, queuedJobs, specs, pools, historyCommits, rssIdleMiB, rssSteadyMiB, rssPeakMiB,
//    passWallMs, passCpuMs, planCpuMs, pruneLatencyMs, queuedToPodMs, azdoCallsPerPass, azdoBytesPerPass}
// Run: npm run bench:scale -- --scale 0.1|1|10 [--passes N] [--timeout S] [--world-node-args "..."].
// Progress goes to stderr.
//
// rssIdle is the same `run` against the smallest world (--idle-scale, default 0.01: 10 agents,
// 20 queued jobs); steady is the median, peak the high-water mark, of the process at --scale.
// cpuMs/planCpuMs come from the reconciler's own "pass done" log lines (absent before they
// existed: --entry of an older checkout then reports wall time and memory only).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorldInfo, WorldRequest } from './scaleWorldServer.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
/** The CLI to measure (`--entry`: another checkout's reconciler/main.ts, for before/after). */
const entry = (): string => arg('entry', join(HERE, '..', 'reconciler', 'main.ts'));

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const t0 = Date.now();
const say = (line: string): void => void process.stderr.write(`bench:scale: [${((Date.now() - t0) / 1000).toFixed(0)} s] ${line}\n`);

function pct(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10;
}

interface World {
  readonly info: WorldInfo;
  ask<T>(req: WorldRequest): Promise<T>;
  close(): Promise<void>;
}

async function startWorld(scale: number, history: number): Promise<World> {
  // --world-node-args: flags for the world's process (e.g. "--cpu-prof --cpu-prof-dir=DIR" to
  // see what the emulator spends its time on; NODE_OPTIONS refuses --cpu-prof).
  const nodeArgs = arg('world-node-args', '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(HERE, 'scaleWorldServer.ts')], {
    env: { ...process.env, BENCH_SCALE: String(scale), BENCH_HISTORY: String(history) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiters: ((m: { op: string }) => void)[] = [];
  child.on('message', (m: { op: string }) => waiters.shift()?.(m));
  const next = <T>(): Promise<T> => new Promise((resolve, reject) => {
    waiters.push((m) => resolve(m as T));
    child.once('exit', (code) => reject(new Error(`the world process exited (${code})`)));
  });
  const ready = await next<{ info: WorldInfo }>();
  return {
    info: ready.info,
    async ask<T>(req: WorldRequest): Promise<T> {
      const r = next<T>();
      child.send(req);
      return r;
    },
    async close() {
      const r = next<unknown>().catch(() => undefined);
      child.send({ op: 'close' });
      await r;
      // It exits on its own (writing a --cpu-prof profile first, which takes a few seconds).
      if (child.exitCode === null) {
        await new Promise<void>((res) => {
          const timer = setTimeout(res, 30_000);
          child.once('exit', () => { clearTimeout(timer); res(); });
        });
      }
      if (child.exitCode === null) child.kill();
    },
  };
}

interface PassLine { durationMs: number; cpuMs?: number; planCpuMs?: number; commit?: string }

interface Reconciler {
  readonly child: ChildProcess;
  readonly passes: PassLine[];
  /** The end of its output, for errors. */
  tail(): string;
  /** RSS samples (KiB) since the last reset, and the kernel's high-water mark. */
  rssSamples(): number[];
  resetRss(): void;
  peakKiB(): Promise<number>;
  stop(): Promise<void>;
}

async function procStatus(pid: number, key: string): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
}

function startReconciler(world: World, stateDir: string): Reconciler {
  const child = spawn(process.execPath, [entry(), 'run'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...world.info.env,
      STATE_DIR: stateDir,
      POLL_INTERVAL_SECONDS: arg('interval', '2'),
      HTTP_PORT: '0',
      LOG_LEVEL: 'debug',
      // --node-options: V8 flags for the measured process (e.g. a smaller young generation).
      ...(arg('node-options', '') ? { NODE_OPTIONS: arg('node-options', '') } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const passes: PassLine[] = [];
  let buf = '';
  let outTail = '';
  // The log goes to stderr, the command's own output to stdout: both are read.
  const onData = (d: Buffer) => {
    buf += d.toString();
    outTail = (outTail + d.toString()).slice(-3000);
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!line.includes('"pass done"')) continue;
      try {
        passes.push(JSON.parse(line) as PassLine);
      } catch { /* not a log line */ }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const errText = '';
  child.on('exit', (code) => { if (code && code !== 0) say(`reconciler exited ${code}: ${errText}`); });
  let samples: number[] = [];
  const timer = setInterval(() => {
    if (child.pid === undefined || child.exitCode !== null) return;
    procStatus(child.pid, 'VmRSS').then((kib) => { if (Number.isFinite(kib)) samples.push(kib); }, () => {});
  }, 100);
  return {
    child,
    passes,
    tail: () => `${outTail}\n${errText}`,
    rssSamples: () => samples,
    resetRss: () => { samples = []; },
    peakKiB: () => procStatus(child.pid!, 'VmHWM'),
    async stop() {
      clearInterval(timer);
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitPasses(r: Reconciler, count: number, timeoutMs: number): Promise<void> {
  const target = r.passes.length + count;
  const deadline = Date.now() + timeoutMs;
  while (r.passes.length < target) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${count} passes, saw ${r.passes.length}; the reconciler said:\n${r.tail()}`);
    if (r.child.exitCode !== null) throw new Error('the reconciler exited');
    await new Promise((res) => setTimeout(res, 100));
  }
}

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
  const world = await startWorld(scale, history);
  const state = await mkdtemp(join(tmpdir(), 'azdo-gitops-bench-'));
  const r = startReconciler(world, state);
  try {
    say('warm-up: first passes (placeholders, clone)');
    await waitPasses(r, 3, passTimeoutMs);
    await world.ask({ op: 'resetStats' });
    r.resetRss();
    const from = r.passes.length;
    say(`steady: ${steadyPasses} passes`);
    await waitPasses(r, steadyPasses, passTimeoutMs);
    const steady = r.passes.slice(from);
    const stats = (await world.ask<{ stats: { requests: number; bytes: number } }>({ op: 'stats' })).stats;
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

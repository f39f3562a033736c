// The processes of bench/scale.ts and bench/pruneLatency.ts: the world (bench/scaleWorldServer.ts)
// and the reconciler's `run`, each its own process so the reconciler's figures are its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorldInfo, WorldRequest } from './scaleWorldServer.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const RECONCILER_MAIN = join(HERE, '..', 'reconciler', 'main.ts');

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

export function pct(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10;
}

export interface World {
  readonly info: WorldInfo;
  ask<T>(req: WorldRequest): Promise<T>;
  close(): Promise<void>;
}

/**
 * The world at `scale`; env adds BENCH_* settings of scaleWorldServer.ts (e.g. BENCH_QUEUED);
 * nodeArgs are flags for the world's process (e.g. "--cpu-prof --cpu-prof-dir=DIR" to see what the
 * emulator spends its time on; NODE_OPTIONS refuses --cpu-prof).
 */
export async function startWorld(scale: number, history: number, env: Record<string, string> = {}, nodeArgs: readonly string[] = []): Promise<World> {
  const child = spawn(process.execPath, [...nodeArgs, join(HERE, 'scaleWorldServer.ts')], {
    env: { ...process.env, BENCH_SCALE: String(scale), BENCH_HISTORY: String(history), ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiters: ((m: { op: string }) => void)[] = [];
  child.on('message', (m: { op: string }) => waiters.shift()?.(m));
  const next = <T>(): Promise<T> => new Promise((resolve, reject) => {
    const exited = (code: number | null) => reject(new Error(`the world process exited (${code})`));
    child.once('exit', exited);
    waiters.push((m) => {
      child.off('exit', exited);
      resolve(m as T);
    });
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
          child.once('exit', () => {
            clearTimeout(timer);
            res();
          });
        });
      }
      if (child.exitCode === null) child.kill();
    },
  };
}

/** The reconciler's "pass done" log line (the fields the benches read). */
export interface PassLine {
  durationMs: number;
  cpuMs?: number;
  planCpuMs?: number;
  commit?: string;
  trigger?: string;
  removed?: string[];
  unregistered?: string[];
  phasesMs?: Record<string, number>;
}

export interface Reconciler {
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

export interface ReconcilerOptions {
  /** The CLI to run (another checkout's reconciler/main.ts, for before/after). */
  readonly entry: string;
  readonly intervalSeconds: string;
  /** NODE_OPTIONS of the measured process (e.g. a smaller young generation). */
  readonly nodeOptions?: string;
  /** Node flags before the entry (e.g. --cpu-prof --cpu-prof-dir DIR). */
  readonly nodeArgs?: readonly string[];
  /** More environment of the measured process (e.g. the image's MALLOC_ARENA_MAX). */
  readonly env?: Readonly<Record<string, string>>;
  readonly say: (line: string) => void;
  /** A file that receives the reconciler's whole output (its debug log), to see where a pass goes. */
  readonly logFile?: string;
}

export function startReconciler(world: World, stateDir: string, opts: ReconcilerOptions): Reconciler {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.entry, 'run'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...world.info.env,
      STATE_DIR: stateDir,
      POLL_INTERVAL_SECONDS: opts.intervalSeconds,
      HTTP_PORT: '0',
      LOG_LEVEL: 'debug',
      ...(opts.nodeOptions ? { NODE_OPTIONS: opts.nodeOptions } : {}),
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const passes: PassLine[] = [];
  const log = opts.logFile ? createWriteStream(opts.logFile) : undefined;
  if (log) child.on('exit', () => log.end());
  let buf = '';
  let outTail = '';
  // The log goes to stderr, the command's own output to stdout: both are read.
  const onData = (d: Buffer) => {
    log?.write(d);
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
  child.on('exit', (code) => { if (code && code !== 0) opts.say(`reconciler exited ${code}`); });
  let samples: number[] = [];
  const timer = setInterval(() => {
    if (child.pid === undefined || child.exitCode !== null) return;
    procStatus(child.pid, 'VmRSS').then((kib) => { if (Number.isFinite(kib)) samples.push(kib); }, () => {});
  }, 100);
  return {
    child,
    passes,
    tail: () => outTail,
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

export async function waitPasses(r: Reconciler, count: number, timeoutMs: number): Promise<void> {
  const target = r.passes.length + count;
  const deadline = Date.now() + timeoutMs;
  while (r.passes.length < target) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${count} passes, saw ${r.passes.length}; the reconciler said:\n${r.tail()}`);
    if (r.child.exitCode !== null) throw new Error(`the reconciler exited; it said:\n${r.tail()}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
